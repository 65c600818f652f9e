// Package clock is the one place lgw reads time and waits.
//
// Every time-critical part of the agent (the simulated concentrator, the TX
// scheduler, multicast sessions, MQTT statistics) takes a Clock instead of
// calling time.Now or time.Sleep, so tests can run them on virtual time and
// stay deterministic. Real returns the system clock; Virtual is advanced by
// hand.
package clock

import "time"

// Clock tells the time and makes timers.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// NewTimer returns a timer that sends the time on its channel once d has
	// elapsed.
	NewTimer(d time.Duration) Timer
	// AfterFunc calls f in its own goroutine once d has elapsed.
	AfterFunc(d time.Duration, f func()) Timer
	// NewTicker returns a ticker that sends the time on its channel every d.
	// d must be positive.
	NewTicker(d time.Duration) Ticker
}

// Timer is a single pending event, as time.Timer.
type Timer interface {
	// C is the channel the time is sent on. It is nil for AfterFunc timers.
	C() <-chan time.Time
	// Stop prevents the timer from firing; it reports whether it was pending.
	Stop() bool
	// Reset changes the timer to fire after d; it reports whether it was
	// pending.
	Reset(d time.Duration) bool
}

// Ticker delivers ticks at intervals, as time.Ticker.
type Ticker interface {
	// C is the channel the ticks are sent on.
	C() <-chan time.Time
	// Stop turns the ticker off.
	Stop()
}

// Real returns the system clock.
func Real() Clock { return realClock{} }

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) NewTimer(d time.Duration) Timer { return realTimer{t: time.NewTimer(d)} }

func (realClock) AfterFunc(d time.Duration, f func()) Timer {
	return realTimer{t: time.AfterFunc(d, f)}
}

func (realClock) NewTicker(d time.Duration) Ticker { return realTicker{t: time.NewTicker(d)} }

type realTimer struct{ t *time.Timer }

func (r realTimer) C() <-chan time.Time        { return r.t.C }
func (r realTimer) Stop() bool                 { return r.t.Stop() }
func (r realTimer) Reset(d time.Duration) bool { return r.t.Reset(d) }

type realTicker struct{ t *time.Ticker }

func (r realTicker) C() <-chan time.Time { return r.t.C }
func (r realTicker) Stop()               { r.t.Stop() }

// Sleep waits for d on c, or until done is closed. It reports whether the
// full duration elapsed.
func Sleep(c Clock, d time.Duration, done <-chan struct{}) bool {
	t := c.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C():
		return true
	case <-done:
		return false
	}
}

// Every calls f every period, on a ticker armed before the first call,
// until done is closed: a fixed-rate poller.
func Every(c Clock, period time.Duration, done <-chan struct{}, f func()) {
	t := c.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C():
			f()
		}
	}
}

// Loop calls f once wait has elapsed, then again each time the wait f
// returned has elapsed, until done is closed: a poller whose every run
// decides the next wait.
func Loop(c Clock, wait time.Duration, done <-chan struct{}, f func() time.Duration) {
	t := c.NewTimer(wait)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C():
		}
		t.Reset(f())
	}
}

// Offset returns a clock that reads d later than c; its timers are c's.
// The demo uses it to start a few seconds before a class B beacon period.
func Offset(c Clock, d time.Duration) Clock { return offsetClock{Clock: c, d: d} }

type offsetClock struct {
	Clock
	d time.Duration
}

func (o offsetClock) Now() time.Time { return o.Clock.Now().Add(o.d) }
