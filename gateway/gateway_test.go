package gateway_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lgwagent/lgw/apierr"
	"github.com/lgwagent/lgw/gateway"
	"github.com/lgwagent/lgw/gateway/gatewaytest"
	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/hal/sim"
	"github.com/lgwagent/lgw/multicast"
	"github.com/lgwagent/lgw/scheduler"
	"github.com/lgwagent/lgw/scheduler/schedulertest"
)

// startCore runs a core on the real scheduler on the simulator on
// virtual time, with a subscription opened before Start.
func startCore(t *testing.T) (*gateway.Gateway, *schedulertest.Rig, *gateway.Subscription) {
	t.Helper()
	var sub *gateway.Subscription
	g, rig := newCore(t, "EU868", nil, func(g *gateway.Gateway) { sub = g.Subscribe("test", 64) })
	return g, rig, sub
}

// newCore starts a core for the region on a schedulertest rig (mod, if
// not nil, changes the scheduler's and simulator's configuration; before,
// if not nil, runs before Start). The core stops when the test ends.
func newCore(tb testing.TB, region string, mod func(*scheduler.Config, *sim.Config), before func(*gateway.Gateway)) (*gateway.Gateway, *schedulertest.Rig) {
	tb.Helper()
	rig := schedulertest.New(tb, region, mod)
	g := gatewaytest.New(tb, rig, multicast.Config{Dir: tb.TempDir()})
	if before != nil {
		before(g)
	}
	if err := g.Start(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return g, rig
}

// next returns the next event of kind k, advancing virtual time while it
// waits (the scheduler's and the RX loop's timers run on it).
func next(t *testing.T, rig *schedulertest.Rig, sub *gateway.Subscription, k gateway.EventKind) gateway.Event {
	t.Helper()
	for i := 0; i < 2000; i++ {
		select {
		case ev, ok := <-sub.C:
			if !ok {
				t.Fatal("subscription closed")
			}
			if ev.Kind == k {
				return ev
			}
			continue
		case <-time.After(time.Millisecond):
		}
		rig.Clock.Advance(10 * time.Millisecond)
	}
	t.Fatalf("no %v event", k)
	return gateway.Event{}
}

func TestSendDownlinkEndsInOneReport(t *testing.T) {
	g, rig, sub := startCore(t)
	if ev := next(t, rig, sub, gateway.EventState); ev.State.Concentrator != "running" {
		t.Fatalf("first state %+v", ev.State)
	}
	in := gateway.SendDownlinkInput{PHYPayload: "YLRlwzaHRwAEAAUA0q2EFHt7NA==", Frequency: 869525000, DataRate: ptr(0),
		Timing: gateway.DownlinkTiming{Immediate: true}}
	out, err := g.SendDownlink(context.Background(), in, "test")
	if err != nil || out.MessageId == "" || out.Refusal != nil {
		t.Fatalf("SendDownlink: %+v %v", out, err)
	}
	ev := next(t, rig, sub, gateway.EventReport)
	r := ev.Report
	if r.MessageId != out.MessageId || r.Origin != "test" || r.Result.Code != gateway.Sent || r.DeviceAddr != "36c365b4" {
		t.Fatalf("report %+v", r)
	}
	s, err := g.Snapshot(context.Background())
	if err != nil || s.Tx[gateway.Sent] != 1 || s.LastTx.IsZero() {
		t.Fatalf("snapshot %+v %v", s, err)
	}
}

func TestSendDownlinkRefusalIsReported(t *testing.T) {
	g, rig, sub := startCore(t)
	// A tmst already past: the scheduler refuses at once.
	in := gateway.SendDownlinkInput{PHYPayload: "AQID", Frequency: 869525000, Datr: "SF9BW125",
		Timing: gateway.DownlinkTiming{Tmst: ptr(uint32(rig.Sim.Now()))}}
	out, err := g.SendDownlink(context.Background(), in, "udp")
	if err != nil || out.Refusal == nil {
		t.Fatalf("SendDownlink: %+v %v", out, err)
	}
	ev := next(t, rig, sub, gateway.EventReport)
	if ev.Report.MessageId != out.MessageId || ev.Report.Result.Code != "TOO_LATE" || ev.Report.Origin != "udp" {
		t.Fatalf("report %+v", ev.Report)
	}
}

func TestInputsAreValidatedNamingTheField(t *testing.T) {
	g, _, sub := startCore(t)
	ctx := context.Background()
	bad := gateway.SendDownlinkInput{PHYPayload: "AQID", Frequency: 869525000, DataRate: ptr(0), Power: ptr(99),
		Timing: gateway.DownlinkTiming{Immediate: true}}
	_, err := g.SendDownlink(ctx, bad, "test")
	checkField(t, err, "Power")
	for _, tc := range []struct {
		in    gateway.TestTxInput
		field string
	}{
		{gateway.TestTxInput{Freq: 869525000, Datr: "SF13BW125", Payload: []byte{1}}, "datr"},
		{gateway.TestTxInput{Freq: 869525000, Datr: "SF7BW125", Power: 99, Payload: []byte{1}}, "power"},
		{gateway.TestTxInput{Freq: 869525000, Datr: "SF7BW125", Power: 14}, "payload"},
	} {
		_, err := g.TestTx(ctx, tc.in)
		checkField(t, err, tc.field)
	}
	checkField(t, g.SetLogLevel(ctx, "loud"), "Level")
	select {
	case ev := <-sub.C:
		if ev.Kind == gateway.EventReport {
			t.Fatalf("a refused input was reported: %+v", ev.Report)
		}
	default:
	}
}

func checkField(t *testing.T, err error, field string) {
	t.Helper()
	var e *apierr.Error
	if !errors.As(err, &e) || e.Kind != apierr.Validation || e.Field != field {
		t.Fatalf("error %v: want a ValidationException on %s", err, field)
	}
}

func TestTestTxWaitsForItsResult(t *testing.T) {
	g, rig, _ := startCore(t)
	type res struct {
		out gateway.TestTxOutput
		err error
	}
	done := make(chan res, 1)
	go func() {
		out, err := g.TestTx(context.Background(), gateway.TestTxInput{Freq: 869525000, Datr: "SF7BW125", Power: 14,
			Payload: []byte{1, 2, 3}, Mode: gateway.TxDelay, Delay: 200 * time.Millisecond})
		done <- res{out, err}
	}()
	for i := 0; i < 2000; i++ {
		select {
		case r := <-done:
			if r.err != nil || r.out.Code != gateway.Sent || r.out.Size != 3 || r.out.Airtime <= 0 {
				t.Fatalf("TestTx: %+v %v", r.out, r.err)
			}
			return
		case <-time.After(time.Millisecond):
			rig.Clock.Advance(10 * time.Millisecond)
		}
	}
	t.Fatal("no TestTx result")
}

func TestUplinksLeaveOnTheStream(t *testing.T) {
	g, rig, sub := startCore(t)
	rig.Sim.Inject(schedulertest.Start.Add(50*time.Millisecond), hal.RxPacket{Payload: []byte{7}, Frequency: 868100000,
		DataRate: hal.LoRaRate(7, hal.BW125, hal.CR4_5), CRC: hal.CRCOK})
	ev := next(t, rig, sub, gateway.EventUplink)
	if ev.Uplink.Payload[0] != 7 {
		t.Fatalf("uplink %+v", ev.Uplink)
	}
	s, _ := g.Snapshot(context.Background())
	if s.Rx.OK != 1 || s.LastRx.IsZero() {
		t.Fatalf("rx %+v", s.Rx)
	}
}

func TestSlowSubscriberLosesOnlyItsOwnEvents(t *testing.T) {
	g, rig, fast := startCore(t)
	slow := g.Subscribe("slow", 1)
	for i := 0; i < 3; i++ {
		rig.Sim.Inject(schedulertest.Start.Add(time.Duration(20+10*i)*time.Millisecond), hal.RxPacket{Payload: []byte{byte(i)},
			Frequency: 868100000, DataRate: hal.LoRaRate(7, hal.BW125, hal.CR4_5), CRC: hal.CRCOK})
	}
	for i := 0; i < 3; i++ {
		if ev := next(t, rig, fast, gateway.EventUplink); ev.Uplink.Payload[0] != byte(i) {
			t.Fatalf("fast subscriber: uplink %d is %v", i, ev.Uplink.Payload)
		}
	}
	// The fast subscriber can hold the third uplink before the bus has
	// offered it to the slow one (subscribers are visited in map order,
	// under the bus lock): subscribing takes that lock, so the third
	// publish has finished once it returns.
	g.Subscribe("sync", 1).Close()
	if slow.Dropped() != 2 || fast.Dropped() != 0 {
		t.Fatalf("dropped: slow %d, fast %d", slow.Dropped(), fast.Dropped())
	}
	s, _ := g.Snapshot(context.Background())
	if s.Events.Dropped != 2 {
		t.Fatalf("events %+v", s.Events)
	}
	slow.Close()
	slow.Close()
	if _, ok := <-slow.C; !ok {
		t.Fatal("the buffered event was lost at Close")
	}
}
