package gateway_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lgwagent/lgw/gateway"
	"github.com/lgwagent/lgw/scheduler"
)

// A class A downlink whose hand-off came too late (the chip missed its
// trigger) is not sent again: its receive window is gone. It ends in one
// TX_FAILED report that says so, and nothing goes on air.
func TestClassALateHandoffIsNotRetried(t *testing.T) {
	g, rig, sub := startCore(t)
	rig.Sim.MissTriggers(1)
	in := gateway.SendDownlinkInput{PHYPayload: "YLRlwzaHRwAEAAUA0q2EFHt7NA==", Frequency: 869525000, DataRate: ptr(0),
		Class: "A", Timing: gateway.DownlinkTiming{Tmst: ptr(uint32(rig.Sim.Now()) + 500_000)}}
	out, err := g.SendDownlink(context.Background(), in, "test")
	if err != nil || out.Refusal != nil {
		t.Fatalf("SendDownlink: %+v %v", out, err)
	}
	r := next(t, rig, sub, gateway.EventReport).Report
	if r.MessageId != out.MessageId || r.Result.Code != gateway.Code(scheduler.TxFailed) ||
		!errors.Is(r.Result.Err, scheduler.ErrLateHandoff) || !strings.Contains(r.Result.Err.Error(), "never emitted") {
		t.Fatalf("report %+v (%v)", r, r.Result.Err)
	}
	rig.Advance(2*time.Second, 10*time.Millisecond, nil)
	select {
	case ev := <-sub.C:
		if ev.Kind == gateway.EventReport {
			t.Fatalf("second report %+v", ev.Report)
		}
	default:
	}
	if log := rig.Sim.AirLog(); len(log) != 0 {
		t.Fatalf("%d emissions", len(log))
	}
	if s, err := g.Snapshot(context.Background()); err != nil || s.Tx[gateway.Code(scheduler.TxFailed)] != 1 || s.Tx[gateway.Sent] != 0 {
		t.Fatalf("scheduler results %v (%v): want one TX_FAILED and no retry", s.Tx, err)
	}
}
