package scheduler

import (
	"errors"
	"testing"
	"time"

	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/hal/sim"
)

const eu = 869525000

func TestRefusals(t *testing.T) {
	ms := hal.MicrosOf(time.Millisecond)
	tests := []struct {
		name   string
		reg    string
		mod    func(*Config, *sim.Config)
		prep   func(r *rig)
		req    func(r *rig) Request
		sentin error
	}{
		{name: "too late", reg: "EU868", req: func(r *rig) Request {
			return r.req("x", ClassA, pkt(eu, 9, hal.BW125, 20, 14), atCount(r.now()+5*ms))
		}, sentin: ErrTooLate},
		{name: "in the past", reg: "EU868", req: func(r *rig) Request {
			return r.req("x", ClassA, pkt(eu, 9, hal.BW125, 20, 14), atCount(r.now()-500*ms))
		}, sentin: ErrTooLate},
		{name: "too early", reg: "EU868", req: func(r *rig) Request {
			return r.req("x", ClassA, pkt(eu, 9, hal.BW125, 20, 14), atCount(r.now()+hal.MicrosOf(31*time.Minute)))
		}, sentin: ErrTooEarly},
		{name: "collision packet", reg: "EU868", prep: func(r *rig) {
			if err := r.s.Schedule(r.req("first", ClassA, pkt(eu, 9, hal.BW125, 20, 14), atCount(r.now()+500*ms))); err != nil {
				r.t.Fatal(err)
			}
		}, req: func(r *rig) Request {
			return r.req("x", ClassA, pkt(eu, 9, hal.BW125, 20, 14), atCount(r.now()+550*ms))
		}, sentin: ErrCollisionPacket},
		{name: "queue full", reg: "EU868", mod: func(c *Config, _ *sim.Config) { c.Capacity = 1 }, prep: func(r *rig) {
			if err := r.s.Schedule(r.req("first", ClassA, pkt(eu, 9, hal.BW125, 20, 14), atCount(r.now()+500*ms))); err != nil {
				r.t.Fatal(err)
			}
		}, req: func(r *rig) Request {
			return r.req("x", ClassA, pkt(eu, 9, hal.BW125, 20, 14), atCount(r.now()+5000*ms))
		}, sentin: ErrQueueFull},
		{name: "freq outside region", reg: "EU868", req: func(r *rig) Request {
			return r.req("x", ClassA, pkt(923300000, 9, hal.BW125, 20, 14), atCount(r.now()+500*ms))
		}, sentin: ErrTxFreq},
		{name: "freq outside board", reg: "EU868", mod: func(_ *Config, s *sim.Config) {
			s.TxFreq = []hal.FreqRange{{Min: 863e6, Max: 868e6}}
		}, req: func(r *rig) Request {
			return r.req("x", ClassA, pkt(eu, 9, hal.BW125, 20, 14), atCount(r.now()+500*ms))
		}, sentin: ErrTxFreq},
		{name: "power above region", reg: "EU868", req: func(r *rig) Request {
			return r.req("x", ClassA, pkt(868100000, 9, hal.BW125, 20, 20), atCount(r.now()+500*ms))
		}, sentin: ErrTxPower},
		{name: "payload size US915 DR8", reg: "US915", req: func(r *rig) Request {
			return r.req("x", ClassA, pkt(923300000, 12, hal.BW500, 33+13+1, 20), atCount(r.now()+500*ms))
		}, sentin: ErrPayloadSize},
		{name: "payload size EU868 DR0", reg: "EU868", req: func(r *rig) Request {
			return r.req("x", ClassA, pkt(eu, 12, hal.BW125, 51+13+1, 14), atCount(r.now()+500*ms))
		}, sentin: ErrPayloadSize},
		{name: "dwell time AS923", reg: "AS923-1", req: func(r *rig) Request {
			return r.req("x", ClassA, pkt(923200000, 10, hal.BW125, 40, 14), atCount(r.now()+500*ms))
		}, sentin: ErrDwellTime},
		{name: "gps unlocked", reg: "EU868", req: func(r *rig) Request {
			return r.req("x", ClassB, pkt(eu, 9, hal.BW125, 20, 14), Timing{Mode: AtGPSTime, GPSTime: UTCToGPS(rigStart.Add(10 * time.Second))})
		}, sentin: ErrGPSUnlocked},
		{name: "duty cycle class C ceiling", reg: "EU868", prep: func(r *rig) {
			// 868.1 MHz: 1 % = 36 s per hour; class C may fill half.
			for i := range 6 {
				ref := string(rune('a' + i))
				if err := r.s.Schedule(r.req(ref, ClassC, pkt(868100000, 12, hal.BW125, 64, 14), atCount(r.now()+hal.MicrosOf(time.Duration(i+1)*4*time.Second)))); err != nil {
					r.t.Fatalf("%s: %v", ref, err)
				}
			}
		}, req: func(r *rig) Request {
			return r.req("x", ClassC, pkt(868100000, 12, hal.BW125, 64, 14), atCount(r.now()+hal.MicrosOf(40*time.Second)))
		}, sentin: ErrDutyCycle},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, tc.reg, tc.mod)
			if tc.prep != nil {
				tc.prep(r)
			}
			err := r.s.Schedule(tc.req(r))
			if !errors.Is(err, tc.sentin) {
				t.Fatalf("got %v, want %v", err, tc.sentin)
			}
			var re *RefusalError
			if !errors.As(err, &re) || re.Detail == "" {
				t.Fatalf("not a detailed RefusalError: %#v", err)
			}
			if _, ok := r.result("x"); ok {
				t.Fatal("refused request got a result")
			}
			if st := r.s.Stats(); st.Results[CodeOf(err)] != 1 {
				t.Fatalf("stats: %v", st.Results)
			}
		})
	}
}

func TestDutyCycleLeavesRoomForClassA(t *testing.T) {
	r := newRig(t, "EU868", nil)
	for i := range 6 {
		_ = r.s.Schedule(r.req(string(rune('a'+i)), ClassC, pkt(868100000, 12, hal.BW125, 64, 14), atCount(r.now()+hal.MicrosOf(time.Duration(i+1)*4*time.Second))))
	}
	if err := r.s.Schedule(r.req("A", ClassA, pkt(868100000, 12, hal.BW125, 64, 14), atCount(r.now()+hal.MicrosOf(40*time.Second)))); err != nil {
		t.Fatalf("class A refused: %v", err)
	}
	st := r.s.Stats()
	if len(st.DutyCycle) != 1 || st.DutyCycle[0].Budget != 36*time.Second {
		t.Fatalf("duty cycle stats %+v", st.DutyCycle)
	}
}

func TestPowerClamp(t *testing.T) {
	r := newRig(t, "EU868", func(c *Config, _ *sim.Config) { c.PowerPolicy = PowerClamp })
	start := r.now() + hal.MicrosOf(500*time.Millisecond)
	if err := r.s.Schedule(r.req("p", ClassA, pkt(868100000, 9, hal.BW125, 20, 20), atCount(start))); err != nil {
		t.Fatal(err)
	}
	r.advance(time.Second)
	if res := r.mustResult("p", Sent); res.Packet.Power != 14 {
		t.Fatalf("power %d, want 14", res.Packet.Power)
	}
	if log := r.sim.AirLog(); len(log) != 1 || log[0].Power != 14 {
		t.Fatalf("air log %+v", log)
	}
}

func TestSendExactCountAcrossWrap(t *testing.T) {
	r := newRig(t, "EU868", func(_ *Config, s *sim.Config) { s.CounterStart = hal.Count(1<<32 - 2_000_000) })
	ms := hal.MicrosOf(time.Millisecond)
	starts := map[string]hal.Micros{"before": r.now() + 1000*ms, "after": r.now() + 3000*ms, "later": r.now() + 40*hal.MicrosOf(time.Minute)/2}
	for ref, m := range starts {
		if err := r.s.Schedule(r.req(ref, ClassA, pkt(eu, 9, hal.BW125, 20, 14), atCount(m))); err != nil {
			t.Fatalf("%s: %v", ref, err)
		}
	}
	if starts["after"].Count() > 2_000_000 {
		t.Fatalf("test does not cross the wrap: %d", starts["after"].Count())
	}
	r.advance(21 * time.Minute)
	log := r.sim.AirLog()
	if len(log) != 3 {
		t.Fatalf("%d emissions", len(log))
	}
	for i, ref := range []string{"before", "after", "later"} {
		res := r.mustResult(ref, Sent)
		if log[i].Start != starts[ref].Count() || res.Count != starts[ref].Count() || log[i].StartMicros != starts[ref] {
			t.Errorf("%s: emitted at %d (%d), result %d, want %d", ref, log[i].Start, log[i].StartMicros, res.Count, starts[ref].Count())
		}
	}
	if len(r.s.Queue()) != 0 {
		t.Fatal("queue not empty")
	}
}

func TestSendFailureAndMissedTrigger(t *testing.T) {
	r := newRig(t, "EU868", nil)
	boom := errors.New("spi gone")
	r.sim.FailSend(boom, 1)
	if err := r.s.Schedule(r.req("f", ClassA, pkt(eu, 9, hal.BW125, 20, 14), atCount(r.now()+hal.MicrosOf(200*time.Millisecond)))); err != nil {
		t.Fatal(err)
	}
	r.advance(time.Second)
	res := r.mustResult("f", TxFailed)
	if !errors.Is(res.Err, boom) || !errors.Is(res.Err, ErrTxFailed) {
		t.Fatalf("err %v", res.Err)
	}
	// A chip that is handed the item too late keeps it armed: the
	// scheduler must see it still scheduled after the start and abort.
	st := r.s
	st.mu.Lock()
	st.caps.ProgramTime = 0
	st.caps.TxStartDelay = 0
	st.mu.Unlock()
	start := r.now() + hal.MicrosOf(200*time.Millisecond)
	if err := r.s.Schedule(r.req("m", ClassA, pkt(eu, 9, hal.BW125, 20, 14), atCount(start))); err != nil {
		t.Fatal(err)
	}
	// Jump straight past the hand-off: the timer fires 0.5 ms before the start.
	st.mu.Lock()
	st.lead = hal.MicrosOf(500 * time.Microsecond)
	st.handoff = st.lead
	it := st.byRef.get("m")
	st.chains[0].q.remove(it)
	st.setSpan(it, start)
	st.chains[0].q.insert(it)
	st.rearmLocked(r.now())
	st.mu.Unlock()
	r.advance(time.Second)
	res = r.mustResult("m", TxFailed)
	if !errors.Is(res.Err, ErrTxFailed) || !errors.Is(res.Err, ErrLateHandoff) {
		t.Fatalf("err %v", res.Err)
	}
	if s, _ := r.sim.TxStatus(0); s != hal.TxFree {
		t.Fatalf("chain left %s", s)
	}
	if n := len(r.sim.AirLog()); n != 0 {
		t.Fatalf("%d emissions", n)
	}
}

func TestCancelPreemptStop(t *testing.T) {
	r := newRig(t, "EU868", nil)
	ms := hal.MicrosOf(time.Millisecond)
	at := r.now() + 800*ms
	if err := r.s.Schedule(r.req("c", ClassC, pkt(eu, 9, hal.BW125, 20, 14), atCount(at))); err != nil {
		t.Fatal(err)
	}
	if err := r.s.Schedule(r.req("a", ClassA, pkt(eu, 9, hal.BW125, 20, 14), atCount(at+10*ms))); err != nil {
		t.Fatalf("class A not admitted over class C: %v", err)
	}
	if res := r.mustResult("c", CollisionPacket); !errors.Is(res.Err, ErrCollisionPacket) {
		t.Fatal(res.Err)
	}
	if err := r.s.Schedule(r.req("c2", ClassC, pkt(eu, 9, hal.BW125, 20, 14), atCount(at+20*ms))); !errors.Is(err, ErrCollisionPacket) {
		t.Fatalf("class C over class A: %v", err)
	}
	if err := r.s.Schedule(r.req("k", ClassA, pkt(eu, 9, hal.BW125, 20, 14), atCount(at+3000*ms))); err != nil {
		t.Fatal(err)
	}
	if r.s.Cancel("nope") || !r.s.Cancel("k") || r.s.Cancel("k") {
		t.Fatal("cancel")
	}
	r.mustResult("k", Cancelled)
	if err := r.s.Schedule(r.req("s", ClassA, pkt(eu, 9, hal.BW125, 20, 14), atCount(at+5000*ms))); err != nil {
		t.Fatal(err)
	}
	if q := r.s.Queue(); len(q) != 2 || q[0].Ref != "a" || q[1].Ref != "s" {
		t.Fatalf("queue %+v", q)
	}
	r.advance(time.Second)
	r.mustResult("a", Sent)
	r.s.Stop()
	r.mustResult("s", TxFailed)
	if err := r.s.Schedule(r.req("late", ClassA, pkt(eu, 9, hal.BW125, 20, 14), atCount(at+9000*ms))); !errors.Is(err, ErrNotRunning) {
		t.Fatal(err)
	}
}

func TestASAPFindsEarliestFreeSlot(t *testing.T) {
	r := newRig(t, "EU868", nil)
	ms := hal.MicrosOf(time.Millisecond)
	now := r.now()
	if err := r.s.Schedule(r.req("a", ClassA, pkt(eu, 9, hal.BW125, 20, 14), atCount(now+15*ms))); err != nil {
		t.Fatal(err)
	}
	if err := r.s.Schedule(r.req("c1", ClassC, pkt(eu, 9, hal.BW125, 20, 14), Timing{Mode: ASAP})); err != nil {
		t.Fatal(err)
	}
	if err := r.s.Schedule(r.req("c2", ClassC, pkt(eu, 9, hal.BW125, 20, 14), Timing{Mode: ASAP, NotBefore: r.clk.Now().Add(2 * time.Second)})); err != nil {
		t.Fatal(err)
	}
	if err := r.s.Schedule(r.req("c3", ClassC, pkt(eu, 9, hal.BW125, 20, 14), Timing{Mode: ASAP, NotAfter: r.clk.Now().Add(20 * time.Millisecond)})); !errors.Is(err, ErrCollisionPacket) {
		t.Fatalf("c3: %v", err)
	}
	r.advance(3 * time.Second)
	a, c1, c2 := r.mustResult("a", Sent), r.mustResult("c1", Sent), r.mustResult("c2", Sent)
	air, _ := hal.TimeOnAir(hal.LoRaRate(9, hal.BW125, hal.CR4_5), 20, 8, false, false)
	if gap := c1.Start.Sub(a.Start); gap < air || gap > air+12*time.Millisecond {
		t.Fatalf("c1 %v after a (air %v)", gap, air)
	}
	if c2.Start < now+2000*ms || c2.Start > now+2011*ms {
		t.Fatalf("c2 at +%v", c2.Start.Sub(now))
	}
}

// A Done callback may schedule the next transmission (results are
// delivered outside the scheduler's lock).
func TestDoneMaySchedule(t *testing.T) {
	r := newRig(t, "EU868", nil)
	errc := make(chan error, 1)
	first := r.req("1", ClassA, pkt(eu, 9, hal.BW125, 20, 14), atCount(r.now()+hal.MicrosOf(100*time.Millisecond)))
	first.Done = func(res Result) {
		r.done(res)
		errc <- r.s.Schedule(r.req("2", ClassC, pkt(eu, 9, hal.BW125, 20, 14), Timing{Mode: ASAP}))
	}
	if err := r.s.Schedule(first); err != nil {
		t.Fatal(err)
	}
	r.advance(time.Second)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	r.mustResult("1", Sent)
	r.mustResult("2", Sent)
	if n := len(r.sim.AirLog()); n != 2 {
		t.Fatalf("%d emissions", n)
	}
}
