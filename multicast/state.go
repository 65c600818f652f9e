package multicast

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/region"
)

// group is a multicast group at run time.
type group struct {
	id string
	p  groupParams
	// next is the next frame counter to use; limit the persisted
	// reservation: counters below limit may have been used already.
	next, limit uint64
	sess        *sessionParams
	// queue holds the group's messages in order; the head is in flight
	// when inflight is set.
	queue    []*message
	inflight *message
	retryAt  time.Time
	timers   []clock.Timer
}

// message is one accepted downlink.
type message struct {
	ID    string `json:"id"`
	Group string `json:"group"`
	Seq   uint64 `json:"seq"`
	// Payload is the application payload (group with keys) or the
	// PHYPayload (keyless group).
	Payload []byte `json:"payload"`
	FPort   int    `json:"fport"`
	// InFlight is persisted before the frame goes to the scheduler; a
	// message found in flight after a restart may have been sent.
	InFlight bool `json:"inFlight,omitempty"`
	// FCnt is the counter of the latest attempt.
	FCnt uint32 `json:"fcnt,omitempty"`
	// Duplicate is set on a message sent again after a restart that could
	// not prove its earlier transmission.
	Duplicate bool `json:"duplicate,omitempty"`

	// Run-time only.
	phy []byte
	// notBefore is the GPS time a class B retry must come after.
	notBefore time.Duration
	// attempts counts the submissions to the scheduler; resend makes the
	// next one reuse FCnt and phy (the frame was never emitted).
	attempts int
	resend   bool
}

// groupRec is a group as stored.
type groupRec struct {
	ID        string         `json:"id"`
	Region    string         `json:"region"`
	Class     string         `json:"class"`
	McAddr    string         `json:"mcAddr"`
	NwkSKey   string         `json:"nwkSKey,omitempty"`
	AppSKey   string         `json:"appSKey,omitempty"`
	FirstFCnt uint32         `json:"firstFCnt"`
	FCntLimit uint64         `json:"fcntLimit"`
	Session   *sessionParams `json:"session,omitempty"`
}

type groupsDoc struct {
	Groups  []groupRec `json:"groups"`
	NextSeq uint64     `json:"nextSeq"`
}

type queueDoc struct {
	Messages []*message `json:"messages"`
}

// saveGroups writes the groups store. Callers hold m.mu.
func (m *Manager) saveGroups() error {
	doc := groupsDoc{NextSeq: m.nextSeq}
	for _, g := range m.sortedGroups() {
		r := groupRec{ID: g.id, Region: string(g.p.region.Name()), Class: g.p.class, McAddr: normHex(g.p.addr[:]),
			FirstFCnt: g.p.fcnt, FCntLimit: g.limit, Session: g.sess}
		if g.p.hasKeys {
			r.NwkSKey, r.AppSKey = normHex(g.p.nwk[:]), normHex(g.p.app[:])
		}
		doc.Groups = append(doc.Groups, r)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return fmt.Errorf("encode groups: %w", err)
	}
	return writeAtomic(m.cfg.Dir, groupsFile, encodeStore("groups", b))
}

// saveQueue writes the queue store. Callers hold m.mu.
func (m *Manager) saveQueue() error {
	doc := queueDoc{Messages: make([]*message, 0, len(m.msgs))}
	for _, msg := range m.msgs {
		doc.Messages = append(doc.Messages, msg)
	}
	sort.Slice(doc.Messages, func(i, j int) bool { return doc.Messages[i].Seq < doc.Messages[j].Seq })
	b, err := json.Marshal(doc)
	if err != nil {
		return fmt.Errorf("encode queue: %w", err)
	}
	if err := writeAtomic(m.cfg.Dir, queueFile, encodeStore("queue", b)); err != nil {
		return err
	}
	m.queueDirty = false
	return nil
}

// load reads both stores. A message found in flight becomes a duplicate
// to send again with a new counter. A message whose group or session is
// gone is reported as cancelled.
func (m *Manager) load() error {
	body, ok, err := readStore(m.cfg.Dir, groupsFile, "groups")
	if err != nil {
		return err
	}
	if ok {
		var doc groupsDoc
		if err := json.Unmarshal(body, &doc); err != nil {
			return &CorruptError{Path: filepath.Join(m.cfg.Dir, groupsFile), Reason: err.Error()}
		}
		m.nextSeq = doc.NextSeq
		for _, r := range doc.Groups {
			g, err := groupFromRec(r)
			if err != nil {
				return &CorruptError{Path: filepath.Join(m.cfg.Dir, groupsFile), Reason: err.Error()}
			}
			m.groups[g.id] = g
		}
	}
	body, ok, err = readStore(m.cfg.Dir, queueFile, "queue")
	if err != nil {
		return err
	}
	if !ok {
		return nil
	}
	var doc queueDoc
	if err := json.Unmarshal(body, &doc); err != nil {
		return &CorruptError{Path: filepath.Join(m.cfg.Dir, queueFile), Reason: err.Error()}
	}
	sort.Slice(doc.Messages, func(i, j int) bool { return doc.Messages[i].Seq < doc.Messages[j].Seq })
	for _, msg := range doc.Messages {
		if msg.Seq >= m.nextSeq {
			m.nextSeq = msg.Seq + 1
		}
		if msg.InFlight {
			msg.InFlight, msg.Duplicate = false, true
			m.queueDirty = true
		}
		g := m.groups[msg.Group]
		if g == nil || g.sess == nil {
			m.early = append(m.early, cancelledReport(msg, g, "its group or session was removed before a restart"))
			m.queueDirty = true
			continue
		}
		m.msgs[msg.ID] = msg
		g.queue = append(g.queue, msg)
	}
	return nil
}

func groupFromRec(r groupRec) (*group, error) {
	reg, err := region.Lookup(r.Region)
	if err != nil {
		return nil, err
	}
	g := &group{id: r.ID, next: r.FCntLimit, limit: r.FCntLimit, sess: r.Session}
	g.p = groupParams{region: reg, class: r.Class, fcnt: r.FirstFCnt}
	a, err := hex.DecodeString(r.McAddr)
	if err != nil || len(a) != 4 {
		return nil, fmt.Errorf("group %s: bad mcAddr", r.ID)
	}
	copy(g.p.addr[:], a)
	if r.NwkSKey != "" {
		n, err1 := hex.DecodeString(r.NwkSKey)
		a, err2 := hex.DecodeString(r.AppSKey)
		if err1 != nil || err2 != nil || len(n) != 16 || len(a) != 16 {
			return nil, fmt.Errorf("group %s: bad keys", r.ID)
		}
		copy(g.p.nwk[:], n)
		copy(g.p.app[:], a)
		g.p.hasKeys = true
	}
	if r.Class != ClassB && r.Class != ClassC {
		return nil, fmt.Errorf("group %s: bad class %q", r.ID, r.Class)
	}
	return g, nil
}

// removeStaleTemp removes temporary files a crash left behind.
func removeStaleTemp(dir string) {
	for _, n := range []string{groupsFile, queueFile} {
		_ = os.Remove(filepath.Join(dir, n+".tmp"))
	}
}

func (m *Manager) sortedGroups() []*group {
	out := make([]*group, 0, len(m.groups))
	for _, g := range m.groups {
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// takeFCnt returns the group's next frame counter, first reserving a
// block on disk when the counter reaches the persisted bound.
func (m *Manager) takeFCnt(g *group) (uint32, error) {
	if g.next > 0xFFFFFFFF {
		return 0, fmt.Errorf("group %s: frame counter exhausted", g.id)
	}
	if g.next >= g.limit {
		old := g.limit
		g.limit = min(g.next+uint64(m.cfg.FCntReserve), 1<<32)
		if err := m.saveGroups(); err != nil {
			g.limit = old
			return 0, fmt.Errorf("reserve frame counters: %w", err)
		}
	}
	c := uint32(g.next)
	g.next++
	return c, nil
}
