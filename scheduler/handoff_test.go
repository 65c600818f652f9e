package scheduler

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/hal/sim"
)

// TestHandoffRules checks when an item reaches the chip: at its start minus
// HandoffLead on a free chain, when the chain frees up after the previous
// emission, and at once when admitted inside the hand-off window.
func TestHandoffRules(t *testing.T) {
	ms := hal.MicrosOf(time.Millisecond)
	p := pkt(eu, 9, hal.BW125, 20, 14)
	air := airMicros(mustAir(t, p))
	tests := []struct {
		name string
		// queue schedules the items and returns the one under test, when
		// it must reach the chip and its start.
		queue func(r *rig) (ref string, due, start hal.Micros)
	}{
		{name: "free chain: start minus hand-off lead", queue: func(r *rig) (string, hal.Micros, hal.Micros) {
			start := r.now() + 500*ms
			r.schedule("x", ClassA, p, start)
			return "x", start - hal.MicrosOf(DefaultHandoffLead), start
		}},
		{name: "chain busy: when the previous emission ends plus the guard", queue: func(r *rig) (string, hal.Micros, hal.Micros) {
			first := r.now() + 500*ms
			r.schedule("first", ClassA, p, first)
			free := first + air + hal.MicrosOf(DefaultGuard)
			start := free + 20*ms // inside the hand-off window of the chain's end
			r.schedule("x", ClassC, p, start)
			return "x", free, start
		}},
		{name: "admitted inside the window: at once", queue: func(r *rig) (string, hal.Micros, hal.Micros) {
			start := r.now() + 30*ms
			r.schedule("x", ClassC, p, start)
			return "x", r.now(), start
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, "EU868", nil)
			ref, due, start := tc.queue(r)
			if d := due - r.now(); d > 0 {
				r.advance((d - 1).Duration())
				if q := r.queued(ref); q.OnChip {
					t.Fatalf("on the chip %v before it is due", (due - r.now()).Duration())
				}
			}
			r.advance(time.Microsecond)
			if q := r.queued(ref); !q.OnChip {
				t.Fatalf("not on the chip at %v before its start", (start - r.now()).Duration())
			}
			if st := r.s.Stats(); st.HandoffSlackMin != (start-due).Duration() || st.HandoffLateMax != 0 {
				t.Fatalf("slack %v, late %v; want slack %v", st.HandoffSlackMin, st.HandoffLateMax, (start - due).Duration())
			}
			r.advance(time.Second)
			if res := r.mustResult(ref, Sent); res.Start != start {
				t.Fatalf("sent at %d, want %d", res.Start, start)
			}
			if log := r.sim.AirLog(); log[len(log)-1].StartMicros != start {
				t.Fatalf("emitted at %d, want %d", log[len(log)-1].StartMicros, start)
			}
		})
	}
}

// TestLateHandoff stalls the host (the scheduler's timers stand still
// while the chip's counter moves on) just before an item falls due: a
// stall shorter than HandoffLead minus what the chip needs costs nothing;
// a longer one ends the item TX_FAILED, marked ErrLateHandoff, with the
// lateness in the message and nothing on air. With the hand-off at start
// minus MinLead, as before HandoffLead, a 9 ms stall was enough.
func TestLateHandoff(t *testing.T) {
	for _, tc := range []struct {
		name    string
		handoff time.Duration
		stall   time.Duration
		want    Code
	}{
		{name: "60ms stall, 80ms lead", handoff: DefaultHandoffLead, stall: 60 * time.Millisecond, want: Sent},
		{name: "79ms stall, 80ms lead", handoff: DefaultHandoffLead, stall: 79 * time.Millisecond, want: TxFailed},
		{name: "9ms stall, 10ms lead", handoff: DefaultMinLead, stall: 9 * time.Millisecond, want: TxFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newStallRig(t, "EU868", func(c *Config, _ *sim.Config) { c.HandoffLead = tc.handoff })
			start := r.now() + hal.MicrosOf(500*time.Millisecond)
			r.schedule("x", ClassA, pkt(eu, 9, hal.BW125, 20, 14), start)
			r.advance((start - hal.MicrosOf(tc.handoff) - r.now()).Duration() - time.Millisecond)
			r.stall(tc.stall)
			r.advance(time.Second)
			res := r.mustResult("x", tc.want)
			log := r.sim.AirLog()
			if tc.want == Sent {
				if len(log) != 1 || log[0].StartMicros != start {
					t.Fatalf("air log %+v, want one emission at %d", log, start)
				}
				return
			}
			if !errors.Is(res.Err, ErrLateHandoff) || !strings.Contains(res.Err.Error(), "late") {
				t.Fatalf("err %v, want ErrLateHandoff with the lateness", res.Err)
			}
			if len(log) != 0 {
				t.Fatalf("air log %+v, want nothing", log)
			}
			if st := r.s.Stats(); st.HandoffLateMax < tc.stall-time.Millisecond {
				t.Fatalf("late max %v after a %v stall", st.HandoffLateMax, tc.stall)
			}
		})
	}
}

func mustAir(t *testing.T, p hal.TxPacket) time.Duration {
	t.Helper()
	d, err := p.TimeOnAir()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// stallingChip is the simulator with the host stalling just before each
// TX status read.
type stallingChip struct {
	*sim.Sim
	r *rig
	d time.Duration
}

func (c stallingChip) TxStatus(chain uint8) (hal.TxStatus, error) {
	c.r.stall(c.d)
	return c.Sim.TxStatus(chain)
}

// A check held up past the end of the emission finds the chain free: the
// item was sent (the status is judged against a counter read after it,
// not the one the timer run started with).
func TestCheckAfterStallCountsEmission(t *testing.T) {
	r := newStallRig(t, "EU868", nil)
	r.s.Stop() // the rig's own scheduler stays out of the way
	s, err := New(Config{Region: r.s.cfg.Region}, stallingChip{Sim: r.sim, r: r, d: 200 * time.Millisecond}, r.clk, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	p := pkt(eu, 7, hal.BW125, 4, 14) // about 26 ms on air, less than the stall
	if err := s.Schedule(r.req("x", ClassA, p, atCount(r.now()+hal.MicrosOf(500*time.Millisecond)))); err != nil {
		t.Fatal(err)
	}
	r.advance(time.Second)
	r.mustResult("x", Sent)
	if n := len(r.sim.AirLog()); n != 1 {
		t.Fatalf("%d emissions", n)
	}
}
