package multicast

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/apierr"
	"github.com/lgwagent/lgw/scheduler"
	"github.com/lgwagent/lgw/strictjson"
)

// Manager keeps the multicast groups, their sessions and queued messages,
// persists them in the storage directory and feeds the scheduler. It
// implements API. Use Open, then Start; Stop waits for its goroutine.
type Manager struct {
	cfg  Config
	tx   Transmitter
	log  *zap.Logger
	lock *os.File

	mu          sync.Mutex
	st          *store
	groups      map[string]*group
	msgs        map[string]*message
	flights     map[string]*flight
	marks       map[string]uint64 // frame-counter high-water marks by keyID
	nextSeq     uint64
	attempts    uint64
	queueDirty  bool
	ledgerDirty bool
	// ended lists the messages ended since the ledger was last written;
	// the queue file carries it, so a crash between the two writes is not
	// taken for a lost message.
	ended   []uint64
	running bool
	stopped bool
	// Store health: degraded when a file has no readable generation;
	// storage the condition of the last write.
	degraded    *degradedState
	storage     string
	storageErr  error
	lastWarn    time.Time
	recovered   []string
	lost        int
	lossUnknown bool
	// early holds reports made while loading, delivered on the first pass.
	early []Report

	// resMu guards results, the scheduler's results not yet processed. It
	// is the only lock Done takes (see doneFunc) and is never held while
	// calling the scheduler or taking mu.
	resMu   sync.Mutex
	results []doneItem

	kick    chan struct{}
	barrier chan chan struct{}
	quit    chan struct{}
	wg      sync.WaitGroup
}

// flight is a message handed to the scheduler.
type flight struct {
	msg     *message
	g       *group
	attempt uint64
	// requeue: a Cancelled result puts the message back in its queue (the
	// session was replaced) instead of ending it.
	requeue bool
	// slot is the class B ping slot asked for.
	slot time.Duration
}

type doneItem struct {
	ref     string
	attempt uint64
	res     scheduler.Result
}

// Open validates cfg, locks and reads the storage directory and returns a
// stopped manager. A store that cannot be read does not fail Open: the
// manager then runs degraded (see Health) and refuses every operation, so
// the rest of the gateway keeps working. Only a bad configuration or
// another process holding the directory's lock is an error.
func Open(cfg Config) (*Manager, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("multicast config: %w", err)
	}
	if cfg.Tx == nil {
		return nil, errors.New("multicast config: Tx is required")
	}
	cfg.setDefaults()
	m := &Manager{
		cfg: cfg, tx: cfg.Tx, log: cfg.Log, st: newStore(cfg.FS, cfg.Dir), storage: StorageOK,
		groups: map[string]*group{}, msgs: map[string]*message{}, flights: map[string]*flight{}, marks: map[string]uint64{},
		kick: make(chan struct{}, 1), barrier: make(chan chan struct{}), quit: make(chan struct{}),
	}
	if err := cfg.FS.MkdirAll(cfg.Dir); err != nil {
		m.degrade([]error{fmt.Errorf("create %s: %w", cfg.Dir, err)})
		m.storage = storageCondition(err)
		return m, nil
	}
	if _, osfs := cfg.FS.(OSFS); osfs {
		lk, err := lockDir(filepath.Join(cfg.Dir, lockFile))
		if err != nil {
			return nil, err
		}
		m.lock = lk
	}
	m.st.removeStaleTemp()
	m.load()
	return m, nil
}

// Start arms the session timers and starts the goroutine that feeds the
// scheduler and delivers reports.
func (m *Manager) Start(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("multicast start: %w", err)
	}
	m.mu.Lock()
	if m.running || m.stopped {
		m.mu.Unlock()
		return fmt.Errorf("multicast start: already started or stopped")
	}
	m.running = true
	for _, g := range m.groups {
		m.armSession(g)
	}
	m.mu.Unlock()
	m.wg.Add(1)
	go m.run(ctx)
	m.poke()
	return nil
}

// Stop stops the goroutine and the timers, withdraws from the scheduler
// the messages it has not yet handed to the chip (they stay queued, not
// duplicates) and releases the storage directory. Messages the chip may
// already have are sent again as duplicates after the next Open.
func (m *Manager) Stop() {
	m.mu.Lock()
	if m.stopped {
		m.mu.Unlock()
		return
	}
	m.stopped = true
	wasRunning := m.running
	m.running = false
	m.mu.Unlock()
	if wasRunning {
		close(m.quit)
		m.wg.Wait()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, g := range m.groups {
		stopTimers(g)
	}
	for ref, f := range m.flights {
		if m.tx.Cancel(ref) {
			f.msg.InFlight = false
			m.queueDirty = true
		}
	}
	if m.queueDirty && m.degraded == nil {
		if err := m.saveQueue(); err != nil {
			m.log.Error("multicast: save queue at stop", zap.Error(err))
		}
	}
	if m.lock != nil {
		m.lock.Close()
	}
}

// Settle waits until the manager has handled every event (timer, scheduler
// result, API call) that happened before the call. Tests use it between
// steps of a virtual clock.
func (m *Manager) Settle(ctx context.Context) error {
	ch := make(chan struct{})
	select {
	case m.barrier <- ch:
	case <-ctx.Done():
		return ctx.Err()
	case <-m.quit:
		return fmt.Errorf("multicast: stopped")
	}
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Pending returns the number of accepted messages not yet ended.
func (m *Manager) Pending() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.msgs)
}

func (m *Manager) poke() {
	select {
	case m.kick <- struct{}{}:
	default:
	}
}

func (m *Manager) run(ctx context.Context) {
	defer m.wg.Done()
	for {
		select {
		case <-ctx.Done():
			return
		case <-m.quit:
			return
		case <-m.kick:
			m.process()
		case ch := <-m.barrier:
			m.process()
			close(ch)
		}
	}
}

// newID returns a random UUID (version 4).
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func notFound(id string) error {
	return apierr.Newf(apierr.ResourceNotFound, "Id", "multicast group %q does not exist", id)
}

// CreateMulticastGroup creates a group. Creating an existing Id with the
// same parameters succeeds again; with other parameters it is a conflict.
func (m *Manager) CreateMulticastGroup(ctx context.Context, in CreateGroupInput) (CreateGroupOutput, error) {
	if err := m.refusing(); err != nil {
		return CreateGroupOutput{}, err
	}
	p, err := m.parseGroup(in.LoRaWAN)
	if err != nil {
		return CreateGroupOutput{}, err
	}
	id := in.Id
	if id == "" {
		id = newID()
	} else if err := checkID(id); err != nil {
		return CreateGroupOutput{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.checkOpen(); err != nil {
		return CreateGroupOutput{}, err
	}
	if g, ok := m.groups[id]; ok {
		if g.p.equal(p) {
			return CreateGroupOutput{Id: id}, nil
		}
		return CreateGroupOutput{}, apierr.Newf(apierr.Conflict, "Id", "multicast group %q exists with other parameters", id)
	}
	if err := m.checkAddrFree(id, p.addr); err != nil {
		return CreateGroupOutput{}, err
	}
	start := max(uint64(p.fcnt), m.mark(p))
	if start > uint64(p.fcnt) {
		m.log.Warn("multicast group starts above its requested FCnt: these keys used counters up to there before",
			zap.String("id", id), zap.Uint32("requested", p.fcnt), zap.Uint64("next", start))
	}
	g := &group{id: id, p: p, next: start, limit: start, floor: start}
	m.groups[id] = g
	if err := m.saveGroups(); err != nil {
		delete(m.groups, id)
		return CreateGroupOutput{}, apierr.Wrap(apierr.InternalServer, err, "store group")
	}
	m.log.Info("multicast group created", zap.String("id", id), zap.String("class", p.class),
		zap.String("region", string(p.region.Name())))
	return CreateGroupOutput{Id: id}, nil
}

// parseGroup checks a group's settings, and its region against the
// gateway's.
func (m *Manager) parseGroup(in GroupLoRaWAN) (groupParams, error) {
	p, err := parseGroup(in)
	if err != nil {
		return p, err
	}
	if m.cfg.Region != "" && string(p.region.Name()) != m.cfg.Region {
		return p, apierr.Newf(apierr.Validation, "LoRaWAN.RfRegion", "%s: this gateway transmits in %s only", p.region.Name(), m.cfg.Region)
	}
	return p, nil
}

func (m *Manager) checkAddrFree(id string, addr [4]byte) error {
	for _, o := range m.groups {
		if o.id != id && o.p.addr == addr {
			return apierr.Newf(apierr.Conflict, "LoRaWAN.McAddr", "%x is the address of group %q", addr, o.id)
		}
	}
	return nil
}

func (m *Manager) groupOutput(g *group, now time.Time) GroupOutput {
	st := "NoSession"
	if g.sess != nil {
		st = sessionState(g.sess, now)
	}
	return GroupOutput{Id: g.id, Status: st, LoRaWAN: GroupLoRaWANOutput{
		RfRegion: string(g.p.region.Name()), DlClass: g.p.class, McAddr: normHex(g.p.addr[:]),
		HasKeys: g.p.hasKeys, NextFCnt: uint32(g.next)}}
}

func sessionState(s *sessionParams, now time.Time) string {
	switch {
	case now.Before(s.Start):
		return StateScheduled
	case now.Before(s.end()):
		return StateActive
	}
	return StateEnded
}

// GetMulticastGroup returns a group without its keys.
func (m *Manager) GetMulticastGroup(ctx context.Context, in GroupIDInput) (GroupOutput, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.degraded != nil {
		return GroupOutput{}, m.checkOpen()
	}
	g, ok := m.groups[in.Id]
	if !ok {
		return GroupOutput{}, notFound(in.Id)
	}
	return m.groupOutput(g, m.cfg.Clock.Now()), nil
}

// ListMulticastGroups lists the groups by Id.
func (m *Manager) ListMulticastGroups(ctx context.Context) (ListGroupsOutput, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.degraded != nil {
		return ListGroupsOutput{}, m.checkOpen()
	}
	out := ListGroupsOutput{List: []GroupOutput{}}
	now := m.cfg.Clock.Now()
	for _, g := range m.sortedGroups() {
		out.List = append(out.List, m.groupOutput(g, now))
	}
	return out, nil
}

// DeleteMulticastGroup deletes a group; its session is cancelled and its
// queued messages end as CANCELLED.
func (m *Manager) DeleteMulticastGroup(ctx context.Context, in GroupIDInput) error {
	m.mu.Lock()
	if err := m.checkOpen(); err != nil {
		m.mu.Unlock()
		return err
	}
	g, ok := m.groups[in.Id]
	if !ok {
		m.mu.Unlock()
		return notFound(in.Id)
	}
	delete(m.groups, in.Id)
	if err := m.saveGroups(); err != nil {
		m.groups[in.Id] = g
		m.mu.Unlock()
		return apierr.Wrap(apierr.InternalServer, err, "store groups")
	}
	reps := m.endSession(g, "its group was deleted")
	m.mu.Unlock()
	m.deliver(reps)
	m.poke()
	return nil
}

// StartMulticastGroupSession schedules the group's session; a new schedule
// replaces the previous one. Queued messages wait for the new start.
func (m *Manager) StartMulticastGroupSession(ctx context.Context, in StartSessionInput) (SessionOutput, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.checkOpen(); err != nil {
		return SessionOutput{}, err
	}
	g, ok := m.groups[in.Id]
	if !ok {
		return SessionOutput{}, notFound(in.Id)
	}
	now := m.cfg.Clock.Now()
	s, err := parseSession(in.LoRaWAN, g.p.region, g.p.class, g.p.addr, now, &m.cfg)
	if err != nil {
		return SessionOutput{}, err
	}
	old := g.sess
	g.sess = &s
	if err := m.saveGroups(); err != nil {
		g.sess = old
		return SessionOutput{}, apierr.Wrap(apierr.InternalServer, err, "store session")
	}
	stopTimers(g)
	if g.inflight != nil {
		if f := m.flights[g.inflight.ID]; f != nil {
			f.requeue = true
			m.tx.Cancel(g.inflight.ID)
		}
	}
	g.retryAt = time.Time{}
	for _, msg := range g.queue {
		msg.notBefore = 0
	}
	m.armSession(g)
	m.log.Info("multicast session scheduled", zap.String("id", g.id), zap.Time("start", s.Start),
		zap.Int("timeout_s", s.Timeout), zap.Int("dr", s.DlDr), zap.Uint32("freq", s.DlFreq))
	return SessionOutput{Id: g.id, LoRaWAN: s.output(), State: sessionState(&s, now)}, nil
}

// GetMulticastGroupSession returns the effective schedule and its state.
// A group without a session is ResourceNotFound.
func (m *Manager) GetMulticastGroupSession(ctx context.Context, in GroupIDInput) (SessionOutput, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.degraded != nil {
		return SessionOutput{}, m.checkOpen()
	}
	g, ok := m.groups[in.Id]
	if !ok {
		return SessionOutput{}, notFound(in.Id)
	}
	if g.sess == nil {
		return SessionOutput{}, apierr.Newf(apierr.ResourceNotFound, "Id", "multicast group %q has no session", in.Id)
	}
	return SessionOutput{Id: g.id, LoRaWAN: g.sess.output(), State: sessionState(g.sess, m.cfg.Clock.Now())}, nil
}

// CancelMulticastGroupSession removes the group's session; its queued
// messages end as CANCELLED.
func (m *Manager) CancelMulticastGroupSession(ctx context.Context, in GroupIDInput) error {
	m.mu.Lock()
	if err := m.checkOpen(); err != nil {
		m.mu.Unlock()
		return err
	}
	g, ok := m.groups[in.Id]
	if !ok {
		m.mu.Unlock()
		return notFound(in.Id)
	}
	if g.sess == nil {
		m.mu.Unlock()
		return apierr.Newf(apierr.ResourceNotFound, "Id", "multicast group %q has no session", in.Id)
	}
	old := g.sess
	g.sess = nil
	if err := m.saveGroups(); err != nil {
		g.sess = old
		m.mu.Unlock()
		return apierr.Wrap(apierr.InternalServer, err, "store session")
	}
	reps := m.endSession(g, "its session was cancelled")
	m.mu.Unlock()
	m.deliver(reps)
	m.poke()
	return nil
}

// DeleteMulticastGroupSession is CancelMulticastGroupSession under the
// seed guide's name.
func (m *Manager) DeleteMulticastGroupSession(ctx context.Context, in GroupIDInput) error {
	return m.CancelMulticastGroupSession(ctx, in)
}

// endSession stops a group's timers, withdraws its message in flight and
// ends its queued messages as cancelled. Callers hold m.mu and persist.
func (m *Manager) endSession(g *group, why string) []Report {
	stopTimers(g)
	var reps []Report
	kept := g.queue[:0]
	for _, msg := range g.queue {
		if msg == g.inflight {
			kept = append(kept, msg)
			continue
		}
		reps = append(reps, cancelledReport(msg, g, why))
		delete(m.msgs, msg.ID)
		m.ended = append(m.ended, msg.Seq)
		m.queueDirty, m.ledgerDirty = true, true
	}
	g.queue = kept
	if g.inflight != nil {
		if f := m.flights[g.inflight.ID]; f != nil {
			f.requeue = false
			m.tx.Cancel(g.inflight.ID)
		}
	}
	if m.queueDirty && m.degraded == nil {
		_ = m.saveQueue() // a failure stays dirty; noteStorage logged it
	}
	return reps
}

// SendDataToMulticastGroup accepts a downlink for the group's session. It
// is stored before the MessageId is returned.
func (m *Manager) SendDataToMulticastGroup(ctx context.Context, in SendDataInput) (SendDataOutput, error) {
	if err := m.refusing(); err != nil {
		return SendDataOutput{}, err
	}
	if in.PayloadData == "" || len(in.PayloadData) > MaxPayloadDataChars {
		return SendDataOutput{}, apierr.Newf(apierr.Validation, "PayloadData", "want 1 to %d base64 characters", MaxPayloadDataChars)
	}
	data, err := strictjson.Base64("PayloadData", in.PayloadData)
	if err != nil {
		return SendDataOutput{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.checkOpen(); err != nil {
		return SendDataOutput{}, err
	}
	g, ok := m.groups[in.Id]
	if !ok {
		return SendDataOutput{}, notFound(in.Id)
	}
	now := m.cfg.Clock.Now()
	if g.sess == nil {
		return SendDataOutput{}, apierr.Newf(apierr.Conflict, "Id", "multicast group %q has no session", g.id)
	}
	if sessionState(g.sess, now) == StateEnded {
		return SendDataOutput{}, apierr.Newf(apierr.Conflict, "Id", "the session of multicast group %q ended at %s",
			g.id, g.sess.end().Format(time.RFC3339))
	}
	n, err := maxPayload(g.p.region, g.sess.DlDr)
	if err != nil {
		return SendDataOutput{}, apierr.Wrap(apierr.InternalServer, err, "payload size")
	}
	fp := in.WirelessMetadata.LoRaWAN.FPort
	msg := &message{ID: newID(), Group: g.id, Payload: data}
	if g.p.hasKeys {
		if fp == nil {
			return SendDataOutput{}, apierr.Newf(apierr.Validation, "WirelessMetadata.LoRaWAN.FPort", "is required")
		}
		if err := checkFPort(*fp); err != nil {
			return SendDataOutput{}, err
		}
		if len(data) > n {
			return SendDataOutput{}, apierr.Newf(apierr.Validation, "PayloadData", "%d bytes exceed %d, the most at DR%d in %s",
				len(data), n, g.sess.DlDr, g.p.region.Name())
		}
		msg.FPort = *fp
	} else {
		rf, err := parseReadyFrame(data, g.p.addr, n)
		if err != nil {
			return SendDataOutput{}, err
		}
		if fp != nil {
			if err := checkFPort(*fp); err != nil {
				return SendDataOutput{}, err
			}
			if *fp != rf.fport {
				return SendDataOutput{}, apierr.Newf(apierr.Validation, "WirelessMetadata.LoRaWAN.FPort", "%d differs from the frame's FPort %d", *fp, rf.fport)
			}
		}
		msg.FPort, msg.FCnt = rf.fport, rf.fcnt
	}
	if len(g.queue) >= m.cfg.MaxQueue {
		return SendDataOutput{}, apierr.Newf(apierr.Throttling, "Id", "multicast group %q has %d messages queued (the most)", g.id, len(g.queue))
	}
	msg.Seq = m.nextSeq
	m.nextSeq++
	m.msgs[msg.ID] = msg
	g.queue = append(g.queue, msg)
	m.ledgerDirty = true
	if err := m.saveQueue(); err != nil {
		delete(m.msgs, msg.ID)
		g.queue = g.queue[:len(g.queue)-1]
		return SendDataOutput{}, apierr.Wrap(apierr.InternalServer, err, "store message")
	}
	m.poke()
	return SendDataOutput{MessageId: msg.ID}, nil
}

var _ API = (*Manager)(nil)

// Queued returns how many messages of a group wait to be sent, the one in
// flight included (0 for an unknown group).
func (m *Manager) Queued(id string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	if g, ok := m.groups[id]; ok {
		return len(g.queue)
	}
	return 0
}
