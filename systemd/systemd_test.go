package systemd_test

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/systemd"
)

// notifySocket binds a unixgram socket, points NOTIFY_SOCKET at it and
// returns a reader of the next datagram.
func notifySocket(t *testing.T) func() string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "notify.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	t.Setenv("NOTIFY_SOCKET", path)
	return func() string {
		t.Helper()
		// The deadline only ends a broken test.
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		buf := make([]byte, 4096)
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatalf("no datagram: %v", err)
		}
		return string(buf[:n])
	}
}

func TestNotifierMessages(t *testing.T) {
	next := notifySocket(t)
	n := systemd.New(zap.NewNop())
	steps := []struct {
		do   func() error
		want string
	}{
		{func() error { return n.ExtendTimeout(90 * time.Second) }, "EXTEND_TIMEOUT_USEC=90000000"},
		{n.Ready, "READY=1"},
		{func() error { return n.Status("concentrator running\nSX1302, mqtt connected") },
			"STATUS=concentrator running SX1302, mqtt connected"},
		{n.Stopping, "STOPPING=1"},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatal(err)
		}
		if got := next(); got != s.want {
			t.Errorf("datagram %q, want %q", got, s.want)
		}
	}
}

func TestNoOpWithoutSystemd(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", "")
	t.Setenv("WATCHDOG_USEC", "")
	n := systemd.New(nil)
	for _, f := range []func() error{n.Ready, n.Stopping, func() error { return n.Status("x") }} {
		if err := f(); err != nil {
			t.Errorf("no-op returned %v", err)
		}
	}
	v := clock.NewVirtual(time.Unix(0, 0))
	w := systemd.NewWatchdog(n, v, nil, systemd.Probe{Name: "rx", Last: v.Now})
	if err := w.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	if w.Interval() != 0 || v.Pending() != 0 {
		t.Errorf("watchdog started without WATCHDOG_USEC: interval %v, %d timers", w.Interval(), v.Pending())
	}
}

func TestNotifyError(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", filepath.Join(t.TempDir(), "nobody-listens"))
	if err := systemd.New(nil).Ready(); err == nil || !strings.Contains(err.Error(), "READY=1") {
		t.Errorf("Ready to a dead socket = %v, want an error naming the message", err)
	}
}

func TestWatchdogPingsOnlyWhileFresh(t *testing.T) {
	next := notifySocket(t)
	t.Setenv("WATCHDOG_USEC", "30000000")
	t.Setenv("WATCHDOG_PID", "")
	v := clock.NewVirtual(time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC))
	var rx, sched atomic.Int64
	at := func(p *atomic.Int64) func() time.Time { return func() time.Time { return time.Unix(0, p.Load()) } }
	w := systemd.NewWatchdog(systemd.New(nil), v, nil,
		systemd.Probe{Name: "rx loop", Last: at(&rx), MaxAge: 5 * time.Second},
		systemd.Probe{Name: "scheduler", Last: at(&sched)}) // MaxAge 0: 30s - 15s
	if err := w.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	if w.Interval() != 30*time.Second {
		t.Fatalf("interval %v, want 30s", w.Interval())
	}

	// Tick 1 at +15s: both made progress a moment ago.
	rx.Store(v.Now().Add(14 * time.Second).UnixNano())
	sched.Store(v.Now().Add(time.Second).UnixNano()) // 14s old at the tick, within 15s
	v.Advance(15 * time.Second)
	if got := next(); got != "WATCHDOG=1" {
		t.Fatalf("tick 1: %q, want WATCHDOG=1", got)
	}
	// Tick 2 at +30s: the RX loop is stuck since +14s (16s > 5s); the
	// scheduler last moved at +29s.
	sched.Store(v.Now().Add(14 * time.Second).UnixNano())
	v.Advance(15 * time.Second)
	if got := next(); got != "STATUS=watchdog withheld: rx loop stalled for 16s" {
		t.Fatalf("tick 2: %q, want the ping withheld with the reason", got)
	}
	// Tick 3 at +45s: the scheduler is stuck too.
	v.Advance(15 * time.Second)
	if got := next(); got != "STATUS=watchdog withheld: rx loop stalled for 31s, scheduler stalled for 16s" {
		t.Fatalf("tick 3: %q", got)
	}
	// Tick 4 at +60s: both recovered.
	rx.Store(v.Now().Add(15 * time.Second).UnixNano())
	sched.Store(v.Now().Add(15 * time.Second).UnixNano())
	v.Advance(15 * time.Second)
	if got := next(); got != "WATCHDOG=1" {
		t.Fatalf("tick 4: %q, want WATCHDOG=1", got)
	}
	w.Stop()
	if v.Pending() != 0 {
		t.Errorf("%d timers left after Stop", v.Pending())
	}
}

func TestWatchdogOtherPID(t *testing.T) {
	notifySocket(t)
	t.Setenv("WATCHDOG_USEC", "30000000")
	t.Setenv("WATCHDOG_PID", "1")
	v := clock.NewVirtual(time.Unix(0, 0))
	w := systemd.NewWatchdog(systemd.New(nil), v, nil, systemd.Probe{Name: "rx", Last: v.Now})
	if err := w.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	if w.Interval() != 0 {
		t.Errorf("watchdog meant for PID 1 started here")
	}
}

func TestWatchdogProbeWithoutFunc(t *testing.T) {
	w := systemd.NewWatchdog(systemd.New(nil), clock.NewVirtual(time.Unix(0, 0)), nil, systemd.Probe{Name: "rx"})
	if err := w.Start(context.Background()); err == nil || !strings.Contains(err.Error(), `"rx"`) {
		t.Errorf("err = %v, want one naming the probe", err)
	}
}
