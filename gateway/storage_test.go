package gateway_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lgwagent/lgw/apierr"
	"github.com/lgwagent/lgw/gateway"
	"github.com/lgwagent/lgw/gateway/gatewaytest"
	"github.com/lgwagent/lgw/multicast"
	"github.com/lgwagent/lgw/scheduler/schedulertest"
)

// SendDownlink checks frequency, power and data rate against the region
// and the board at admission: a ValidationException naming the field, no
// report.
func TestSendDownlinkAdmission(t *testing.T) {
	g, _, sub := startCore(t)
	cases := []struct {
		name  string
		edit  func(*gateway.SendDownlinkInput)
		field string
	}{
		{"power above EU868's limit", func(in *gateway.SendDownlinkInput) { in.Power = ptr(30) }, "Power"},
		{"915 MHz in EU868", func(in *gateway.SendDownlinkInput) { in.Frequency = 915_000_000 }, "Frequency"},
		{"SF7BW500 in EU868", func(in *gateway.SendDownlinkInput) { in.DataRate, in.Datr = nil, "SF7BW500" }, "Datr"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := gateway.SendDownlinkInput{PHYPayload: "YLRlwzaHRwAEAAUA0q2EFHt7NA==", Frequency: 868_100_000,
				DataRate: ptr(0), Power: ptr(14), Timing: gateway.DownlinkTiming{Immediate: true}}
			tc.edit(&in)
			_, err := g.SendDownlink(context.Background(), in, "test")
			var ae *apierr.Error
			if !errors.As(err, &ae) || ae.Kind != apierr.Validation || ae.Field != tc.field {
				t.Fatalf("err %v: want ValidationException on %s", err, tc.field)
			}
		})
	}
	for {
		select {
		case ev := <-sub.C:
			if ev.Kind == gateway.EventReport {
				t.Fatalf("a refused SendDownlink was reported: %+v", ev.Report)
			}
			continue
		default:
		}
		break
	}
}

// A store with no readable generation degrades multicast only: the core
// starts, multicast operations answer InternalServerException naming the
// file and the fix, the snapshot and an event carry the condition, unicast
// downlinks work, and ResetMulticastStore clears it.
func TestDegradedStoreDegradesMulticastOnly(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "multicast-queue.state")
	if err := os.WriteFile(bad, []byte("garbage\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	rig := schedulertest.New(t, "EU868", nil)
	g := gatewaytest.New(t, rig, multicast.Config{Dir: dir})
	sub := g.Subscribe("test", 64)
	if err := g.Start(context.Background()); err != nil {
		t.Fatalf("the core did not start on a damaged store: %v", err)
	}
	ev := next(t, rig, sub, gateway.EventState)
	for ev.State.Storage == nil {
		ev = next(t, rig, sub, gateway.EventState)
	}
	if !ev.State.Storage.Degraded {
		t.Fatalf("storage event %+v", ev.State.Storage)
	}
	_, err := g.ListMulticastGroups(context.Background())
	var ae *apierr.Error
	if !errors.As(err, &ae) || ae.Kind != apierr.InternalServer || !strings.Contains(ae.Message, bad) ||
		!strings.Contains(ae.Message, "ResetMulticastStore") {
		t.Fatalf("multicast in degraded mode: %v", err)
	}
	snap, err := g.Snapshot(context.Background())
	if err != nil || !snap.Storage.Degraded || snap.Storage.Storage != multicast.StorageCorrupt {
		t.Fatalf("snapshot storage %+v (%v)", snap.Storage, err)
	}
	out, err := g.SendDownlink(context.Background(), gateway.SendDownlinkInput{PHYPayload: "YLRlwzaHRwAEAAUA0q2EFHt7NA==",
		Frequency: 869525000, DataRate: ptr(0), Timing: gateway.DownlinkTiming{Immediate: true}}, "test")
	if err != nil || out.Refusal != nil {
		t.Fatalf("unicast downlink on a degraded store: %+v %v", out, err)
	}
	if rep := next(t, rig, sub, gateway.EventReport); rep.Report.Result.Code != gateway.Sent {
		t.Fatalf("report %+v", rep.Report)
	}
	res, err := g.ResetMulticastStore(context.Background())
	if err != nil || res.Health.Degraded || len(res.Moved) != 1 {
		t.Fatalf("reset: %+v %v", res, err)
	}
	if _, err := os.Stat(bad + ".bad"); err != nil {
		t.Fatalf("the unreadable file was not kept aside: %v", err)
	}
	if _, err := g.ListMulticastGroups(context.Background()); err != nil {
		t.Fatal(err)
	}
}
