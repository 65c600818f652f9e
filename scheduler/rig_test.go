package scheduler

import (
	"context"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/hal/sim"
	"github.com/lgwagent/lgw/region"
)

// rig is a scheduler on a simulator on virtual time.
type rig struct {
	t   *testing.T
	clk *clock.Virtual
	// chipClk, when set, is the simulator's clock: the scheduler's plus an
	// offset, so a test can stall the host (see stall).
	chipClk *aheadClock
	sim     *sim.Sim
	s       *Scheduler
	gps     bool
	logs    *observer.ObservedLogs

	mu      sync.Mutex
	results map[string][]Result
}

var rigStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func newRig(t *testing.T, reg string, mod func(*Config, *sim.Config)) *rig {
	t.Helper()
	return buildRig(t, reg, mod, false)
}

// newStallRig is newRig with a chip clock apart from the scheduler's, for
// stall.
func newStallRig(t *testing.T, reg string, mod func(*Config, *sim.Config)) *rig {
	t.Helper()
	return buildRig(t, reg, mod, true)
}

func buildRig(t *testing.T, reg string, mod func(*Config, *sim.Config), stallable bool) *rig {
	t.Helper()
	r, err := region.Lookup(reg)
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewVirtual(rigStart)
	sc := sim.Config{Clock: clk}
	cfg := Config{Region: r}
	if mod != nil {
		mod(&cfg, &sc)
	}
	var chipClk *aheadClock
	if stallable {
		chipClk = &aheadClock{Virtual: clk}
		sc.Clock = chipClk
	}
	sm, err := sim.New(sc)
	if err != nil {
		t.Fatal(err)
	}
	if err := sm.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	core, logs := observer.New(zap.DebugLevel)
	s, err := New(cfg, sm, clk, zap.New(core))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	rg := &rig{t: t, clk: clk, chipClk: chipClk, sim: sm, logs: logs, s: s, gps: sc.GPS.Enabled, results: map[string][]Result{}}
	t.Cleanup(s.Stop)
	return rg
}

// advance moves virtual time in steps of at most 100 ms, feeding GPS fixes.
func (r *rig) advance(d time.Duration) {
	for d > 0 {
		st := min(d, 100*time.Millisecond)
		r.clk.Advance(st)
		d -= st
		if r.gps {
			for drained := false; !drained; {
				select {
				case f := <-r.sim.GPS().Fixes():
					r.s.HandleFix(f)
				default:
					drained = true
				}
			}
		}
	}
}

// aheadClock is a virtual clock read ahead by an offset: the chip's time
// when the host stalled for that long.
type aheadClock struct {
	*clock.Virtual
	mu    sync.Mutex
	ahead time.Duration
}

func (c *aheadClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.Virtual.Now().Add(c.ahead)
}

// stall moves the chip's counter on by d while the host (the scheduler's
// timers) stands still; the rig must come from newStallRig.
func (r *rig) stall(d time.Duration) {
	if r.chipClk == nil {
		r.t.Fatal("stall needs newStallRig")
	}
	r.chipClk.mu.Lock()
	r.chipClk.ahead += d
	r.chipClk.mu.Unlock()
}

// schedule queues a request starting at start, failing the test if it is
// refused.
func (r *rig) schedule(ref string, c Class, p hal.TxPacket, start hal.Micros) {
	r.t.Helper()
	if err := r.s.Schedule(r.req(ref, c, p, atCount(start))); err != nil {
		r.t.Fatalf("%s: %v", ref, err)
	}
}

// queued returns the queue entry of ref (zero when it is not queued).
func (r *rig) queued(ref string) QueuedItem {
	for _, q := range r.s.Queue() {
		if q.Ref == ref {
			return q
		}
	}
	return QueuedItem{}
}

func (r *rig) done(res Result) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.results[res.Ref] = append(r.results[res.Ref], res)
}

func (r *rig) result(ref string) (Result, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	rs := r.results[ref]
	if len(rs) > 1 {
		r.t.Fatalf("%s: %d results", ref, len(rs))
	}
	if len(rs) == 0 {
		return Result{}, false
	}
	return rs[0], true
}

func (r *rig) mustResult(ref string, want Code) Result {
	r.t.Helper()
	res, ok := r.result(ref)
	if !ok {
		r.t.Fatalf("%s: no result", ref)
	}
	if res.Code != want {
		r.t.Fatalf("%s: %s (%v), want %s", ref, res.Code, res.Err, want)
	}
	return res
}

func (r *rig) now() hal.Micros { return r.sim.Now() }

// pkt is an EU868 DR0 (SF12BW125) downlink on 869.525 MHz, or the given
// frequency and rate.
func pkt(freq uint32, sf uint8, bw hal.Bandwidth, size int, power int8) hal.TxPacket {
	return hal.TxPacket{Payload: make([]byte, size), Frequency: freq, Power: power,
		DataRate: hal.LoRaRate(sf, bw, hal.CR4_5), InvertIQ: true, NoCRC: true}
}

func (r *rig) req(ref string, c Class, p hal.TxPacket, tm Timing) Request {
	return Request{Ref: ref, Class: c, Packet: p, Timing: tm, Origin: "test", Done: r.done}
}

func atCount(m hal.Micros) Timing { return Timing{Mode: AtCount, Count: m.Count()} }
