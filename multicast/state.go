package multicast

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/region"
)

// group is a multicast group at run time.
type group struct {
	id string
	p  groupParams
	// next is the next frame counter to use; limit the persisted
	// reservation: counters below limit may have been used already; floor
	// the high-water mark the group started from (next never goes below).
	next, limit, floor uint64
	sess               *sessionParams
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
	NextSeq  uint64     `json:"nextSeq,omitempty"`
	// Ended lists the messages ended since the ledger was last written.
	Ended []uint64 `json:"ended,omitempty"`
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
	return m.noteStorage(m.st.write(groupsFile, "groups", b))
}

// saveQueue writes the queue store, and the ledger when the set of
// accepted messages changed. Callers hold m.mu.
func (m *Manager) saveQueue() error {
	doc := queueDoc{Messages: make([]*message, 0, len(m.msgs)), NextSeq: m.nextSeq, Ended: m.ended}
	for _, msg := range m.msgs {
		doc.Messages = append(doc.Messages, msg)
	}
	sort.Slice(doc.Messages, func(i, j int) bool { return doc.Messages[i].Seq < doc.Messages[j].Seq })
	b, err := json.Marshal(doc)
	if err != nil {
		return fmt.Errorf("encode queue: %w", err)
	}
	if err := m.noteStorage(m.st.write(queueFile, "queue", b)); err != nil {
		return err
	}
	m.queueDirty = false
	if m.ledgerDirty {
		if err := m.noteStorage(m.saveLedger()); err != nil {
			return err
		}
		m.ledgerDirty, m.ended = false, nil
	}
	return nil
}

// loaded is what load read of the three store files.
type loaded struct {
	groups, queue, ledger genResult
}

// readAll reads the newest good generation of every store file.
func (m *Manager) readAll() loaded {
	return loaded{
		groups: m.st.read(groupsFile, "groups", func(b []byte) error { _, err := parseGroups(b); return err }),
		queue:  m.st.read(queueFile, "queue", func(b []byte) error { _, err := parseQueue(b); return err }),
		ledger: m.st.read(ledgerFile, "ledger", func(b []byte) error { _, err := parseLedger(b); return err }),
	}
}

func parseGroups(b []byte) (groupsDoc, error) {
	var doc groupsDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		return doc, err
	}
	for _, r := range doc.Groups {
		if _, err := groupFromRec(r); err != nil {
			return doc, err
		}
	}
	return doc, nil
}

func parseQueue(b []byte) (queueDoc, error) {
	var doc queueDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		return doc, err
	}
	for _, msg := range doc.Messages {
		if msg == nil || msg.ID == "" || msg.Group == "" {
			return doc, errors.New("message without id or group")
		}
	}
	return doc, nil
}

func parseLedger(b []byte) (ledgerDoc, error) {
	var doc ledgerDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		return doc, err
	}
	return doc, doc.check()
}

// load reads the stores. A file whose generations are all unreadable puts
// the manager in degraded mode (every operation refused, nothing lost on
// disk); a file that fell back to its previous generation is logged. A
// message found in flight becomes a duplicate to send again with a new
// counter. A message whose group or session is gone is reported as
// cancelled; one the ledger names but the queue lost ends as LOST.
func (m *Manager) load() {
	l := m.readAll()
	var unusable []error
	for _, r := range []genResult{l.groups, l.queue, l.ledger} {
		if r.body == nil && len(r.bad) > 0 {
			unusable = append(unusable, r.bad...)
		}
		if r.body != nil && len(r.bad) > 0 {
			m.log.Error("multicast store: fell back to the previous generation", zap.String("file", r.from),
				zap.Errors("unusable", r.bad))
			m.recovered = append(m.recovered, r.from)
		}
	}
	if len(unusable) > 0 {
		m.degrade(unusable)
		return
	}
	gdoc, _ := parseGroups(l.groups.body)
	qdoc, _ := parseQueue(l.queue.body)
	ldoc, _ := parseLedger(l.ledger.body)
	m.nextSeq = max(gdoc.NextSeq, qdoc.NextSeq, ldoc.NextSeq)
	for _, mk := range ldoc.FCnt {
		m.marks[mk.KeyID] = max(m.marks[mk.KeyID], mk.Limit)
	}
	for _, r := range gdoc.Groups {
		g, _ := groupFromRec(r) // checked by parseGroups
		g.limit = max(g.limit, m.mark(g.p))
		g.next, g.floor = g.limit, g.limit
		m.raiseMark(g.p, g.limit)
		m.groups[g.id] = g
	}
	m.loadMessages(l, qdoc, ldoc)
}

// endAtLoad notes a message ended while loading (its report waits in
// m.early): the next queue write records it, so a crash before the ledger
// is rewritten does not end it twice.
func (m *Manager) endAtLoad(seq uint64) {
	m.ended = append(m.ended, seq)
	m.queueDirty, m.ledgerDirty = true, true
}

// stale says a file was not read from its current generation.
func stale(r genResult, current string) bool { return r.from != current }

// loadMessages rebuilds the queues from the queue file, checked against
// the ledger's list of accepted messages.
func (m *Manager) loadMessages(l loaded, qdoc queueDoc, ldoc ledgerDoc) {
	haveLedger := l.ledger.body != nil
	pending := map[uint64]pendingRef{}
	for _, p := range ldoc.Pending {
		pending[p.Seq] = p
	}
	sort.Slice(qdoc.Messages, func(i, j int) bool { return qdoc.Messages[i].Seq < qdoc.Messages[j].Seq })
	for _, msg := range qdoc.Messages {
		if msg.Seq >= m.nextSeq {
			m.nextSeq = msg.Seq + 1
		}
		if _, listed := pending[msg.Seq]; haveLedger && !listed && msg.Seq < ldoc.NextSeq {
			// An older queue generation than the ledger: this message
			// already ended (and was reported).
			m.queueDirty = true
			continue
		}
		delete(pending, msg.Seq)
		if msg.InFlight {
			msg.InFlight, msg.Duplicate = false, true
			m.queueDirty = true
		}
		g := m.groups[msg.Group]
		switch {
		case g == nil && l.groups.body == nil:
			m.early = append(m.early, refusedReport(msg, nil, CodeLost,
				"the multicast groups file was missing at start-up; the message was not sent"))
			m.lost++
			m.endAtLoad(msg.Seq)
			continue
		case g == nil || g.sess == nil:
			m.early = append(m.early, cancelledReport(msg, g, "its group or session was removed before a restart"))
			m.endAtLoad(msg.Seq)
			continue
		}
		m.msgs[msg.ID] = msg
		g.queue = append(g.queue, msg)
	}
	for _, seq := range qdoc.Ended {
		// Ended, and the ledger not yet told when the agent stopped.
		if _, ok := pending[seq]; ok {
			delete(pending, seq)
			m.ended = append(m.ended, seq)
			m.ledgerDirty = true
		}
	}
	for _, p := range pending {
		msg := &message{ID: p.ID, Group: p.Group, Seq: p.Seq}
		m.early = append(m.early, refusedReport(msg, m.groups[p.Group], CodeLost,
			"the multicast queue file lost the message (deleted, truncated or an older generation); it was not sent"))
		m.lost++
		m.endAtLoad(p.Seq)
	}
	if stale(l.ledger, m.st.path(ledgerFile)) && stale(l.queue, m.st.path(queueFile)) && m.nextSeq > 0 {
		// Messages were accepted once and neither the queue nor the
		// ledger is current: messages accepted after their older
		// generations may be gone without a trace.
		m.lossUnknown = true
	}
	if m.lost > 0 || m.lossUnknown {
		m.log.Error("multicast store: accepted messages were lost with the queue file",
			zap.Int("named", m.lost), zap.Bool("more_unknown", m.lossUnknown))
	}
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
	if g.next < g.floor {
		// Never below the high-water mark the group started from:
		// counters under it may have been used by an earlier group with
		// these keys.
		return 0, fmt.Errorf("group %s: frame counter %d is below the high-water mark %d", g.id, g.next, g.floor)
	}
	if g.next >= g.limit {
		old := g.limit
		g.limit = min(g.next+uint64(m.cfg.FCntReserve), 1<<32)
		// The ledger first: it keeps the mark if the groups file is lost.
		// A mark raised in memory and not written is harmless (higher).
		m.raiseMark(g.p, g.limit)
		if err := m.noteStorage(m.saveLedger()); err != nil {
			g.limit = old
			return 0, fmt.Errorf("reserve frame counters: %w", err)
		}
		if err := m.saveGroups(); err != nil {
			g.limit = old
			return 0, fmt.Errorf("reserve frame counters: %w", err)
		}
	}
	c := uint32(g.next)
	g.next++
	return c, nil
}
