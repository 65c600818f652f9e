// Package systemd tells systemd how lgw is doing over the sd_notify
// protocol: READY once the concentrator runs, STOPPING on shutdown, STATUS
// lines, and watchdog pings sent only while the parts that must make
// progress (the RX loop, the scheduler) do. Every call is a no-op when
// NOTIFY_SOCKET is unset (not started by systemd, or in tests).
package systemd

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-systemd/v22/daemon"
	"go.uber.org/zap"

	"github.com/lgwagent/lgw/clock"
)

// Notifier sends sd_notify messages.
type Notifier struct {
	log *zap.Logger
}

// New returns a Notifier; log may be nil.
func New(log *zap.Logger) *Notifier {
	if log == nil {
		log = zap.NewNop()
	}
	return &Notifier{log: log}
}

// notify sends one state; it reports whether it was sent (false with nil
// when NOTIFY_SOCKET is unset).
func (n *Notifier) notify(state string) (bool, error) {
	sent, err := daemon.SdNotify(false, state)
	if err != nil {
		return false, fmt.Errorf("systemd: notify %q: %w", firstLine(state), err)
	}
	return sent, nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// Ready tells systemd the service is up (Type=notify): call it once the
// concentrator runs and the first MQTT connection was tried.
func (n *Notifier) Ready() error { _, err := n.notify(daemon.SdNotifyReady); return err }

// Stopping tells systemd the service is shutting down.
func (n *Notifier) Stopping() error { _, err := n.notify(daemon.SdNotifyStopping); return err }

// Status sets the one-line status shown by systemctl status.
func (n *Notifier) Status(text string) error {
	_, err := n.notify("STATUS=" + strings.ReplaceAll(text, "\n", " "))
	return err
}

// ExtendTimeout asks systemd for d more before it gives up on start-up
// (slow firmware load or calibration).
func (n *Notifier) ExtendTimeout(d time.Duration) error {
	_, err := n.notify(fmt.Sprintf("EXTEND_TIMEOUT_USEC=%d", d.Microseconds()))
	return err
}

// Probe is one part whose progress keeps the watchdog fed.
type Probe struct {
	// Name appears in the status when the probe goes stale ("rx loop").
	Name string
	// Last returns when the part last made progress. It must be cheap and
	// safe to call from another goroutine.
	Last func() time.Time
	// MaxAge is how old Last may be for the part to count as alive; zero
	// means the watchdog interval (WatchdogSec) minus the ping period,
	// so a part stuck for one WatchdogSec gets the service restarted.
	MaxAge time.Duration
}

// Watchdog pings systemd's watchdog at half its interval, but only while
// every probe is fresh; when one is stale it withholds the ping and says
// which part is stuck in STATUS, so systemd restarts a wedged daemon
// rather than a merely busy one.
type Watchdog struct {
	n      *Notifier
	clk    clock.Clock
	log    *zap.Logger
	probes []Probe

	mu       sync.Mutex
	interval time.Duration
	cancel   context.CancelFunc
	done     chan struct{}
}

// NewWatchdog builds a watchdog over probes; it starts nothing.
func NewWatchdog(n *Notifier, clk clock.Clock, log *zap.Logger, probes ...Probe) *Watchdog {
	if log == nil {
		log = zap.NewNop()
	}
	return &Watchdog{n: n, clk: clk, log: log, probes: probes}
}

// Interval returns the watchdog interval systemd asked for (zero until
// Start, or when the watchdog is off).
func (w *Watchdog) Interval() time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.interval
}

// Start reads WATCHDOG_USEC (and WATCHDOG_PID) and, when systemd wants
// pings, starts pinging every interval/2. Without a watchdog it does
// nothing and returns nil.
func (w *Watchdog) Start(ctx context.Context) error {
	for i, p := range w.probes {
		if p.Last == nil {
			return fmt.Errorf("systemd: watchdog probe %d (%q): no Last func", i, p.Name)
		}
	}
	interval, err := daemon.SdWatchdogEnabled(false)
	if err != nil {
		return fmt.Errorf("systemd: watchdog settings: %w", err)
	}
	if interval <= 0 {
		return nil
	}
	period := interval / 2
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	w.mu.Lock()
	w.interval, w.cancel, w.done = interval, cancel, done
	w.mu.Unlock()
	ticker := w.clk.NewTicker(period)
	go func() {
		defer close(done)
		defer ticker.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-ticker.C():
				w.tick(interval - period)
			}
		}
	}()
	w.log.Info("systemd watchdog on", zap.Duration("interval", interval), zap.Duration("ping_every", period))
	return nil
}

// Stale returns the names of the probes that made no progress within
// their MaxAge (def when zero), with how long ago they last did.
func (w *Watchdog) stale(def time.Duration) []string {
	now := w.clk.Now()
	var out []string
	for _, p := range w.probes {
		max := p.MaxAge
		if max <= 0 {
			max = def
		}
		if age := now.Sub(p.Last()); age > max {
			out = append(out, fmt.Sprintf("%s stalled for %s", p.Name, age.Round(time.Millisecond)))
		}
	}
	return out
}

func (w *Watchdog) tick(def time.Duration) {
	if stale := w.stale(def); len(stale) > 0 {
		msg := "watchdog withheld: " + strings.Join(stale, ", ")
		w.log.Error("systemd watchdog ping withheld", zap.Strings("stale", stale))
		if err := w.n.Status(msg); err != nil {
			w.log.Warn("systemd status not sent", zap.Error(err))
		}
		return
	}
	if _, err := w.n.notify(daemon.SdNotifyWatchdog); err != nil {
		w.log.Warn("systemd watchdog ping not sent", zap.Error(err))
	}
}

// Stop ends the pings and waits for the goroutine.
func (w *Watchdog) Stop() {
	w.mu.Lock()
	cancel, done := w.cancel, w.done
	w.mu.Unlock()
	if cancel == nil {
		return
	}
	cancel()
	<-done
}
