// Package schedulertest runs the real TX scheduler on the simulated
// concentrator on virtual time, for the tests of the packages above the
// scheduler (multicast, gateway): they exercise the real admission and
// hand-off instead of a re-implementation.
package schedulertest

import (
	"context"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/hal/sim"
	"github.com/lgwagent/lgw/region"
	"github.com/lgwagent/lgw/scheduler"
)

// Start is the virtual clock's start.
var Start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Rig is a started scheduler on a started simulator on a virtual clock.
type Rig struct {
	Clock     *clock.Virtual
	Sim       *sim.Sim
	Scheduler *scheduler.Scheduler
	Region    *region.Region
}

// New starts a rig for the named region; mod, if not nil, changes the
// scheduler's and the simulator's configuration first. The scheduler and
// the simulator stop when the test ends.
func New(t testing.TB, regionName string, mod func(*scheduler.Config, *sim.Config)) *Rig {
	t.Helper()
	r, err := region.Lookup(regionName)
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewVirtual(Start)
	sc := sim.Config{Clock: clk}
	cfg := scheduler.Config{Region: r}
	if mod != nil {
		mod(&cfg, &sc)
	}
	sm, err := sim.New(sc)
	if err != nil {
		t.Fatal(err)
	}
	if err := sm.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sm.Stop() })
	s, err := scheduler.New(cfg, sm, clk, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return &Rig{Clock: clk, Sim: sm, Scheduler: s, Region: r}
}

// Advance moves virtual time by d in steps of at most step (0: 100 ms),
// calling settle after each step so the goroutines driven by the clock
// can catch up (nil: none).
func (r *Rig) Advance(d, step time.Duration, settle func()) {
	if step <= 0 {
		step = 100 * time.Millisecond
	}
	for d > 0 {
		st := min(d, step)
		r.Clock.Advance(st)
		d -= st
		if settle != nil {
			settle()
		}
	}
}
