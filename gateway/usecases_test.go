package gateway_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lgwagent/lgw/apierr"
	"github.com/lgwagent/lgw/gateway"
	"github.com/lgwagent/lgw/multicast"
)

func TestMulticastThroughTheCore(t *testing.T) {
	g, rig, _ := startCore(t)
	ctx := context.Background()
	_, err := g.CreateMulticastGroup(ctx, gateway.CreateGroupInput{Id: "g1", LoRaWAN: gateway.GroupLoRaWAN{
		RfRegion: "EU868", DlClass: multicast.ClassC, McAddr: "01020304",
		McNwkSKey: "000102030405060708090a0b0c0d0e0f", McAppSKey: "f0e0d0c0b0a090807060504030201000"}})
	if err != nil {
		t.Fatal(err)
	}
	start := rig.Clock.Now().Add(31 * time.Minute).UTC().Format(time.RFC3339)
	if _, err := g.StartMulticastGroupSession(ctx, gateway.StartSessionInput{Id: "g1",
		LoRaWAN: gateway.SessionLoRaWAN{SessionStartTime: start, SessionTimeout: ptr(600)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := g.SendDataToMulticastGroup(ctx, gateway.SendDataInput{Id: "g1", PayloadData: "AQID",
		WirelessMetadata: gateway.WirelessMetadata{LoRaWAN: gateway.SendLoRaWAN{FPort: ptr(2)}}}); err != nil {
		t.Fatal(err)
	}
	ss, err := g.Sessions(ctx)
	if err != nil || len(ss) != 1 || ss[0].GroupID != "g1" || ss[0].State != multicast.StateScheduled || ss[0].Queued != 1 {
		t.Fatalf("sessions %+v %v", ss, err)
	}
	if gr, err := g.GetMulticastGroup(ctx, gateway.GroupIDInput{Id: "g1"}); err != nil || gr.Status != multicast.StateScheduled {
		t.Fatalf("group %+v %v", gr, err)
	}
	if err := g.CancelMulticastGroupSession(ctx, gateway.GroupIDInput{Id: "g1"}); err != nil {
		t.Fatal(err)
	}
	if err := g.DeleteMulticastGroup(ctx, gateway.GroupIDInput{Id: "g1"}); err != nil {
		t.Fatal(err)
	}
	if l, err := g.ListMulticastGroups(ctx); err != nil || len(l.List) != 0 {
		t.Fatalf("groups %+v %v", l, err)
	}
}

func TestRestartLogLevelAndQueue(t *testing.T) {
	g, rig, sub := startCore(t)
	ctx := context.Background()
	if err := g.SetLogLevel(ctx, "debug"); err != nil || g.LogLevel() != "debug" {
		t.Fatalf("log level %s, %v", g.LogLevel(), err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := g.TestTx(ctx, gateway.TestTxInput{Freq: 869525000, Datr: "SF7BW125", Power: 14, Payload: []byte{1},
			Mode: gateway.TxDelay, Delay: time.Minute})
		done <- err
	}()
	var q []gateway.QueuedItem
	for i := 0; i < 1000 && len(q) == 0; i++ {
		<-time.After(time.Millisecond) // let TestTx reach the scheduler
		q, _ = g.Queue(ctx)
	}
	if len(q) != 1 || q[0].Origin != "cli" {
		t.Fatalf("queue %+v", q)
	}
	next(t, rig, sub, gateway.EventState) // running, at start
	if err := g.RestartConcentrator(ctx); err != nil {
		t.Fatal(err)
	}
	if ev := next(t, rig, sub, gateway.EventState); ev.State.Concentrator != "stopped" || ev.State.Reason != "restart" {
		t.Fatalf("state %+v", ev.State)
	}
	if ev := next(t, rig, sub, gateway.EventState); ev.State.Concentrator != "running" {
		t.Fatalf("state %+v", ev.State)
	}
	if err := <-done; err != nil {
		t.Fatalf("TestTx across a restart: %v", err)
	}
	g.Stop()
	var e *apierr.Error
	if _, err := g.Queue(ctx); !errors.As(err, &e) || e.Kind != apierr.InternalServer || !errors.Is(err, gateway.ErrStopped) {
		t.Fatalf("queue after stop: %v", err)
	}
}
