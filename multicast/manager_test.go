package multicast_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/brocaar/lorawan"
	"github.com/brocaar/lorawan/gps"
	"go.uber.org/zap"

	"github.com/lgwagent/lgw/apierr"
	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/hal/sim"
	"github.com/lgwagent/lgw/multicast"
	"github.com/lgwagent/lgw/region"
	"github.com/lgwagent/lgw/scheduler"
)

var (
	t0      = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	nwkKey  = "000102030405060708090a0b0c0d0e0f"
	appKey  = "f0e0d0c0b0a090807060504030201000"
	ctx     = context.Background()
	addrHex = "01020304"
)

// env is a manager on the real TX scheduler on the simulator (with its
// GPS, for class B) on virtual time.
type env struct {
	clk   *clock.Virtual
	sim   *sim.Sim
	sched *scheduler.Scheduler
	tx    multicast.Transmitter
	m     *multicast.Manager
	dir   string
	reps  []multicast.Report
}

func newEnv(t *testing.T, dir string, clk *clock.Virtual) *env {
	t.Helper()
	return newEnvIn(t, dir, clk, "EU868")
}

// newEnvIn is newEnv with the scheduler in the named region.
func newEnvIn(t *testing.T, dir string, clk *clock.Virtual, reg string) *env {
	t.Helper()
	if clk == nil {
		clk = clock.NewVirtual(t0)
	}
	s, err := sim.New(sim.Config{Clock: clk, GPS: sim.GPSConfig{Enabled: true}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	sc := startScheduler(t, clk, s, reg)
	e := &env{clk: clk, sim: s, sched: sc, tx: sc, dir: dir}
	e.open(t)
	return e
}

// startScheduler runs the real TX scheduler on the simulator.
func startScheduler(t testing.TB, clk clock.Clock, s *sim.Sim, reg string) *scheduler.Scheduler {
	t.Helper()
	r, err := region.Lookup(reg)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scheduler.New(scheduler.Config{Region: r}, s, clk, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	if err := sc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sc.Stop)
	return sc
}

func (e *env) open(t *testing.T) { e.openWith(t, nil) }

// openWith opens and starts the manager with the env's configuration
// changed by mod (nil: as is).
func (e *env) openWith(t *testing.T, mod func(*multicast.Config)) {
	t.Helper()
	cfg := multicast.Config{Dir: e.dir, Clock: e.clk, Tx: e.tx, FCntReserve: 4,
		Reports: func(r multicast.Report) { e.reps = append(e.reps, r) }}
	if mod != nil {
		mod(&cfg)
	}
	m, err := multicast.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(ctx); err != nil {
		t.Fatal(err)
	}
	e.m = m
	t.Cleanup(m.Stop)
	e.settle(t)
}

func (e *env) settle(t *testing.T) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := e.m.Settle(c); err != nil {
		t.Fatal(err)
	}
}

// runUntil walks the virtual clock timer by timer, letting the manager
// handle each event and the scheduler each GPS fix, up to until.
func (e *env) runUntil(t *testing.T, until time.Time) {
	t.Helper()
	for {
		e.feedGPS()
		e.settle(t)
		d, ok := e.clk.NextDeadline()
		if !ok || d.After(until) {
			e.clk.Set(until)
			e.feedGPS()
			e.settle(t)
			return
		}
		e.clk.Set(d)
	}
}

// feedGPS hands the simulator's pending GPS fixes to the scheduler.
func (e *env) feedGPS() {
	for {
		select {
		case f := <-e.sim.GPS().Fixes():
			e.sched.HandleFix(f)
		default:
			return
		}
	}
}

func (e *env) group(t *testing.T, id, class, reg string) {
	t.Helper()
	_, err := e.m.CreateMulticastGroup(ctx, multicast.CreateGroupInput{Id: id, LoRaWAN: multicast.GroupLoRaWAN{
		RfRegion: reg, DlClass: class, McAddr: addrHex, McNwkSKey: nwkKey, McAppSKey: appKey}})
	if err != nil {
		t.Fatal(err)
	}
}

func ip(v int) *int { return &v }

func (e *env) session(t *testing.T, id string, start time.Time, timeout int, dr *int) multicast.SessionOutput {
	t.Helper()
	out, err := e.m.StartMulticastGroupSession(ctx, multicast.StartSessionInput{Id: id, LoRaWAN: multicast.SessionLoRaWAN{
		DlDr: dr, SessionStartTime: start.Format(time.RFC3339), SessionTimeout: ip(timeout)}})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func send(m *multicast.Manager, id string, payload []byte, fport int) (string, error) {
	out, err := m.SendDataToMulticastGroup(ctx, multicast.SendDataInput{Id: id,
		PayloadData:      base64.StdEncoding.EncodeToString(payload),
		WirelessMetadata: multicast.WirelessMetadata{LoRaWAN: multicast.SendLoRaWAN{FPort: &fport}}})
	return out.MessageId, err
}

func key(s string) lorawan.AES128Key {
	var k lorawan.AES128Key
	if err := k.UnmarshalText([]byte(s)); err != nil {
		panic(err)
	}
	return k
}

// decode checks a frame's MIC and returns its FCnt, FPort and plain payload.
func decode(t *testing.T, b []byte) (uint32, int, []byte) {
	t.Helper()
	var p lorawan.PHYPayload
	if err := p.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if p.MHDR.MType != lorawan.UnconfirmedDataDown {
		t.Fatalf("mtype %s", p.MHDR.MType)
	}
	ok, err := p.ValidateDownlinkDataMIC(lorawan.LoRaWAN1_0, 0, key(nwkKey))
	if err != nil || !ok {
		t.Fatalf("MIC does not verify: %v", err)
	}
	if err := p.DecryptFRMPayload(key(appKey)); err != nil {
		t.Fatal(err)
	}
	mp := p.MACPayload.(*lorawan.MACPayload)
	if fmt.Sprintf("%s", mp.FHDR.DevAddr) != addrHex {
		t.Fatalf("addr %s", mp.FHDR.DevAddr)
	}
	return mp.FHDR.FCnt, int(*mp.FPort), mp.FRMPayload[0].(*lorawan.DataPayload).Bytes
}

func wantErr(t *testing.T, err error, kind apierr.Kind, field string) {
	t.Helper()
	var e *apierr.Error
	if !errors.As(err, &e) || e.Kind != kind || (field != "" && e.Field != field) {
		t.Fatalf("err = %v, want %s on %q", err, kind, field)
	}
}

func TestClassCSessionSendsQueuedInOrder(t *testing.T) {
	e := newEnv(t, t.TempDir(), nil)
	e.group(t, "g1", multicast.ClassC, "EU868")
	start := t0.Add(31 * time.Minute)
	out := e.session(t, "g1", start, 100, ip(5))
	if out.State != multicast.StateScheduled || out.LoRaWAN.SessionTimeout != 128 || out.LoRaWAN.DlFreq != 869525000 {
		t.Fatalf("session %+v", out)
	}
	var ids []string
	for i := 0; i < 3; i++ {
		id, err := send(e.m, "g1", []byte(fmt.Sprintf("hello %d", i)), 10+i)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	e.runUntil(t, start.Add(-time.Second))
	if len(e.sim.AirLog()) != 0 || len(e.reps) != 0 {
		t.Fatal("sent before the session start")
	}
	e.runUntil(t, start.Add(10*time.Second))
	if s, _ := e.m.GetMulticastGroupSession(ctx, multicast.GroupIDInput{Id: "g1"}); s.State != multicast.StateActive {
		t.Fatalf("state %s", s.State)
	}
	air := e.sim.AirLog()
	if len(air) != 3 || len(e.reps) != 3 {
		t.Fatalf("%d emissions, %d reports", len(air), len(e.reps))
	}
	for i, em := range air {
		if em.StartTime.Before(start) || !em.InvertIQ || em.Frequency != 869525000 || em.DataRate.Datr() != "SF7BW125" {
			t.Errorf("emission %d: %+v", i, em)
		}
		fc, fp, pl := decode(t, em.Payload)
		if fc != uint32(i) || fp != 10+i || string(pl) != fmt.Sprintf("hello %d", i) {
			t.Errorf("frame %d: fcnt %d port %d payload %q", i, fc, fp, pl)
		}
		r := e.reps[i]
		if r.MessageId != ids[i] || r.Result.Code != scheduler.Sent || r.FCnt != uint32(i) || r.Duplicate ||
			string(r.Payload) != fmt.Sprintf("hello %d", i) {
			t.Errorf("report %d: %+v", i, r)
		}
	}
	// More during the session goes out at once.
	if _, err := send(e.m, "g1", []byte("later"), 1); err != nil {
		t.Fatal(err)
	}
	e.runUntil(t, start.Add(20*time.Second))
	if len(e.reps) != 4 || e.reps[3].FCnt != 3 {
		t.Fatalf("reports %d", len(e.reps))
	}
	// After the end: conflict.
	e.runUntil(t, start.Add(129*time.Second))
	if s, _ := e.m.GetMulticastGroupSession(ctx, multicast.GroupIDInput{Id: "g1"}); s.State != multicast.StateEnded {
		t.Fatalf("state %s", s.State)
	}
	_, err := send(e.m, "g1", []byte("x"), 1)
	wantErr(t, err, apierr.Conflict, "")
}

func TestMessagesThatCannotGoOutAreReported(t *testing.T) {
	e := newEnv(t, t.TempDir(), nil)
	e.group(t, "g1", multicast.ClassC, "EU868")
	start := t0.Add(31 * time.Minute)
	e.session(t, "g1", start, 60, ip(0)) // 64 s at SF12: about 2.8 s per 51-byte frame
	n := 40
	for i := 0; i < n; i++ {
		if _, err := send(e.m, "g1", make([]byte, 51), 1); err != nil {
			t.Fatal(err)
		}
	}
	e.runUntil(t, start.Add(2*time.Minute))
	// What finds no room before the session end is refused by the
	// scheduler: COLLISION_PACKET when the window is taken (the real
	// scheduler's answer for an ASAP item that cannot be placed before its
	// NotAfter), TOO_LATE when the window has passed.
	sent, late := 0, 0
	for _, r := range e.reps {
		switch r.Result.Code {
		case scheduler.Sent:
			sent++
		case scheduler.TooLate, scheduler.CollisionPacket:
			late++
		}
	}
	if len(e.reps) != n || sent == 0 || late == 0 || sent+late != n || e.m.Pending() != 0 {
		codes := map[scheduler.Code]int{}
		for _, r := range e.reps {
			codes[r.Result.Code]++
		}
		t.Fatalf("%d reports: %d sent, %d too late, %d pending: %v", len(e.reps), sent, late, e.m.Pending(), codes)
	}
	if len(e.sim.AirLog()) != sent {
		t.Fatalf("%d emissions for %d sent", len(e.sim.AirLog()), sent)
	}
	for _, em := range e.sim.AirLog() {
		if !em.StartTime.Before(start.Add(64 * time.Second)) {
			t.Errorf("emission at %s after the session end", em.StartTime)
		}
	}
}

func TestClassBPingSlots(t *testing.T) {
	e := newEnv(t, t.TempDir(), nil)
	e.group(t, "b", multicast.ClassB, "EU868")
	start := t0.Add(31 * time.Minute)
	out, err := e.m.StartMulticastGroupSession(ctx, multicast.StartSessionInput{Id: "b", LoRaWAN: multicast.SessionLoRaWAN{
		SessionStartTime: start.Format(time.RFC3339), SessionTimeout: ip(1000), PingSlotPeriod: ip(128)}})
	if err != nil {
		t.Fatal(err)
	}
	if out.LoRaWAN.DlDr != 0 || out.LoRaWAN.DlFreq != 869525000 || out.LoRaWAN.PingSlotPeriod != 128 || out.LoRaWAN.SessionTimeout != 1024 {
		t.Fatalf("session %+v", out)
	}
	for i := 0; i < 2; i++ {
		if _, err := send(e.m, "b", []byte{byte(i)}, 2); err != nil {
			t.Fatal(err)
		}
	}
	e.runUntil(t, start.Add(5*time.Minute))
	air := e.sim.AirLog()
	if len(air) != 2 || len(e.reps) != 2 {
		t.Fatalf("%d emissions %d reports", len(air), len(e.reps))
	}
	firstBeacon := gps.Time(start).TimeSinceGPSEpoch()
	firstBeacon = (firstBeacon + region.BeaconPeriod - 1).Truncate(region.BeaconPeriod)
	addr := lorawan.DevAddr{1, 2, 3, 4}
	eu, err := region.Lookup("EU868")
	if err != nil {
		t.Fatal(err)
	}
	prev := firstBeacon
	for i, em := range air {
		g := gps.Time(em.StartTime).TimeSinceGPSEpoch()
		// The simulator starts at the counter's µs; compare to the µs.
		ps, err := scheduler.NextPingSlot(addr, prev, 128, eu)
		if err != nil {
			t.Fatal(err)
		}
		want := ps.Time
		if d := g - want; d < 0 || d > time.Microsecond {
			t.Errorf("emission %d at GPS %s, want ping slot %s", i, g, want)
		}
		if g < firstBeacon {
			t.Errorf("emission %d before the first beacon period of the session", i)
		}
		bp := g.Truncate(region.BeaconPeriod)
		off, _ := scheduler.PingOffset(addr, bp, 128)
		if slot := (g - bp - region.BeaconReserved) / region.PingSlotLen; int(slot)%128 != off {
			t.Errorf("emission %d in slot %d, offset %d", i, slot, off)
		}
		prev = want + region.PingSlotLen
	}
}

func TestValidation(t *testing.T) {
	e := newEnv(t, t.TempDir(), nil)
	e.group(t, "c", multicast.ClassC, "US915")
	start := t0.Add(time.Hour).Format(time.RFC3339)
	sess := func(mod func(*multicast.SessionLoRaWAN)) error {
		l := multicast.SessionLoRaWAN{SessionStartTime: start, SessionTimeout: ip(600)}
		mod(&l)
		_, err := e.m.StartMulticastGroupSession(ctx, multicast.StartSessionInput{Id: "c", LoRaWAN: l})
		return err
	}
	u := func(v uint32) *uint32 { return &v }
	tests := []struct {
		name  string
		mod   func(*multicast.SessionLoRaWAN)
		field string
	}{
		{"too soon", func(l *multicast.SessionLoRaWAN) { l.SessionStartTime = t0.Add(29 * time.Minute).Format(time.RFC3339) }, "LoRaWAN.SessionStartTime"},
		{"too far", func(l *multicast.SessionLoRaWAN) { l.SessionStartTime = t0.Add(49 * time.Hour).Format(time.RFC3339) }, "LoRaWAN.SessionStartTime"},
		{"timeout short", func(l *multicast.SessionLoRaWAN) { l.SessionTimeout = ip(59) }, "LoRaWAN.SessionTimeout"},
		{"timeout long C", func(l *multicast.SessionLoRaWAN) { l.SessionTimeout = ip(18*3600 + 1) }, "LoRaWAN.SessionTimeout"},
		{"uplink DR", func(l *multicast.SessionLoRaWAN) { l.DlDr = ip(3) }, "LoRaWAN.DlDr"},
		{"no DR", func(l *multicast.SessionLoRaWAN) { l.DlDr = ip(14) }, "LoRaWAN.DlDr"},
		{"freq EU in US", func(l *multicast.SessionLoRaWAN) { l.DlFreq = u(869525000) }, "LoRaWAN.DlFreq"},
		{"freq off channel", func(l *multicast.SessionLoRaWAN) { l.DlFreq = u(923500000) }, "LoRaWAN.DlFreq"},
		{"ping slot on C", func(l *multicast.SessionLoRaWAN) { l.PingSlotPeriod = ip(128) }, "LoRaWAN.PingSlotPeriod"},
	}
	for _, tc := range tests {
		wantErr(t, sess(tc.mod), apierr.Validation, tc.field)
	}
	out := e.session(t, "c", t0.Add(time.Hour), 600, nil)
	if out.LoRaWAN.DlDr != 8 || out.LoRaWAN.DlFreq != 923300000 || out.LoRaWAN.SessionTimeout != 1024 {
		t.Fatalf("US915 defaults %+v", out)
	}
	_, err := send(e.m, "c", make([]byte, 34), 1)
	wantErr(t, err, apierr.Validation, "PayloadData")
	_, err = send(e.m, "c", make([]byte, 33), 0)
	wantErr(t, err, apierr.Validation, "WirelessMetadata.LoRaWAN.FPort")
	_, err = send(e.m, "c", make([]byte, 33), 224)
	wantErr(t, err, apierr.Validation, "WirelessMetadata.LoRaWAN.FPort")
	if _, err := send(e.m, "c", make([]byte, 33), 223); err != nil {
		t.Fatal(err)
	}
	_, err = e.m.SendDataToMulticastGroup(ctx, multicast.SendDataInput{Id: "c", PayloadData: "!!", WirelessMetadata: multicast.WirelessMetadata{LoRaWAN: multicast.SendLoRaWAN{FPort: ip(1)}}})
	wantErr(t, err, apierr.Validation, "PayloadData")
	// Class B: ping-slot period and the 2-day bound.
	e.group2(t, "b", multicast.ClassB, "EU868", "0a0b0c0d")
	_, err = e.m.StartMulticastGroupSession(ctx, multicast.StartSessionInput{Id: "b", LoRaWAN: multicast.SessionLoRaWAN{
		SessionStartTime: start, SessionTimeout: ip(600), PingSlotPeriod: ip(100)}})
	wantErr(t, err, apierr.Validation, "LoRaWAN.PingSlotPeriod")
	_, err = e.m.StartMulticastGroupSession(ctx, multicast.StartSessionInput{Id: "b", LoRaWAN: multicast.SessionLoRaWAN{
		SessionStartTime: start, SessionTimeout: ip(172801)}})
	wantErr(t, err, apierr.Validation, "LoRaWAN.SessionTimeout")
	bo, err := e.m.StartMulticastGroupSession(ctx, multicast.StartSessionInput{Id: "b", LoRaWAN: multicast.SessionLoRaWAN{
		SessionStartTime: start, SessionTimeout: ip(172800)}})
	if err != nil || bo.LoRaWAN.SessionTimeout != 131072 || bo.LoRaWAN.PingSlotPeriod != 4096 {
		t.Fatalf("class B 2 days: %+v %v", bo, err)
	}
	// Group fields.
	bad := []struct {
		l     multicast.GroupLoRaWAN
		field string
	}{
		{multicast.GroupLoRaWAN{RfRegion: "XX1", DlClass: "ClassC", McAddr: "0f0f0f0f"}, "LoRaWAN.RfRegion"},
		{multicast.GroupLoRaWAN{RfRegion: "EU868", DlClass: "ClassA", McAddr: "0f0f0f0f"}, "LoRaWAN.DlClass"},
		{multicast.GroupLoRaWAN{RfRegion: "EU868", DlClass: "ClassC", McAddr: "0f0f0f"}, "LoRaWAN.McAddr"},
		{multicast.GroupLoRaWAN{RfRegion: "EU868", DlClass: "ClassC", McAddr: "0f0f0f0f", McNwkSKey: nwkKey}, "LoRaWAN.McAppSKey"},
		{multicast.GroupLoRaWAN{RfRegion: "EU868", DlClass: "ClassC", McAddr: "0f0f0f0f", McNwkSKey: "00", McAppSKey: appKey}, "LoRaWAN.McNwkSKey"},
	}
	for _, b := range bad {
		_, err := e.m.CreateMulticastGroup(ctx, multicast.CreateGroupInput{LoRaWAN: b.l})
		wantErr(t, err, apierr.Validation, b.field)
	}
	_, err = e.m.CreateMulticastGroup(ctx, multicast.CreateGroupInput{Id: "a/b", LoRaWAN: multicast.GroupLoRaWAN{RfRegion: "EU868", DlClass: "ClassC", McAddr: "0f0f0f0f"}})
	wantErr(t, err, apierr.Validation, "Id")
}

func (e *env) group2(t *testing.T, id, class, reg, addr string) {
	t.Helper()
	if _, err := e.m.CreateMulticastGroup(ctx, multicast.CreateGroupInput{Id: id, LoRaWAN: multicast.GroupLoRaWAN{
		RfRegion: reg, DlClass: class, McAddr: addr, McNwkSKey: nwkKey, McAppSKey: appKey}}); err != nil {
		t.Fatal(err)
	}
}
