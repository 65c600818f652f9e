// Package agent runs lgw: it opens the board, starts the concentrator,
// polls received packets, and wires the scheduler, multicast service, MQTT
// client and control socket together. Start-up is a list of named steps
// that return wrapped errors; shutdown runs them in reverse.
package agent

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/board"
	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/config"
	"github.com/lgwagent/lgw/control"
	"github.com/lgwagent/lgw/hal"
	lgwmqtt "github.com/lgwagent/lgw/mqtt"
	"github.com/lgwagent/lgw/multicast"
	"github.com/lgwagent/lgw/region"
	"github.com/lgwagent/lgw/scheduler"
	"github.com/lgwagent/lgw/systemd"
	"github.com/lgwagent/lgw/udp"
)

// Options are the agent's run-time dependencies.
type Options struct {
	// Clock is the time source (default the real clock).
	Clock clock.Clock
	// Log is the logger (default no logging) and Level its level handle.
	Log   *zap.Logger
	Level zap.AtomicLevel
	// Version is the build version reported in state and status.
	Version string
	// PollInterval is how often received packets are fetched (default
	// 10 ms).
	PollInterval time.Duration
	// Board overrides the board the configuration names (tests).
	Board *board.Board
	// Hardware, when set, is used instead of opening the board (tests and
	// the demo hand in their own simulator).
	Hardware *board.Hardware
}

// Agent is a running gateway.
type Agent struct {
	cfg    config.Config
	opts   Options
	log    *zap.Logger
	clk    clock.Clock
	region *region.Region
	board  *board.Board

	hw        board.Hardware
	conc      hal.Concentrator
	sched     *scheduler.Scheduler
	timeline  hal.Timeline
	gatewayID string
	chip      hal.ChipInfo
	started   time.Time

	rxOK, rxBad, rxNoCRC, rxErrors atomic.Uint64
	lastRX                         atomic.Int64 // unix ns
	lastRXLoop                     atomic.Int64 // unix ns of the last successful poll
	lastTX                         atomic.Int64 // unix ns of the last SENT
	running                        atomic.Bool

	mcast        multicast.API
	mqttStatus   func() control.MQTTStatus
	mqttCounters func() (published, dropped, reconnects uint64)
	events       hub
	ctl          *control.Server
	mc           *multicast.Manager
	mq           *lgwmqtt.Client
	udp          *udp.Service
	restartMu    sync.Mutex
	runCtx       context.Context
	mcSentMu     sync.Mutex
	mcSentBy     map[string]uint64

	mu      sync.Mutex
	uplinks []func(hal.RxPacket)
	wg      sync.WaitGroup
}

// New checks the configuration and prepares an agent; it opens nothing.
func New(cfg config.Config, opts Options) (*Agent, error) {
	if opts.Clock == nil {
		opts.Clock = clock.Real()
	}
	if opts.Log == nil {
		opts.Log = zap.NewNop()
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 10 * time.Millisecond
	}
	reg, err := region.Lookup(cfg.Gateway.Region)
	if err != nil {
		return nil, fmt.Errorf("agent: %w", err)
	}
	b := opts.Board
	if b == nil {
		if b, err = board.Lookup(cfg.Concentrator.Board); err != nil {
			return nil, fmt.Errorf("agent: %w", err)
		}
	}
	return &Agent{cfg: cfg, opts: opts, log: opts.Log, clk: opts.Clock, region: reg, board: b}, nil
}

// OnUplink registers f to receive every packet; call it before Run.
func (a *Agent) OnUplink(f func(hal.RxPacket)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.uplinks = append(a.uplinks, f)
}

// GatewayID returns the gateway ID (valid once Run has started the chip).
func (a *Agent) GatewayID() string { return a.gatewayID }

// Concentrator returns the running concentrator (nil before Run).
func (a *Agent) Concentrator() hal.Concentrator { return a.conc }

// Run starts everything, serves until ctx is cancelled, then stops
// everything in reverse order. It returns the first start-up error, or nil
// after a clean stop.
func (a *Agent) Run(ctx context.Context) error {
	notify := systemd.New(a.log.Named("systemd"))
	_ = notify.Status("starting the concentrator")
	if err := a.openConcentrator(ctx); err != nil {
		_ = notify.Status("failed: " + err.Error())
		return err
	}
	defer a.closeConcentrator()
	if err := a.startScheduler(ctx); err != nil {
		return err
	}
	defer a.sched.Stop()
	if err := a.startServices(ctx); err != nil {
		return err
	}
	defer a.stopServices()

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		a.rxLoop(runCtx)
	}()
	wd := systemd.NewWatchdog(notify, a.clk, a.log.Named("watchdog"),
		systemd.Probe{Name: "rx loop", Last: func() time.Time { return unixNano(a.lastRXLoop.Load()) }},
		systemd.Probe{Name: "scheduler", Last: a.sched.LastTick})
	if err := wd.Start(runCtx); err != nil {
		a.log.Warn("systemd watchdog", zap.Error(err))
	}
	defer wd.Stop()
	_ = notify.Ready()
	_ = notify.Status(fmt.Sprintf("running: %s on %s, gateway %s", a.chip.Model, a.board.Name, a.gatewayID))
	a.log.Info("lgw running", zap.String("gateway", a.gatewayID))

	<-ctx.Done()
	_ = notify.Stopping()
	a.log.Info("stopping")
	cancel()
	a.wg.Wait()
	return nil
}

func (a *Agent) openConcentrator(ctx context.Context) error {
	if a.opts.Hardware != nil {
		a.hw = *a.opts.Hardware
		if a.hw.Close == nil {
			a.hw.Close = func() error { return nil }
		}
	} else {
		c := a.cfg.Concentrator
		hw, err := a.board.Open(board.Params{
			Clock: a.clk, Log: a.log.Named("board"), Region: a.region,
			FirmwareDir: c.FirmwareDir, SPIDevice: c.SPIDevice, SPISpeed: c.SPISpeed,
			ResetLine: c.ResetLine, PowerLine: c.PowerLine, RSSIOffset: c.RSSIOffset, GPSDevice: c.GPSDevice,
			FineTimestamp: c.FineTimestamp,
			Sim: board.SimParams{Traffic: c.Sim.Traffic, PPM: c.Sim.PPM, GPS: c.Sim.GPS, GPSJitter: c.Sim.GPSJitter.D(),
				Latitude: a.cfg.Gateway.Latitude, Longitude: a.cfg.Gateway.Longitude, Altitude: a.cfg.Gateway.Altitude},
		})
		if err != nil {
			return fmt.Errorf("open board: %w", err)
		}
		a.hw = hw
	}
	a.conc = a.hw.Concentrator
	startCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := a.conc.Start(startCtx); err != nil {
		_ = a.hw.Close()
		return fmt.Errorf("start concentrator: %w", err)
	}
	chip, err := a.conc.Chip()
	if err != nil {
		a.closeConcentrator()
		return fmt.Errorf("read chip identity: %w", err)
	}
	a.chip = chip
	a.gatewayID = a.cfg.Gateway.ID
	if a.gatewayID == "" {
		a.gatewayID = chip.EUI.String()
	}
	if c, err := a.conc.Counter(); err == nil {
		a.timeline.Observe(c)
	}
	a.started = a.clk.Now()
	a.running.Store(true)
	a.log.Info("concentrator started", zap.String("board", a.board.Name), zap.String("chip", chip.Model),
		zap.String("eui", chip.EUI.String()), zap.Any("firmware", chip.Firmware),
		zap.String("gateway", a.gatewayID), zap.String("region", string(a.region.Name())))
	return nil
}

// startScheduler builds the TX scheduler on the started concentrator.
func (a *Agent) startScheduler(ctx context.Context) error {
	pp, err := scheduler.ParsePowerPolicy(a.cfg.Scheduler.PowerPolicy)
	if err != nil {
		return fmt.Errorf("scheduler: %w", err)
	}
	s, err := scheduler.New(scheduler.Config{
		Region: a.region, Capacity: a.cfg.Scheduler.Capacity, MinLead: a.cfg.Scheduler.MinLead.D(),
		MaxAdvance: a.cfg.Scheduler.MaxAdvance.D(), Holdover: a.cfg.Scheduler.Holdover.D(), PowerPolicy: pp,
		Beaconing: a.cfg.Scheduler.Beacons, Latitude: a.cfg.Gateway.Latitude, Longitude: a.cfg.Gateway.Longitude,
		GPS: a.hw.GPS,
	}, a.conc, a.clk, a.log.Named("scheduler"))
	if err != nil {
		return fmt.Errorf("scheduler: %w", err)
	}
	if err := s.Start(ctx); err != nil {
		return fmt.Errorf("scheduler: %w", err)
	}
	a.sched = s
	return nil
}

// Scheduler returns the running TX scheduler (nil before Run).
func (a *Agent) Scheduler() *scheduler.Scheduler { return a.sched }

func (a *Agent) closeConcentrator() {
	a.running.Store(false)
	if a.conc != nil {
		if err := a.conc.Stop(); err != nil {
			a.log.Error("stop concentrator", zap.Error(err))
		}
	}
	if a.hw.Close != nil {
		if err := a.hw.Close(); err != nil {
			a.log.Error("close board", zap.Error(err))
		}
	}
	a.log.Info("concentrator stopped")
}

// rxLoop fetches received packets every PollInterval and reads the counter
// every second so the timeline never misses a wrap. Errors are logged and
// counted; the loop keeps going.
func (a *Agent) rxLoop(ctx context.Context) {
	tick := a.clk.NewTicker(a.opts.PollInterval)
	defer tick.Stop()
	lastCounter := a.clk.Now()
	consecutive := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C():
		}
		now := a.clk.Now()
		if now.Sub(lastCounter) >= time.Second {
			lastCounter = now
			if c, err := a.conc.Counter(); err == nil {
				a.timeline.Observe(c)
			} else {
				a.log.Warn("read counter", zap.Error(err))
			}
		}
		pkts, err := a.conc.Receive()
		if err != nil {
			a.rxErrors.Add(1)
			consecutive++
			// Log the first failure and then every 100th, not every poll.
			if consecutive == 1 || consecutive%100 == 0 {
				a.log.Error("receive", zap.Error(err), zap.Int("consecutive", consecutive))
			}
			continue
		}
		if consecutive > 0 {
			a.log.Info("receive recovered", zap.Int("failed_polls", consecutive))
			consecutive = 0
		}
		a.lastRXLoop.Store(now.UnixNano())
		for _, p := range pkts {
			a.handleUplink(p, now)
		}
	}
}

func (a *Agent) handleUplink(p hal.RxPacket, now time.Time) {
	switch p.CRC {
	case hal.CRCOK:
		a.rxOK.Add(1)
	case hal.CRCBad:
		a.rxBad.Add(1)
	default:
		a.rxNoCRC.Add(1)
	}
	a.lastRX.Store(now.UnixNano())
	a.log.Info("uplink", zap.Float64("freq_mhz", float64(p.Frequency)/1e6), zap.String("datr", p.DataRate.Datr()),
		zap.Int("size", len(p.Payload)), zap.Stringer("crc", p.CRC), zap.Float32("rssi", p.RSSIChannel),
		zap.Float32("snr", p.SNR), zap.Uint32("tmst", uint32(p.Count)))
	a.publishUplink(p)
	a.mu.Lock()
	sinks := a.uplinks
	a.mu.Unlock()
	for _, f := range sinks {
		f(p)
	}
}

// RXCounts returns the received packets by CRC status and the failed polls.
func (a *Agent) RXCounts() (ok, bad, noCRC, errs uint64) {
	return a.rxOK.Load(), a.rxBad.Load(), a.rxNoCRC.Load(), a.rxErrors.Load()
}

// ErrStopped is returned by operations on an agent that is not running.
var ErrStopped = errors.New("agent not running")

// noteResult records what a transmission result means for status.
func (a *Agent) noteResult(r scheduler.Result) {
	if r.Code == scheduler.Sent {
		a.lastTX.Store(a.clk.Now().UnixNano())
	}
}

// mcSent returns how many messages of a group were sent.
func (a *Agent) mcSent(group string) uint64 {
	a.mcSentMu.Lock()
	defer a.mcSentMu.Unlock()
	return a.mcSentBy[group]
}

func zapString(k, v string) zap.Field { return zap.String(k, v) }
