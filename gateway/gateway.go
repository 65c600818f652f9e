// Package gateway is lgw's application core: the use cases every protocol
// adapter (MQTT, the control socket, Semtech UDP) calls, and the one event
// stream their outcomes leave on.
//
//	adapters (mqtt, control, udp) ──calls──▶ Gateway ──▶ multicast ──▶ scheduler ──▶ hal
//	adapters ◀──Subscribe (uplinks, reports, state)── Gateway ◀── RX loop ◀── hal
//
// The use cases: SendDownlink, the multicast operations, TestTx, one
// Snapshot for status and statistics, RestartConcentrator, SetLogLevel,
// and the single RX path. Every input is validated here, once, with
// ValidationExceptions naming the field, whichever adapter it came from.
//
// The core owns the multicast service; the composition root (package
// agent) opens the board, starts the concentrator and the scheduler, and
// hands them in.
package gateway

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/apierr"
	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/multicast"
	"github.com/lgwagent/lgw/region"
	"github.com/lgwagent/lgw/scheduler"
)

// ErrStopped is returned by operations on a gateway that is not running.
var ErrStopped = errors.New("gateway not running")

// Identity is who the gateway is, as state messages and status show it.
type Identity struct {
	GatewayID string
	Version   string
	// Board is the board profile name.
	Board string
	// Region is the region name (EU868...).
	Region string
	Chip   ChipInfo
}

// Location is where the gateway stands (degrees, metres).
type Location struct {
	Latitude, Longitude, Altitude float64
}

// Config is what the core is built from. The composition root fills it
// from the validated configuration and the started hardware.
type Config struct {
	Identity Identity
	Location Location
	// Region is the region the concentrator runs in (required).
	Region *region.Region
	// Concentrator is the started concentrator, Scheduler the started TX
	// scheduler on it (both required). HasGPS says a GPS feeds the
	// scheduler's time reference.
	Concentrator hal.Concentrator
	Scheduler    *scheduler.Scheduler
	HasGPS       bool
	// Multicast configures the multicast service the core opens at Start;
	// the core sets its Clock, Tx, Reports and Log.
	Multicast multicast.Config
	// Level is the log level handle SetLogLevel changes (default a new
	// one at info).
	Level zap.AtomicLevel
	// Clock is the time source (default clock.Real()); Log the logger
	// (default none).
	Clock clock.Clock
	Log   *zap.Logger
	// PollInterval is the RX poll period (default DefaultPollInterval).
	PollInterval time.Duration
}

// Gateway is the application core. Build it with New, start it with
// Start, end it with Stop; every use-case method may be called from any
// goroutine once Start has returned.
type Gateway struct {
	cfg   Config
	id    Identity
	clk   clock.Clock
	log   *zap.Logger
	conc  hal.Concentrator
	sched *scheduler.Scheduler
	mc    *multicast.Manager
	bus   bus

	started time.Time
	runCtx  context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup

	// up is set once Start has set mc, started and runCtx, which are
	// read only after ready() has seen it.
	up        atomic.Bool
	running   atomic.Bool
	restartMu sync.Mutex
	rx        rxCounters
	lastTX    atomic.Int64 // unix ns of the last SENT

	mcSentMu sync.Mutex
	mcSentBy map[string]uint64

	// unicastDone is every SendDownlink's Done: one func for all, so a
	// queued downlink holds no closure of its own (the Result carries its
	// MessageId and origin).
	unicastDone func(scheduler.Result)

	adaptersMu sync.Mutex
	adapters   []adapterEntry
}

// New checks cfg and builds a stopped core.
func New(cfg Config) (*Gateway, error) {
	if cfg.Region == nil || cfg.Concentrator == nil || cfg.Scheduler == nil {
		return nil, errors.New("gateway: region, concentrator and scheduler are required")
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real()
	}
	if cfg.Log == nil {
		cfg.Log = zap.NewNop()
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = DefaultPollInterval
	}
	if cfg.Level == (zap.AtomicLevel{}) {
		cfg.Level = zap.NewAtomicLevel()
	}
	g := &Gateway{cfg: cfg, id: cfg.Identity, clk: cfg.Clock, log: cfg.Log, conc: cfg.Concentrator,
		sched: cfg.Scheduler}
	g.unicastDone = func(r scheduler.Result) { g.reportUnicast(r.Ref, r.Origin, r) }
	return g, nil
}

// Start opens and starts the multicast service and the RX loop. The
// concentrator and the scheduler must already run.
func (g *Gateway) Start(ctx context.Context) error {
	mcfg := g.cfg.Multicast
	mcfg.Clock, mcfg.Tx, mcfg.Reports, mcfg.Log = g.clk, g.sched, g.onMulticastReport, g.log.Named("multicast")
	mcfg.OnHealth = func(h StoreHealth) {
		g.emit(Event{Kind: EventState, State: &StateChange{Reason: "storage", Storage: &h}})
	}
	m, err := multicast.Open(mcfg)
	if err != nil {
		return fmt.Errorf("multicast: %w", err)
	}
	if err := m.Start(ctx); err != nil {
		m.Stop()
		return fmt.Errorf("multicast: %w", err)
	}
	g.mc = m
	g.started = g.clk.Now()
	g.runCtx, g.cancel = context.WithCancel(ctx)
	g.running.Store(true)
	g.up.Store(true)
	g.emitState("running", "start")
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		g.rxLoop(g.runCtx)
	}()
	return nil
}

// Stop ends the RX loop and the multicast service and closes every
// subscription. It does not stop the concentrator or the scheduler (the
// composition root owns them).
func (g *Gateway) Stop() {
	g.up.Store(false)
	if g.cancel != nil {
		g.cancel()
	}
	g.wg.Wait()
	if g.mc != nil {
		g.mc.Stop()
	}
	g.running.Store(false)
	g.bus.close()
}

// Identity returns who the gateway is.
func (g *Gateway) Identity() Identity { return g.id }

// GatewayID returns the gateway ID (16 lowercase hex digits).
func (g *Gateway) GatewayID() string { return g.id.GatewayID }

// Subscribe opens a subscription to the event stream with a buffer of
// size events (0: DefaultSubscriptionSize). Subscribe before Start to see
// every event; a subscriber that falls behind loses events, counted in
// its Dropped, and never slows the core or the other subscribers.
func (g *Gateway) Subscribe(name string, size int) *Subscription {
	return g.bus.subscribe(name, size)
}

func (g *Gateway) emit(ev Event) {
	if ev.Time.IsZero() {
		ev.Time = g.clk.Now()
	}
	g.bus.publish(ev)
}

func (g *Gateway) emitState(conc, reason string) {
	g.emit(Event{Kind: EventState, State: &StateChange{Concentrator: conc, Reason: reason}})
}

// StoreHealth returns the multicast store's condition (ok before Start).
func (g *Gateway) StoreHealth() StoreHealth {
	if m := g.mc; m != nil && g.up.Load() {
		return m.Health()
	}
	return StoreHealth{Storage: multicast.StorageOK}
}

// ResetMulticastStore clears the multicast service's degraded mode: the
// unreadable store files are moved aside and the service starts with what
// is left (a management operation).
func (g *Gateway) ResetMulticastStore(ctx context.Context) (ResetStoreOutput, error) {
	if err := g.ready("multicast"); err != nil {
		return ResetStoreOutput{}, err
	}
	return g.mc.ResetMulticastStore(ctx)
}

// SetLogLevel changes the log level: debug, info, warn or error.
func (g *Gateway) SetLogLevel(ctx context.Context, level string) error {
	l, err := ParseLogLevel("Level", level)
	if err != nil {
		return err
	}
	g.cfg.Level.SetLevel(l)
	g.log.Info("log level changed", zap.String("level", level))
	return nil
}

// LogLevel returns the current log level.
func (g *Gateway) LogLevel() string { return g.cfg.Level.Level().String() }

// RestartConcentrator stops and starts the concentrator and the scheduler
// on it; queued transmissions end with TX_FAILED.
func (g *Gateway) RestartConcentrator(ctx context.Context) error {
	if err := g.restart(ctx); err != nil {
		return apierr.Wrap(apierr.InternalServer, err, "restart concentrator")
	}
	return nil
}

func (g *Gateway) restart(ctx context.Context) error {
	g.restartMu.Lock()
	defer g.restartMu.Unlock()
	if !g.up.Load() {
		return ErrStopped
	}
	g.log.Warn("restarting the concentrator")
	g.sched.Stop()
	g.running.Store(false)
	g.emitState("stopped", "restart")
	if err := g.conc.Stop(); err != nil {
		g.log.Error("stop concentrator", zap.Error(err))
	}
	startCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := g.conc.Start(startCtx); err != nil {
		return fmt.Errorf("start concentrator: %w", err)
	}
	g.running.Store(true)
	if err := g.sched.Start(g.runCtx); err != nil {
		return fmt.Errorf("start scheduler: %w", err)
	}
	g.emitState("running", "restart")
	g.log.Info("concentrator restarted")
	return nil
}

// noteResult records what a transmission result means for status.
func (g *Gateway) noteResult(r TxResult) {
	if r.Code == scheduler.Sent {
		g.lastTX.Store(g.clk.Now().UnixNano())
	}
}
