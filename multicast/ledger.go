package multicast

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
)

// ledgerDoc is the ledger file: what must survive the loss of the groups
// or the queue file. FCnt holds, per (McAddr, keys), the frame-counter
// bound reserved last (counters below it may have been used); it outlives
// the group, so a group deleted or lost and created again with the same
// keys continues above it. NextSeq and Pending name the accepted messages
// not yet ended, so a lost or truncated queue file is noticed and each
// lost message still ends in a report.
type ledgerDoc struct {
	FCnt    []fcntMark   `json:"fcnt"`
	NextSeq uint64       `json:"nextSeq"`
	Pending []pendingRef `json:"pending"`
}

// fcntMark is one frame-counter high-water mark. KeyID is a hash of the
// group's address and keys, never the keys.
type fcntMark struct {
	KeyID string `json:"keyId"`
	Limit uint64 `json:"limit"`
}

// pendingRef names an accepted message.
type pendingRef struct {
	Seq   uint64 `json:"seq"`
	ID    string `json:"id"`
	Group string `json:"group"`
}

// maxMarks bounds the ledger's high-water marks; the oldest (lowest
// bound) go first. Far more than a gateway's groups.
const maxMarks = 4096

// keyID identifies a group's counter space: address and keys.
func keyID(p groupParams) string {
	h := sha256.New()
	h.Write([]byte("lgw-fcnt"))
	h.Write(p.addr[:])
	h.Write(p.nwk[:])
	h.Write(p.app[:])
	return hex.EncodeToString(h.Sum(nil)[:12])
}

func (d *ledgerDoc) check() error {
	for _, m := range d.FCnt {
		if len(m.KeyID) != 24 || m.Limit > 1<<32 {
			return fmt.Errorf("bad fcnt mark %q", m.KeyID)
		}
	}
	for _, p := range d.Pending {
		if p.ID == "" || p.Seq >= d.NextSeq {
			return fmt.Errorf("bad pending message %d", p.Seq)
		}
	}
	return nil
}

// mark returns the high-water mark of a counter space (0 when none).
func (m *Manager) mark(p groupParams) uint64 {
	if !p.hasKeys {
		return 0
	}
	return m.marks[keyID(p)]
}

// raiseMark records a bound; it never lowers one.
func (m *Manager) raiseMark(p groupParams, limit uint64) {
	if !p.hasKeys {
		return
	}
	id := keyID(p)
	if limit > m.marks[id] {
		m.marks[id] = limit
	}
}

// saveLedger writes the ledger. Callers hold m.mu.
func (m *Manager) saveLedger() error {
	doc := ledgerDoc{NextSeq: m.nextSeq, FCnt: make([]fcntMark, 0, len(m.marks)), Pending: make([]pendingRef, 0, len(m.msgs))}
	for id, l := range m.marks {
		doc.FCnt = append(doc.FCnt, fcntMark{KeyID: id, Limit: l})
	}
	sort.Slice(doc.FCnt, func(i, j int) bool {
		if doc.FCnt[i].Limit != doc.FCnt[j].Limit {
			return doc.FCnt[i].Limit > doc.FCnt[j].Limit
		}
		return doc.FCnt[i].KeyID < doc.FCnt[j].KeyID
	})
	if len(doc.FCnt) > maxMarks {
		doc.FCnt = doc.FCnt[:maxMarks]
	}
	for _, msg := range m.msgs {
		doc.Pending = append(doc.Pending, pendingRef{Seq: msg.Seq, ID: msg.ID, Group: msg.Group})
	}
	sort.Slice(doc.Pending, func(i, j int) bool { return doc.Pending[i].Seq < doc.Pending[j].Seq })
	b, err := json.Marshal(doc)
	if err != nil {
		return fmt.Errorf("encode ledger: %w", err)
	}
	return m.st.write(ledgerFile, "ledger", b)
}
