package multicast_test

import (
	"encoding/base64"
	"testing"
	"time"

	"github.com/brocaar/lorawan"

	"github.com/lgwagent/lgw/apierr"
	"github.com/lgwagent/lgw/multicast"
	"github.com/lgwagent/lgw/scheduler"
)

func TestConflictsAndNotFound(t *testing.T) {
	e := newEnv(t, t.TempDir(), nil)
	e.group(t, "g", multicast.ClassC, "EU868")
	// Same parameters: idempotent; other parameters: conflict.
	e.group(t, "g", multicast.ClassC, "EU868")
	_, err := e.m.CreateMulticastGroup(ctx, multicast.CreateGroupInput{Id: "g", LoRaWAN: multicast.GroupLoRaWAN{
		RfRegion: "EU868", DlClass: "ClassB", McAddr: addrHex, McNwkSKey: nwkKey, McAppSKey: appKey}})
	wantErr(t, err, apierr.Conflict, "Id")
	gen, err := e.m.CreateMulticastGroup(ctx, multicast.CreateGroupInput{LoRaWAN: multicast.GroupLoRaWAN{
		RfRegion: "EU868", DlClass: "ClassC", McAddr: "0a0a0a0a", McNwkSKey: nwkKey, McAppSKey: appKey}})
	if err != nil || len(gen.Id) != 36 {
		t.Fatalf("generated id %q, %v", gen.Id, err)
	}
	_, err = send(e.m, "g", []byte("x"), 1)
	wantErr(t, err, apierr.Conflict, "Id")
	for _, err := range []error{
		func() error { _, err := send(e.m, "nope", []byte("x"), 1); return err }(),
		func() error { _, err := e.m.GetMulticastGroup(ctx, multicast.GroupIDInput{Id: "nope"}); return err }(),
		e.m.CancelMulticastGroupSession(ctx, multicast.GroupIDInput{Id: "nope"}),
		e.m.DeleteMulticastGroup(ctx, multicast.GroupIDInput{Id: "nope"}),
		func() error {
			_, err := e.m.StartMulticastGroupSession(ctx, multicast.StartSessionInput{Id: "nope"})
			return err
		}(),
	} {
		wantErr(t, err, apierr.ResourceNotFound, "")
	}
	// Address or keys cannot change once a session is scheduled.
	upd := func(addr, nk string) error {
		return e.m.UpdateMulticastGroup(ctx, multicast.UpdateGroupInput{Id: "g", LoRaWAN: multicast.GroupLoRaWAN{
			RfRegion: "EU868", DlClass: "ClassC", McAddr: addr, McNwkSKey: nk, McAppSKey: appKey}})
	}
	if err := upd("05050505", nwkKey); err != nil {
		t.Fatalf("update without session: %v", err)
	}
	if err := upd(addrHex, nwkKey); err != nil {
		t.Fatal(err)
	}
	e.session(t, "g", t0.Add(40*time.Minute), 60, nil)
	wantErr(t, upd("06060606", nwkKey), apierr.Conflict, "LoRaWAN.McAddr")
	wantErr(t, upd(addrHex, appKey), apierr.Conflict, "LoRaWAN.McNwkSKey")
	wantErr(t, upd("0a0a0a0a", nwkKey), apierr.Conflict, "LoRaWAN.McAddr") // used by the other group
	if g, _ := e.m.GetMulticastGroup(ctx, multicast.GroupIDInput{Id: "g"}); g.Status != multicast.StateScheduled || !g.LoRaWAN.HasKeys {
		t.Fatalf("group %+v", g)
	}
}

func TestReplaceCancelAndDelete(t *testing.T) {
	e := newEnv(t, t.TempDir(), nil)
	e.group(t, "g", multicast.ClassC, "EU868")
	e.session(t, "g", t0.Add(40*time.Minute), 60, nil)
	id, err := send(e.m, "g", []byte("a"), 1)
	if err != nil {
		t.Fatal(err)
	}
	// A new schedule overrides the previous one; the message waits for it.
	newStart := t0.Add(2 * time.Hour)
	out := e.session(t, "g", newStart, 300, ip(3))
	if out.LoRaWAN.DlDr != 3 || out.LoRaWAN.SessionTimeout != 512 {
		t.Fatalf("%+v", out)
	}
	e.runUntil(t, t0.Add(time.Hour))
	if len(e.reps) != 0 {
		t.Fatal("sent in the replaced session")
	}
	e.runUntil(t, newStart.Add(5*time.Second))
	if len(e.reps) != 1 || e.reps[0].MessageId != id || e.reps[0].Result.Code != scheduler.Sent {
		t.Fatalf("reports %+v", e.reps)
	}
	if em := e.sim.AirLog()[0]; em.StartTime.Before(newStart) || em.DataRate.Datr() != "SF9BW125" {
		t.Fatalf("emission %+v", em)
	}
	// Cancel (under the seed guide's name): queued messages end CANCELLED.
	e.session(t, "g", newStart.Add(time.Hour), 60, nil)
	if _, err := send(e.m, "g", []byte("b"), 1); err != nil {
		t.Fatal(err)
	}
	if err := e.m.DeleteMulticastGroupSession(ctx, multicast.GroupIDInput{Id: "g"}); err != nil {
		t.Fatal(err)
	}
	e.settle(t)
	if len(e.reps) != 2 || e.reps[1].Result.Code != scheduler.Cancelled {
		t.Fatalf("reports %+v", e.reps)
	}
	_, err = e.m.GetMulticastGroupSession(ctx, multicast.GroupIDInput{Id: "g"})
	wantErr(t, err, apierr.ResourceNotFound, "Id")
	if err := e.m.DeleteMulticastGroup(ctx, multicast.GroupIDInput{Id: "g"}); err != nil {
		t.Fatal(err)
	}
	if l, _ := e.m.ListMulticastGroups(ctx); len(l.List) != 0 {
		t.Fatalf("list %+v", l)
	}
}

func TestRestartKeepsEverythingAndNeverReusesFCnt(t *testing.T) {
	dir := t.TempDir()
	e := newEnv(t, dir, nil)
	e.group(t, "g", multicast.ClassC, "EU868")
	start := t0.Add(31 * time.Minute)
	e.session(t, "g", start, 3600, ip(5))
	for i := 0; i < 3; i++ {
		if _, err := send(e.m, "g", []byte{byte(i)}, 1); err != nil {
			t.Fatal(err)
		}
	}
	e.runUntil(t, start.Add(time.Second))
	if len(e.reps) != 3 {
		t.Fatalf("%d reports", len(e.reps))
	}
	// A clean restart, then one more message.
	e.m.Stop()
	e2 := &env{clk: e.clk, sim: e.sim, sched: e.sched, tx: e.tx, dir: dir}
	e2.open(t)
	g, _ := e2.m.GetMulticastGroup(ctx, multicast.GroupIDInput{Id: "g"})
	// 3 counters used, reserved in blocks of 4: the restart resumes at 4.
	if g.LoRaWAN.NextFCnt != 4 || g.Status != multicast.StateActive {
		t.Fatalf("after restart %+v", g)
	}
	if _, err := send(e2.m, "g", []byte("after"), 1); err != nil {
		t.Fatal(err)
	}
	e2.runUntil(t, start.Add(2*time.Second))
	if len(e2.reps) != 1 || e2.reps[0].FCnt != 4 || e2.reps[0].Duplicate {
		t.Fatalf("reports %+v", e2.reps)
	}
	seen := map[uint32]bool{}
	for _, em := range e.sim.AirLog() {
		fc, _, _ := decode(t, em.Payload)
		if seen[fc] {
			t.Fatalf("FCnt %d twice", fc)
		}
		seen[fc] = true
	}
}

func TestKeylessGroupTakesReadyFrames(t *testing.T) {
	e := newEnv(t, t.TempDir(), nil)
	if _, err := e.m.CreateMulticastGroup(ctx, multicast.CreateGroupInput{Id: "k", LoRaWAN: multicast.GroupLoRaWAN{
		RfRegion: "EU868", DlClass: "ClassC", McAddr: addrHex}}); err != nil {
		t.Fatal(err)
	}
	start := t0.Add(31 * time.Minute)
	e.session(t, "k", start, 60, nil)
	phy, err := multicast.BuildFrame([4]byte{1, 2, 3, 4}, 77, 5, []byte("ready"), [16]byte{1}, [16]byte{2})
	if err != nil {
		t.Fatal(err)
	}
	other, _ := multicast.BuildFrame([4]byte{9, 9, 9, 9}, 77, 5, []byte("ready"), [16]byte{1}, [16]byte{2})
	_, err = e.m.SendDataToMulticastGroup(ctx, multicast.SendDataInput{Id: "k", PayloadData: base64.StdEncoding.EncodeToString(other)})
	wantErr(t, err, apierr.Validation, "PayloadData")
	big, _ := multicast.BuildFrame([4]byte{1, 2, 3, 4}, 77, 5, make([]byte, 52), [16]byte{1}, [16]byte{2})
	_, err = e.m.SendDataToMulticastGroup(ctx, multicast.SendDataInput{Id: "k", PayloadData: base64.StdEncoding.EncodeToString(big)})
	wantErr(t, err, apierr.Validation, "PayloadData")
	if _, err := e.m.SendDataToMulticastGroup(ctx, multicast.SendDataInput{Id: "k", PayloadData: base64.StdEncoding.EncodeToString(phy)}); err != nil {
		t.Fatal(err)
	}
	e.runUntil(t, start.Add(5*time.Second))
	air := e.sim.AirLog()
	if len(air) != 1 || string(air[0].Payload) != string(phy) || len(e.reps) != 1 || e.reps[0].FCnt != 77 || e.reps[0].FPort != 5 {
		t.Fatalf("air %d reports %+v", len(air), e.reps)
	}
	var p lorawan.PHYPayload
	if err := p.UnmarshalBinary(air[0].Payload); err != nil {
		t.Fatal(err)
	}
}
