package multicast

import (
	"context"
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
	g, err := m.lockGroup(in.Id)
	if err != nil {
		return SendDataOutput{}, err
	}
	defer m.mu.Unlock()
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
		rf, err := parseReadyFrame(data, g.p, n)
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
