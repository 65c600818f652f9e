package multicast_test

import (
	"sync"
	"testing"
	"time"

	"github.com/brocaar/lorawan/band"

	"github.com/lgwagent/lgw/apierr"
	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/hal/sim"
	"github.com/lgwagent/lgw/multicast"
	"github.com/lgwagent/lgw/region"
	"github.com/lgwagent/lgw/scheduler"
)

// refuser refuses the first requests with given codes, then passes on.
type refuser struct {
	mu    sync.Mutex
	codes []scheduler.Code
	inner multicast.Transmitter
	reqs  []scheduler.Request
}

func (r *refuser) Schedule(req scheduler.Request) error {
	r.mu.Lock()
	r.reqs = append(r.reqs, req)
	if len(r.codes) > 0 {
		c := r.codes[0]
		r.codes = r.codes[1:]
		r.mu.Unlock()
		return scheduler.Refuse(c, "test refusal")
	}
	r.mu.Unlock()
	return r.inner.Schedule(req)
}

func (r *refuser) Cancel(ref string) bool { return r.inner.Cancel(ref) }

func TestRefusalsRetriedOrReported(t *testing.T) {
	e := newEnv(t, t.TempDir(), nil)
	e.m.Stop()
	ref := &refuser{codes: []scheduler.Code{scheduler.QueueFull, scheduler.DutyCycle}, inner: e.tx}
	e.openWith(t, func(c *multicast.Config) { c.Tx, c.FCntReserve = ref, 0 })
	m := e.m
	e.group(t, "g", multicast.ClassC, "EU868")
	start := t0.Add(31 * time.Minute)
	e.session(t, "g", start, 60, nil)
	a, _ := send(m, "g", []byte("a"), 1) // QUEUE_FULL, retried, then DUTY_CYCLE: final
	b, _ := send(m, "g", []byte("b"), 1) // SENT, after a
	e.runUntil(t, start.Add(20*time.Second))
	if len(e.reps) != 2 {
		t.Fatalf("reports %+v", e.reps)
	}
	if e.reps[0].MessageId != a || e.reps[0].Result.Code != scheduler.DutyCycle || e.reps[0].FCnt != 1 {
		t.Errorf("a: %+v", e.reps[0])
	}
	// Each attempt takes a fresh counter: a used 0 and 1.
	if e.reps[1].MessageId != b || e.reps[1].Result.Code != scheduler.Sent || e.reps[1].FCnt != 2 {
		t.Errorf("b: %+v", e.reps[1])
	}
	if len(ref.reqs) != 3 {
		t.Fatalf("%d requests", len(ref.reqs))
	}
	r0 := ref.reqs[0]
	if r0.Class != scheduler.ClassC || r0.Timing.Mode != scheduler.ASAP || !r0.Timing.NotBefore.Equal(start) ||
		!r0.Timing.NotAfter.Equal(start.Add(64*time.Second)) || !r0.Packet.InvertIQ || !r0.Packet.NoCRC ||
		r0.Packet.Power != 27 || r0.Packet.Frequency != 869525000 {
		t.Errorf("request %+v", r0)
	}
	if d := ref.reqs[1].Timing.NotBefore.Sub(start); d < multicast.DefaultRetryDelay {
		t.Errorf("retry after %s", d)
	}
}

func TestClassBHoppingFrequency(t *testing.T) {
	e := newEnvIn(t, t.TempDir(), nil, "US915")
	e.m.Stop()
	ref := &refuser{inner: e.tx}
	e.openWith(t, func(c *multicast.Config) { c.Tx, c.FCntReserve = ref, 0 })
	m := e.m
	e.group(t, "b", multicast.ClassB, "US915")
	start := t0.Add(31 * time.Minute)
	out, err := m.StartMulticastGroupSession(ctx, multicast.StartSessionInput{Id: "b", LoRaWAN: multicast.SessionLoRaWAN{
		SessionStartTime: start.Format(time.RFC3339), SessionTimeout: ip(600), PingSlotPeriod: ip(32)}})
	if err != nil || out.LoRaWAN.DlFreq != 0 || out.LoRaWAN.DlDr != 8 {
		t.Fatalf("%+v %v", out, err)
	}
	for i := 0; i < 3; i++ {
		send(m, "b", []byte{byte(i)}, 1)
	}
	e.runUntil(t, start.Add(5*time.Minute))
	if len(e.reps) != 3 || len(ref.reqs) != 3 {
		t.Fatalf("%d reports, %d requests", len(e.reps), len(ref.reqs))
	}
	b, _ := band.GetConfig(band.US915, false, 0)
	for i, r := range ref.reqs {
		want, _ := b.GetPingSlotFrequency([4]byte{1, 2, 3, 4}, r.Timing.GPSTime.Truncate(region.BeaconPeriod))
		if r.Timing.Mode != scheduler.AtGPSTime || r.Class != scheduler.ClassB || r.Packet.Frequency != want ||
			r.Packet.DataRate.Datr() != "SF12BW500" {
			t.Errorf("request %d: %+v (want %d Hz)", i, r, want)
		}
		if e.reps[i].Result.Code != scheduler.Sent {
			t.Errorf("report %d: %s", i, e.reps[i].Result.Code)
		}
	}
}

// A group of another region than the gateway's is refused at creation
// and update, naming RfRegion.
func TestGroupRegionMustBeTheGateways(t *testing.T) {
	clk := clock.NewVirtual(t0)
	s, err := sim.New(sim.Config{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	m, err := multicast.Open(multicast.Config{Dir: t.TempDir(), Clock: clk, Tx: startScheduler(t, clk, s, "EU868"), Region: "EU868"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Stop)
	_, err = m.CreateMulticastGroup(ctx, multicast.CreateGroupInput{Id: "us", LoRaWAN: multicast.GroupLoRaWAN{
		RfRegion: "US915", DlClass: multicast.ClassC, McAddr: addrHex}})
	wantErr(t, err, apierr.Validation, "LoRaWAN.RfRegion")
	if _, err := m.CreateMulticastGroup(ctx, multicast.CreateGroupInput{Id: "eu", LoRaWAN: multicast.GroupLoRaWAN{
		RfRegion: "EU868", DlClass: multicast.ClassC, McAddr: addrHex}}); err != nil {
		t.Fatal(err)
	}
	err = m.UpdateMulticastGroup(ctx, multicast.UpdateGroupInput{Id: "eu", LoRaWAN: multicast.GroupLoRaWAN{
		RfRegion: "AS923-1", DlClass: multicast.ClassC, McAddr: addrHex}})
	wantErr(t, err, apierr.Validation, "LoRaWAN.RfRegion")
}
