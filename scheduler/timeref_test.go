package scheduler

import (
	"encoding/binary"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/hal/sim"
	"github.com/lgwagent/lgw/region"
)

// On the simulator with a ±10 ppm crystal and 1 µs PPS jitter, the counter
// computed for a GPS time 128 s after the last pulse is within 2 µs of the
// truth.
func TestTimeRefExtrapolation(t *testing.T) {
	for _, ppm := range []float64{10, -10, 3.3} {
		for seed := range uint64(3) {
			r := newRig(t, "EU868", func(_ *Config, s *sim.Config) {
				s.PPM = ppm
				s.GPS = sim.GPSConfig{Enabled: true, Jitter: time.Microsecond, Seed: seed}
			})
			r.advance(200 * time.Second)
			tr := r.s.TimeRef()
			if !tr.Valid() {
				t.Fatal("time reference not valid")
			}
			if math.Abs(tr.PPM()-ppm) > 0.05 {
				t.Errorf("ppm %v: fitted %.3f", ppm, tr.PPM())
			}
			last := UTCToGPS(r.clk.Now().Truncate(time.Second))
			target := last + 128*time.Second
			got, err := tr.GPSToMicros(target)
			if err != nil {
				t.Fatal(err)
			}
			want := r.sim.MicrosAt(GPSToUTC(target))
			if d := got - want; d < -2 || d > 2 {
				t.Errorf("ppm %v seed %d: counter for GPS+128 s off by %d µs", ppm, seed, d)
			}
			back, _ := tr.MicrosToGPS(got)
			if d := back - target; d < -time.Microsecond || d > time.Microsecond {
				t.Errorf("round trip off by %v", d)
			}
		}
	}
}

func TestTimeRefHoldoverAndOutliers(t *testing.T) {
	r := newRig(t, "EU868", func(c *Config, s *sim.Config) {
		c.Holdover = 10 * time.Second
		s.GPS = sim.GPSConfig{Enabled: true, Outages: []sim.Outage{{From: 30 * time.Second, To: 60 * time.Second}}}
	})
	tr := r.s.TimeRef()
	if tr.Valid() {
		t.Fatal("valid before any pulse")
	}
	r.advance(25 * time.Second)
	if !tr.Valid() {
		t.Fatal("not valid after 25 pulses")
	}
	r.advance(20 * time.Second) // 45 s: 15 s into the outage
	if tr.Valid() || r.s.Stats().TimeRefValid {
		t.Fatal("still valid past the holdover")
	}
	if _, err := tr.GPSToMicros(0); !errors.Is(err, ErrNoTimeRef) {
		t.Fatal(err)
	}
	r.advance(20 * time.Second)
	if !tr.Valid() {
		t.Fatal("not valid again after the outage")
	}
	// An outlier 500 µs off is refused; three in a row restart the fit.
	g := UTCToGPS(r.clk.Now().Truncate(time.Second))
	m, _ := tr.GPSToMicros(g + time.Second)
	if err := tr.Add(g+time.Second, m+500); err == nil {
		t.Fatal("outlier accepted")
	}
	if err := tr.Add(g, m); err == nil {
		t.Fatal("pulse out of order accepted")
	}
}

// Beacons go out on PPS at every GPS multiple of 128 s with the region's
// frame, stop when the time reference is lost and resume by themselves;
// class B items may not start in the guard.
func TestBeacons(t *testing.T) {
	outFrom, outTo := 400*time.Second, 700*time.Second
	r := newRig(t, "US915", func(c *Config, s *sim.Config) {
		c.Beaconing, c.Latitude, c.Longitude, c.BeaconPower = true, 48.8566, 2.3522, 20
		s.PPM = 5
		s.GPS = sim.GPSConfig{Enabled: true, Jitter: time.Microsecond, Outages: []sim.Outage{{From: outFrom, To: outTo}}}
	})
	r.advance(120 * time.Second)
	// Class B ping slot in the guard before the next beacon is refused;
	// a class A item on the beacon is refused.
	next := region.BeaconTimeFor(UTCToGPS(r.clk.Now())) + region.BeaconPeriod
	p := pkt(923300000, 10, hal.BW500, 20, 20)
	if err := r.s.Schedule(r.req("b", ClassB, p, Timing{Mode: AtGPSTime, GPSTime: next - time.Second})); !errors.Is(err, ErrCollisionBeacon) {
		t.Fatalf("class B in guard: %v", err)
	}
	bm, _ := r.s.TimeRef().GPSToMicros(next)
	if err := r.s.Schedule(r.req("a", ClassA, p, atCount(bm+50_000))); !errors.Is(err, ErrCollisionBeacon) {
		t.Fatalf("class A on beacon: %v", err)
	}
	if err := r.s.Schedule(r.req("b2", ClassB, p, Timing{Mode: AtGPSTime, GPSTime: next - 4*time.Second})); err != nil {
		t.Fatalf("class B before guard: %v", err)
	}
	r.advance(1000*time.Second - 120*time.Second)
	r.mustResult("b2", Sent)
	var times []uint32
	for _, e := range r.sim.AirLog() {
		if e.InvertIQ {
			continue
		}
		if len(e.Payload) != 23 {
			t.Fatalf("beacon of %d bytes", len(e.Payload))
		}
		bt := binary.LittleEndian.Uint32(e.Payload[5:9])
		times = append(times, bt)
		gt := time.Duration(bt) * time.Second
		if f, _ := r.s.region.BeaconFrequency(gt); e.Frequency != f {
			t.Errorf("beacon %d on %d, want %d", bt, e.Frequency, f)
		}
		want := r.sim.MicrosAt(GPSToUTC(gt)) + 1500
		if e.StartMicros != want {
			t.Errorf("beacon %d at %d, want PPS+1.5 ms %d", bt, e.StartMicros, want)
		}
		if e.Trigger.Mode != hal.OnPPS || e.Power != 20 {
			t.Errorf("beacon trigger %s power %d", e.Trigger.Mode, e.Power)
		}
	}
	start := UTCToGPS(rigStart)
	var want []uint32
	for g := region.BeaconTimeFor(start) + region.BeaconPeriod; g < start+1000*time.Second; g += region.BeaconPeriod {
		rel := g - start
		// Lost 30 s (holdover) into the outage, back a few pulses after it.
		if rel > outFrom+30*time.Second-10*time.Millisecond && rel < outTo+5*time.Second {
			continue
		}
		want = append(want, uint32(g/time.Second))
	}
	if len(want) < 4 || len(times) != len(want) {
		t.Fatalf("beacons %v, want %v", times, want)
	}
	for i := range want {
		if times[i] != want[i] {
			t.Fatalf("beacons %v, want %v", times, want)
		}
	}
	if st := r.s.Stats(); st.BeaconsSent != len(want) {
		t.Fatalf("stats beacons sent %d, want %d", st.BeaconsSent, len(want))
	}
}
