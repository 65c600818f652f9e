// Package agent is lgw's composition root: it opens the board, starts the
// concentrator and the TX scheduler, builds the application core (package
// gateway) on them and attaches the adapters (MQTT, the control socket).
// Start-up is a list of named steps that return wrapped errors; shutdown
// runs them in reverse. The use cases live in gateway, not here.
package agent

import (
	"context"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/board"
	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/config"
	"github.com/lgwagent/lgw/control"
	"github.com/lgwagent/lgw/gateway"
	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/mqtt"
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
	// PollInterval is the RX poll period (default
	// gateway.DefaultPollInterval).
	PollInterval time.Duration
	// Board overrides the board the configuration names (tests).
	Board *board.Board
	// Hardware, when set, is used instead of opening the board (tests and
	// the demo hand in their own simulator).
	Hardware *board.Hardware
}

// Agent is a gateway being run.
type Agent struct {
	cfg    config.Config
	opts   Options
	log    *zap.Logger
	clk    clock.Clock
	region *region.Region
	board  *board.Board

	hw    board.Hardware
	conc  hal.Concentrator
	chip  hal.ChipInfo
	sched *scheduler.Scheduler
	gw    *gateway.Gateway
	mq    *mqtt.Adapter
	// udp and the subscription it reads (nil without [[forwarder]]).
	udp       *udp.Service
	udpEvents *gateway.Subscription
	ctl       *control.Server
	ready     chan struct{}
}

// New checks the configuration (with config.Validate, as `lgw config
// check` does) and prepares an agent; it opens nothing.
func New(cfg config.Config, opts Options) (*Agent, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("agent: %w", err)
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real()
	}
	if opts.Log == nil {
		opts.Log = zap.NewNop()
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
	if err := b.CheckSPISpeed(cfg.Concentrator.SPISpeed); err != nil {
		return nil, fmt.Errorf("agent: %w", err)
	}
	return &Agent{cfg: cfg, opts: opts, log: opts.Log, clk: opts.Clock, region: reg, board: b,
		ready: make(chan struct{})}, nil
}

// Ready is closed once Run has started everything.
func (a *Agent) Ready() <-chan struct{} { return a.ready }

// Gateway returns the application core (valid once Ready is closed).
func (a *Agent) Gateway() *gateway.Gateway { return a.gw }

// GatewayID returns the gateway ID (valid once Ready is closed).
func (a *Agent) GatewayID() string { return a.gw.GatewayID() }

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
	if err := a.buildCore(); err != nil {
		return err
	}
	// The adapters subscribe to the core's events before it starts, so
	// they see every report; they take requests once it runs.
	if err := a.buildAdapters(); err != nil {
		return err
	}
	if err := a.gw.Start(ctx); err != nil {
		return fmt.Errorf("gateway: %w", err)
	}
	defer a.gw.Stop()
	defer a.stopAdapters()
	if err := a.startAdapters(ctx); err != nil {
		return err
	}

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	wd := systemd.NewWatchdog(notify, a.clk, a.log.Named("watchdog"),
		systemd.Probe{Name: "rx loop", Last: a.gw.LastRXLoop},
		systemd.Probe{Name: "scheduler", Last: a.sched.LastTick})
	if err := wd.Start(runCtx); err != nil {
		a.log.Warn("systemd watchdog", zap.Error(err))
	}
	defer wd.Stop()
	_ = notify.Ready()
	_ = notify.Status(fmt.Sprintf("running: %s on %s, gateway %s", a.chip.Model, a.board.Name, a.gw.GatewayID()))
	a.log.Info("lgw running", zap.String("gateway", a.gw.GatewayID()))
	close(a.ready)

	<-ctx.Done()
	_ = notify.Stopping()
	a.log.Info("stopping")
	return nil
}

func (a *Agent) openConcentrator(ctx context.Context) error {
	if a.opts.Hardware != nil {
		a.hw = *a.opts.Hardware
		if a.hw.Close == nil {
			a.hw.Close = func() error { return nil }
		}
	} else {
		params, err := a.boardParams()
		if err != nil {
			return fmt.Errorf("open board: %w", err)
		}
		hw, err := a.board.Open(params)
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
		a.conc = nil
		return fmt.Errorf("start concentrator: %w", err)
	}
	chip, err := a.conc.Chip()
	if err != nil {
		a.closeConcentrator()
		return fmt.Errorf("read chip identity: %w", err)
	}
	a.chip = chip
	a.log.Info("concentrator started", zap.String("board", a.board.Name), zap.String("chip", chip.Model),
		zap.String("eui", chip.EUI.String()), zap.Any("firmware", chip.Firmware),
		zap.String("gateway", a.gatewayID()), zap.String("region", string(a.region.Name())))
	return nil
}

// boardParams are the board's parameters from the configuration.
func (a *Agent) boardParams() (board.Params, error) {
	c, g := a.cfg.Concentrator, a.cfg.Gateway
	plan, err := a.cfg.ChannelSpec()
	if err != nil {
		return board.Params{}, err
	}
	return board.Params{
		Clock: a.clk, Log: a.log.Named("board"), Region: a.region, Channels: &plan,
		FirmwareDir: c.FirmwareDir, SPIDevice: c.SPIDevice, SPISpeed: c.SPISpeed,
		ResetLine: c.ResetLine, PowerLine: c.PowerLine, RSSIOffset: c.RSSIOffset, GPSDevice: c.GPSDevice,
		FineTimestamp: c.FineTimestamp, Temperature: c.Temperature,
		Sim: board.SimParams{Traffic: c.Sim.Traffic, PPM: c.Sim.PPM, GPS: c.Sim.GPS, GPSJitter: c.Sim.GPSJitter.D(),
			Latitude: g.Latitude, Longitude: g.Longitude, Altitude: g.Altitude},
	}, nil
}

// gatewayID is the configured ID, or the chip's EUI.
func (a *Agent) gatewayID() string {
	if a.cfg.Gateway.ID != "" {
		return a.cfg.Gateway.ID
	}
	return a.chip.EUI.String()
}

// startScheduler builds the TX scheduler on the started concentrator.
func (a *Agent) startScheduler(ctx context.Context) error {
	sc, err := a.cfg.SchedulerConfig(a.region)
	if err != nil {
		return fmt.Errorf("scheduler: %w", err)
	}
	sc.GPS = a.hw.GPS
	s, err := scheduler.New(sc, a.conc, a.clk, a.log.Named("scheduler"))
	if err != nil {
		return fmt.Errorf("scheduler: %w", err)
	}
	if err := s.Start(ctx); err != nil {
		return fmt.Errorf("scheduler: %w", err)
	}
	a.sched = s
	return nil
}

// buildCore builds the application core on the running hardware.
func (a *Agent) buildCore() error {
	g := a.cfg.Gateway
	gw, err := gateway.New(gateway.Config{
		Identity: gateway.Identity{GatewayID: a.gatewayID(), Version: a.opts.Version, Board: a.board.Name,
			Region: string(a.region.Name()), Chip: a.chip},
		Location: gateway.Location{Latitude: g.Latitude, Longitude: g.Longitude, Altitude: g.Altitude},
		Region:   a.region, Concentrator: a.conc, Scheduler: a.sched, HasGPS: a.hw.GPS != nil,
		Multicast: a.cfg.MulticastService(),
		Level:     a.opts.Level, Clock: a.clk, Log: a.log, PollInterval: a.opts.PollInterval,
	})
	if err != nil {
		return fmt.Errorf("gateway: %w", err)
	}
	a.gw = gw
	return nil
}

// buildAdapters attaches the MQTT client (when enabled), the UDP
// forwarders (when configured) and the control socket to the core; they
// connect and listen in startAdapters.
func (a *Agent) buildAdapters() error {
	if a.cfg.MQTT.Enabled {
		mq, err := mqtt.NewAdapter(a.cfg.MQTTClient(), a.gw, a.clk, a.log)
		if err != nil {
			return fmt.Errorf("mqtt: %w", err)
		}
		a.mq = mq
	}
	if err := a.buildUDP(); err != nil {
		return err
	}
	a.ctl = control.NewServer(a.cfg.Control.Socket, a.cfg.Control.Group, control.Over(a.gw), a.log.Named("control"),
		control.WithClock(a.clk))
	return nil
}

// startAdapters starts them.
func (a *Agent) startAdapters(ctx context.Context) error {
	if a.mq != nil {
		if err := a.mq.Start(ctx); err != nil {
			return err
		}
	}
	if a.udp != nil {
		if err := a.udp.Start(ctx, a.udpEvents.C); err != nil {
			return fmt.Errorf("udp: %w", err)
		}
	}
	if err := a.ctl.Start(ctx); err != nil {
		return fmt.Errorf("control socket: %w", err)
	}
	return nil
}

// stopAdapters stops them in reverse order.
func (a *Agent) stopAdapters() {
	a.ctl.Stop()
	if a.udp != nil {
		a.udp.Stop()
	}
	if a.mq != nil {
		a.mq.Stop()
	}
}

func (a *Agent) closeConcentrator() {
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
