package sim

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	lwgps "github.com/brocaar/lorawan/gps"

	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/hal"
)

var t0 = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

func newSim(t *testing.T, cfg Config) (*Sim, *clock.Virtual) {
	t.Helper()
	v := clock.NewVirtual(t0)
	cfg.Clock = v
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Stop() })
	return s, v
}

func TestCounterFollowsClockWithCrystalError(t *testing.T) {
	tests := []struct {
		name  string
		ppm   float64
		start hal.Count
		after time.Duration
		want  hal.Count
	}{
		{"exact crystal", 0, 1000, time.Second, 1001000},
		{"+10 ppm", 10, 0, 100 * time.Second, 100001000},
		{"-20 ppm", -20, 0, 10 * time.Second, 9999800},
		{"wraps at 2^32", 0, 0xFFFFFF00, time.Millisecond, 0x2E8},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, v := newSim(t, Config{PPM: tc.ppm, CounterStart: tc.start})
			v.Advance(tc.after)
			got, err := s.Counter()
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("counter = %d, want %d", got, tc.want)
			}
		})
	}
}

func loraTx(trig hal.Trigger, payload int) *hal.TxPacket {
	return &hal.TxPacket{
		Payload: make([]byte, payload), Frequency: 869525000, Power: 14,
		DataRate: hal.LoRaRate(9, hal.BW125, hal.CR4_5), InvertIQ: true, NoCRC: true, Trigger: trig,
	}
}

func TestTransmitStatusAndAirLog(t *testing.T) {
	tests := []struct {
		name      string
		start     hal.Count
		trigAfter time.Duration // target counter = now + trigAfter
		mode      hal.TriggerMode
		wantStart time.Duration // emission start after t0
	}{
		{"at count", 1000, 50 * time.Millisecond, hal.AtCount, 50 * time.Millisecond},
		{"immediate", 1000, 0, hal.Immediate, DefaultTxStartDelay},
		{"at count across the 2^32 wrap", 0xFFFFF000, 20 * time.Millisecond, hal.AtCount, 20 * time.Millisecond},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, v := newSim(t, Config{CounterStart: tc.start})
			p := loraTx(hal.Trigger{Mode: tc.mode, Count: tc.start + hal.Count(tc.trigAfter/time.Microsecond)}, 20)
			toa, _ := p.TimeOnAir()
			if err := s.Send(p); err != nil {
				t.Fatal(err)
			}
			if st, _ := s.TxStatus(0); st != hal.TxScheduled {
				t.Fatalf("status after Send = %s, want scheduled", st)
			}
			if err := s.Send(p); !errors.Is(err, hal.ErrTxBusy) {
				t.Fatalf("second Send: %v, want ErrTxBusy", err)
			}
			v.Set(t0.Add(tc.wantStart))
			if st, _ := s.TxStatus(0); st != hal.TxEmitting {
				t.Fatalf("status at start = %s, want emitting", st)
			}
			v.Set(t0.Add(tc.wantStart + toa + time.Microsecond))
			if st, _ := s.TxStatus(0); st != hal.TxFree {
				t.Fatalf("status after end = %s, want free", st)
			}
			log := s.AirLog()
			if len(log) != 1 {
				t.Fatalf("air log has %d entries", len(log))
			}
			e := log[0]
			wantStart := tc.start + hal.Count(tc.wantStart/time.Microsecond)
			if e.Start != wantStart {
				t.Fatalf("emission start = %d, want %d", e.Start, wantStart)
			}
			if got := e.EndMicros - e.StartMicros; got != hal.MicrosOf(toa+time.Microsecond-1) {
				t.Fatalf("emission lasted %d µs, time on air %v", got, toa)
			}
			if e.Frequency != 869525000 || e.DataRate.Datr() != "SF9BW125" || !e.InvertIQ || e.Aborted {
				t.Fatalf("emission %+v", e)
			}
		})
	}
}

func TestMissedTriggerStaysScheduled(t *testing.T) {
	s, v := newSim(t, Config{})
	v.Advance(time.Second)
	now, _ := s.Counter()
	// The target is 1 ms ahead, closer than the 1.5 ms start delay: the
	// chip's trigger comparator has already passed it.
	p := loraTx(hal.Trigger{Mode: hal.AtCount, Count: now + 1000}, 10)
	if err := s.Send(p); err != nil {
		t.Fatal(err)
	}
	v.Advance(100 * time.Millisecond)
	if st, _ := s.TxStatus(0); st != hal.TxScheduled {
		t.Fatalf("status = %s, want scheduled (trigger missed)", st)
	}
	if n := len(s.AirLog()); n != 0 {
		t.Fatalf("a missed trigger was emitted (%d entries)", n)
	}
	if err := s.AbortTx(0); err != nil {
		t.Fatal(err)
	}
	v.Advance(3 * time.Minute)
	if n := len(s.AirLog()); n != 0 {
		t.Fatalf("aborted transmission was emitted")
	}
	if st, _ := s.TxStatus(0); st != hal.TxFree {
		t.Fatalf("status after abort = %s", st)
	}
}

// A trigger programmed well ahead (a scheduler's hand-off lead) fires at
// its exact count; the chain stays scheduled, and refuses another send,
// until then.
func TestTriggerFarAhead(t *testing.T) {
	s, v := newSim(t, Config{})
	now, _ := s.Counter()
	at := now + 60_000_000 // a minute ahead, within the chip's 2^27 µs
	if err := s.Send(loraTx(hal.Trigger{Mode: hal.AtCount, Count: at}, 10)); err != nil {
		t.Fatal(err)
	}
	v.Advance(59 * time.Second)
	if st, _ := s.TxStatus(0); st != hal.TxScheduled {
		t.Fatalf("status %s, want scheduled", st)
	}
	if err := s.Send(loraTx(hal.Trigger{Mode: hal.AtCount, Count: at + 100_000}, 10)); !errors.Is(err, hal.ErrTxBusy) {
		t.Fatalf("second send on a scheduled chain: %v", err)
	}
	v.Advance(2 * time.Second)
	if log := s.AirLog(); len(log) != 1 || log[0].Start != at {
		t.Fatalf("air log %+v, want one emission at %d", log, at)
	}
}

// MissTriggers makes a send in time behave as one that finished after its
// trigger: armed for a counter wrap, nothing on air; then normal again.
func TestMissTriggers(t *testing.T) {
	s, v := newSim(t, Config{})
	s.MissTriggers(1)
	for i, want := range []hal.TxStatus{hal.TxScheduled, hal.TxFree} {
		now, _ := s.Counter()
		if err := s.Send(loraTx(hal.Trigger{Mode: hal.AtCount, Count: now + 50_000}, 10)); err != nil {
			t.Fatal(err)
		}
		v.Advance(time.Second)
		if st, _ := s.TxStatus(0); st != want {
			t.Fatalf("send %d: status %s a second later, want %s", i, st, want)
		}
		if err := s.AbortTx(0); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(s.AirLog()); n != 1 {
		t.Fatalf("%d emissions, want the second send only", n)
	}
}

func TestMissedTriggerFiresAfterChipCounterWraps(t *testing.T) {
	s, v := newSim(t, Config{})
	now, _ := s.Counter()
	if err := s.Send(loraTx(hal.Trigger{Mode: hal.AtCount, Count: now}, 10)); err != nil {
		t.Fatal(err)
	}
	v.Advance(time.Duration(TriggerWrap) * time.Microsecond)
	log := s.AirLog()
	if len(log) != 1 || log[0].StartMicros != hal.Micros(now)+TriggerWrap {
		t.Fatalf("air log %+v, want one emission 2^27 µs late", log)
	}
}

func TestAbortDuringEmission(t *testing.T) {
	s, v := newSim(t, Config{})
	if err := s.Send(loraTx(hal.Trigger{Mode: hal.Immediate}, 50)); err != nil {
		t.Fatal(err)
	}
	v.Advance(10 * time.Millisecond)
	if err := s.AbortTx(0); err != nil {
		t.Fatal(err)
	}
	log := s.AirLog()
	if len(log) != 1 || !log[0].Aborted || log[0].EndMicros-log[0].StartMicros != 8500 {
		t.Fatalf("air log %+v", log)
	}
}

func TestOnPPSWaitsForPulse(t *testing.T) {
	s, v := newSim(t, Config{GPS: GPSConfig{Enabled: true}})
	v.Advance(300 * time.Millisecond)
	if err := s.Send(loraTx(hal.Trigger{Mode: hal.OnPPS}, 17)); err != nil {
		t.Fatal(err)
	}
	v.Advance(time.Second)
	log := s.AirLog()
	want := hal.Micros(1000000) + hal.MicrosOf(DefaultTxStartDelay)
	if len(log) != 1 || log[0].StartMicros != want {
		t.Fatalf("air log %+v, want start at %d", log, want)
	}
}

func TestGPSPulsesJitterAndOutage(t *testing.T) {
	s, v := newSim(t, Config{PPM: 10, GPS: GPSConfig{Enabled: true, Jitter: time.Microsecond, Seed: 3,
		Outages: []Outage{{From: 3500 * time.Millisecond, To: 6500 * time.Millisecond}}}})
	var fixes []hal.GPSFix
	var latches []hal.Count
	for i := 0; i < 8; i++ {
		v.Advance(time.Second)
		l, _ := s.PPSCounter()
		latches = append(latches, l)
		for drained := false; !drained; {
			select {
			case f := <-s.GPS().Fixes():
				fixes = append(fixes, f)
			default:
				drained = true
			}
		}
	}
	// Pulses at 0,1,2,3 s and 7 s after t0 (4,5,6 fall in the outage);
	// the fix of the pulse at 8 s comes 100 ms later, after this loop.
	if len(fixes) != 5 {
		t.Fatalf("got %d fixes, want 5: %+v", len(fixes), fixes)
	}
	if gap := fixes[4].Time - fixes[3].Time; gap != 4*time.Second {
		t.Fatalf("fixes around the outage are %v apart, want 4s", gap)
	}
	for _, f := range fixes {
		utc := time.Time(lwgps.NewTimeFromTimeSinceGPSEpoch(f.Time))
		truth := s.MicrosAt(utc)
		if d := int32(f.PPSCount - truth.Count()); d < -1 || d > 1 {
			t.Fatalf("latched %d, truth %d: jitter beyond 1 µs", f.PPSCount, truth)
		}
		if !f.HasPos {
			t.Fatal("fix without position")
		}
	}
	// During the outage (4, 5 and 6 s) the latch stays at the 3 s pulse.
	for _, l := range latches[2:6] {
		if l != latches[2] {
			t.Fatalf("PPS latch moved during the outage: %v", latches)
		}
	}
	if d := int32(latches[2] - s.MicrosAt(t0.Add(3*time.Second)).Count()); d < -1 || d > 1 {
		t.Fatalf("frozen latch %d is not the 3 s pulse", latches[2])
	}
	if latches[6] == latches[2] {
		t.Fatalf("PPS latch did not resume after the outage: %v", latches)
	}
}

func TestTrafficAndReceive(t *testing.T) {
	traffic := `# comment
{"at":0.5,"freq":868.1,"datr":"SF7BW125","codr":"4/5","rssi":-60,"lsnr":7.5,"data":"QAEC"}
{"at":1.5,"freq":868.3,"datr":"SF12BW125","rssi":-110,"lsnr":-12,"crc":"bad","data":"QAMEBQ=="}

{"at":1.0,"freq":867.9,"datr":"50000","rssi":-70,"data":"AA=="}
`
	ups, err := ParseTraffic(strings.NewReader(traffic))
	if err != nil {
		t.Fatal(err)
	}
	s, v := newSim(t, Config{CounterStart: 500})
	s.AddTraffic(ups)
	if got, _ := s.Receive(); len(got) != 0 {
		t.Fatalf("received %d before their time", len(got))
	}
	v.Advance(time.Second)
	got, err := s.Receive()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Frequency != 868100000 || got[0].Count != 500500 || got[1].DataRate.Modulation != hal.FSK || got[1].Count != 1000500 {
		t.Fatalf("first fetch %+v", got)
	}
	if got[0].SNR != 7.5 || got[0].RSSIChannel != -60 || got[0].CRC != hal.CRCOK || string(got[0].Payload) != "\x40\x01\x02" {
		t.Fatalf("metadata %+v", got[0])
	}
	v.Advance(time.Second)
	got, _ = s.Receive()
	if len(got) != 1 || got[0].CRC != hal.CRCBad || got[0].DataRate.SpreadingFactor != 12 {
		t.Fatalf("second fetch %+v", got)
	}
	if s.PendingUplinks() != 0 {
		t.Fatal("uplinks left")
	}
}

func TestTrafficErrorsNameLineAndField(t *testing.T) {
	tests := []struct{ line, want string }{
		{`{"at":1,"freq":868.1,"datr":"SF7BW125","data":"%%"}`, "line 1: data"},
		{`{"at":1,"freq":1868.1,"datr":"SF7BW125","data":""}`, "line 1: freq"},
		{`{"at":1,"freq":868.1,"datr":"SF13BW125","data":""}`, "line 1: datr"},
		{`{"at":1,"freq":868.1,"datr":"SF7BW125","data":"","crc":"maybe"}`, "line 1: crc"},
		{`{"freq":868.1,"datr":"SF7BW125","data":""}`, "line 1: at"},
		{`{"at":1,"freq":868.1,"datr":"SF7BW125","data":"","color":"red"}`, `unknown field "color"`},
		{`{"at":1,`, "line 1"},
	}
	for _, tc := range tests {
		_, err := ParseTraffic(strings.NewReader(tc.line))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error with %q", tc.line, err, tc.want)
		}
	}
}

func TestFaultInjection(t *testing.T) {
	s, _ := newSim(t, Config{})
	boom := errors.New("spi: timeout")
	s.FailReceive(boom, 2)
	for i := 0; i < 2; i++ {
		if _, err := s.Receive(); !errors.Is(err, boom) {
			t.Fatalf("Receive %d: %v", i, err)
		}
	}
	if _, err := s.Receive(); err != nil {
		t.Fatalf("Receive after the faults: %v", err)
	}
	s.FailSend(boom, 1)
	if err := s.Send(loraTx(hal.Trigger{Mode: hal.Immediate}, 5)); !errors.Is(err, boom) {
		t.Fatalf("Send: %v", err)
	}
	if err := s.Send(loraTx(hal.Trigger{Mode: hal.Immediate}, 5)); err != nil {
		t.Fatalf("Send after the fault: %v", err)
	}
}

func TestStoppedAndBadInput(t *testing.T) {
	v := clock.NewVirtual(t0)
	s, err := New(Config{Clock: v})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Receive(); !errors.Is(err, hal.ErrNotStarted) {
		t.Fatalf("Receive before Start: %v", err)
	}
	if st, _ := s.TxStatus(0); st != hal.TxOff {
		t.Fatalf("TxStatus before Start = %s", st)
	}
	if _, err := New(Config{}); err == nil {
		t.Fatal("New without a clock succeeded")
	}
	_ = s.Start(context.Background())
	big := loraTx(hal.Trigger{Mode: hal.Immediate}, 256)
	var fe *hal.FieldError
	if err := s.Send(big); !errors.As(err, &fe) || fe.Field != "payload" {
		t.Fatalf("oversized payload: %v", err)
	}
	if err := s.Send(&hal.TxPacket{RFChain: 5, DataRate: hal.LoRaRate(7, hal.BW125, hal.CR4_5)}); !errors.Is(err, hal.ErrRFChain) {
		t.Fatalf("bad rf chain: %v", err)
	}
}
