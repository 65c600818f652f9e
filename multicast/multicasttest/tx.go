// Package multicasttest holds test helpers for package multicast: a
// minimal scheduler over hal/sim that stands in for the real one until it
// is merged.
package multicasttest

import (
	"fmt"
	"sync"
	"time"

	"github.com/brocaar/lorawan/gps"

	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/hal/sim"
	"github.com/lgwagent/lgw/scheduler"
)

// DefaultLead is the time before an emission at which the transmitter
// programs the simulator, and the least time ahead it admits, unless
// Transmitter.Lead says otherwise.
const DefaultLead = 50 * time.Millisecond

// Transmitter is a faithful minimal scheduler on one RF chain of a
// simulated concentrator: it admits ASAP requests within their window
// (one emission at a time) and GPS-time requests that are far enough ahead
// and free, programs the simulator Lead before the start on the clock, and
// ends each item with SENT and the simulator's counter once the emission
// is over (TX_FAILED if the simulator refuses, CANCELLED if withdrawn).
type Transmitter struct {
	clk clock.Clock
	sim *sim.Sim
	// OnSend, when set, is called just before a packet goes to the
	// simulator (the crash test logs emissions there).
	OnSend func(ref string, p hal.TxPacket)
	// Lead replaces DefaultLead when set before the first Schedule (the
	// crash test, on a loaded host's real clock, wants more room).
	Lead time.Duration

	mu        sync.Mutex
	busyUntil time.Time
	items     map[string]*item
}

type item struct {
	req    scheduler.Request
	start  time.Time
	timer  clock.Timer
	handed bool
}

// New returns a transmitter on a started simulator.
func New(clk clock.Clock, s *sim.Sim) *Transmitter {
	return &Transmitter{clk: clk, sim: s, items: map[string]*item{}, Lead: DefaultLead}
}

// Schedule admits a request or refuses it with a *scheduler.RefusalError.
func (t *Transmitter) Schedule(req scheduler.Request) error {
	if err := req.Packet.Validate(); err != nil {
		return scheduler.Refuse(scheduler.PayloadSize, "%v", err)
	}
	air, err := req.Packet.TimeOnAir()
	if err != nil {
		return scheduler.Refuse(scheduler.TxFailed, "%v", err)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, dup := t.items[req.Ref]; dup {
		return scheduler.Refuse(scheduler.CollisionPacket, "ref %s already queued", req.Ref)
	}
	now := t.clk.Now()
	var start time.Time
	switch req.Timing.Mode {
	case scheduler.ASAP:
		start = now.Add(t.Lead)
		if req.Timing.NotBefore.After(start) {
			start = req.Timing.NotBefore
		}
		if t.busyUntil.After(start) {
			start = t.busyUntil
		}
		if !req.Timing.NotAfter.IsZero() && start.After(req.Timing.NotAfter) {
			return scheduler.Refuse(scheduler.TooLate, "earliest start %s is after %s", start, req.Timing.NotAfter)
		}
	case scheduler.AtGPSTime:
		start = time.Time(gps.NewTimeFromTimeSinceGPSEpoch(req.Timing.GPSTime))
		if start.Before(now.Add(t.Lead)) {
			return scheduler.Refuse(scheduler.TooLate, "starts in %s, lead %s", start.Sub(now), t.Lead)
		}
		if start.Before(t.busyUntil) {
			return scheduler.Refuse(scheduler.CollisionPacket, "chain busy until %s", t.busyUntil)
		}
	default:
		return scheduler.Refuse(scheduler.TxFailed, "timing mode %s not supported by the test transmitter", req.Timing.Mode)
	}
	t.busyUntil = start.Add(air)
	it := &item{req: req, start: start}
	t.items[req.Ref] = it
	it.timer = t.clk.AfterFunc(start.Add(-t.Lead).Sub(now), func() { t.handOff(it) })
	return nil
}

func (t *Transmitter) handOff(it *item) {
	t.mu.Lock()
	if t.items[it.req.Ref] != it {
		t.mu.Unlock()
		return
	}
	now := t.clk.Now()
	if now.Add(t.Lead / 2).After(it.start) {
		// The timer fired too late to program the chip (a loaded host on
		// the real clock): an ASAP item takes the next free start in its
		// window, as a scheduler would; a timed one is too late.
		air, _ := it.req.Packet.TimeOnAir()
		start := now.Add(t.Lead)
		if t.busyUntil.After(start) {
			start = t.busyUntil
		}
		na := it.req.Timing.NotAfter
		if it.req.Timing.Mode == scheduler.ASAP && (na.IsZero() || !start.After(na)) {
			it.start = start
			t.busyUntil = start.Add(air)
			it.timer = t.clk.AfterFunc(start.Add(-t.Lead).Sub(now), func() { t.handOff(it) })
			t.mu.Unlock()
			return
		}
		delete(t.items, it.req.Ref)
		t.mu.Unlock()
		it.req.Done(scheduler.Result{Ref: it.req.Ref, Code: scheduler.TooLate, Err: scheduler.Refuse(scheduler.TooLate, "hand-off missed the start"), Packet: it.req.Packet})
		return
	}
	it.handed = true
	p := it.req.Packet
	p.Trigger = hal.Trigger{Mode: hal.AtCount, Count: t.sim.MicrosAt(it.start).Count()}
	t.mu.Unlock()
	if t.OnSend != nil {
		t.OnSend(it.req.Ref, p)
	}
	if err := t.sim.Send(&p); err != nil {
		t.finish(it, scheduler.Result{Ref: it.req.Ref, Code: scheduler.TxFailed, Err: fmt.Errorf("sim send: %w", err), Packet: p})
		return
	}
	air, _ := p.TimeOnAir()
	t.clk.AfterFunc(it.start.Add(air).Sub(t.clk.Now()), func() {
		res := scheduler.Result{Ref: it.req.Ref, Code: scheduler.TxFailed, Err: fmt.Errorf("emission not in the air log"), Packet: p}
		for _, e := range t.sim.AirLog() {
			if e.Start == p.Trigger.Count && e.Frequency == p.Frequency {
				res = scheduler.Result{Ref: it.req.Ref, Code: scheduler.Sent, Start: e.StartMicros, Count: e.Start,
					UTC: e.StartTime.UTC(), GPSTime: gps.Time(e.StartTime).TimeSinceGPSEpoch(), HasTime: true, Packet: p}
			}
		}
		if res.Code != scheduler.Sent {
			// A missed trigger stays armed, as on the chip: free the chain
			// as a scheduler does, or every later send finds it busy.
			_ = t.sim.AbortTx(p.RFChain)
		}
		t.finish(it, res)
	})
}

func (t *Transmitter) finish(it *item, res scheduler.Result) {
	t.mu.Lock()
	delete(t.items, it.req.Ref)
	t.mu.Unlock()
	it.req.Done(res)
}

// Cancel withdraws an item not yet handed to the simulator.
func (t *Transmitter) Cancel(ref string) bool {
	t.mu.Lock()
	it := t.items[ref]
	if it == nil || it.handed {
		t.mu.Unlock()
		return false
	}
	it.timer.Stop()
	delete(t.items, ref)
	t.mu.Unlock()
	it.req.Done(scheduler.Result{Ref: ref, Code: scheduler.Cancelled, Err: scheduler.ErrCancelled, Packet: it.req.Packet})
	return true
}
