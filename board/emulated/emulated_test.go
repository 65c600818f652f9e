package emulated

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/board"
	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/hal/sim"
	"github.com/lgwagent/lgw/region"
	"github.com/lgwagent/lgw/sx1302/sx1302test"
)

func TestEmulatedBoardsRegistered(t *testing.T) {
	for _, n := range []string{"sim", "sx1302-emulated"} {
		if _, err := board.Lookup(n); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
	b, err := board.Lookup("sx1302-emulated")
	if err != nil || b.Chip != "sx1302" || len(b.TxGains) != 16 {
		t.Errorf("sx1302-emulated: %v %+v", err, b)
	}
}

func TestEmulatedBoardReceivesTraffic(t *testing.T) {
	v := clock.NewVirtual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	r, err := region.Lookup("EU868")
	if err != nil {
		t.Fatal(err)
	}
	b, err := board.Lookup("sx1302-emulated")
	if err != nil {
		t.Fatal(err)
	}
	const traffic = "../../examples/traffic.jsonl"
	hw, err := b.Open(board.Params{Clock: v, Log: zap.NewNop(), Region: r, FirmwareDir: t.TempDir(), Sim: board.SimParams{Traffic: traffic}})
	if err != nil {
		t.Fatal(err)
	}
	defer hw.Close()
	c := hw.Concentrator
	if err := sx1302test.Pump(v, func() error { return c.Start(context.Background()) }); err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	f, err := os.Open(traffic)
	if err != nil {
		t.Fatal(err)
	}
	ups, err := sim.ParseTraffic(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	now, _ := c.Counter()
	v.Advance(ups[len(ups)-1].At + time.Second)
	got, err := c.Receive()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(ups) {
		t.Fatalf("received %d of %d uplinks", len(got), len(ups))
	}
	// Receive started when the ARB resumed, at the end of Start; Pump may
	// have moved the virtual clock past that to the driver's next timer
	// before Counter was read, so timestamps are checked against the first
	// uplink's, which must be in the past of now.
	start := int64(uint32(got[0].Count)) - ups[0].At.Microseconds()
	if start > int64(uint32(now)) {
		t.Errorf("first uplink at %d: receive would have started at %d, after Start returned at %d", got[0].Count, start, now)
	}
	for i, g := range got {
		w := ups[i].Packet
		if g.Frequency != w.Frequency || g.DataRate != w.DataRate || string(g.Payload) != string(w.Payload) ||
			g.CRC != w.CRC || g.SNR-w.SNR > 0.13 || w.SNR-g.SNR > 0.13 || g.RSSIChannel-w.RSSIChannel > 0.6 || w.RSSIChannel-g.RSSIChannel > 0.6 {
			t.Errorf("uplink %d: got %v, want %v", i, g, w)
		}
		want := start + ups[i].At.Microseconds()
		if d := int64(uint32(g.Count)) - want; d > 2 || d < -2 {
			t.Errorf("uplink %d: tmst %d, want %d", i, g.Count, want)
		}
	}
}

// TestFineTimestampReachesTheDriver: the emulated board is an SX1302, so
// asking for SX1303 fine timestamps fails at start, naming the option.
func TestFineTimestampReachesTheDriver(t *testing.T) {
	b, err := board.Lookup("sx1302-emulated")
	if err != nil {
		t.Fatal(err)
	}
	reg, err := region.Lookup("EU868")
	if err != nil {
		t.Fatal(err)
	}
	hw, err := b.Open(board.Params{Clock: clock.Real(), Region: reg, FirmwareDir: t.TempDir(), FineTimestamp: true})
	if err != nil {
		t.Fatal(err)
	}
	defer hw.Close()
	err = hw.Concentrator.Start(context.Background())
	if err == nil {
		_ = hw.Concentrator.Stop()
		t.Fatal("fine timestamps accepted on an SX1302")
	}
	if !strings.Contains(err.Error(), "fine_timestamp") {
		t.Fatalf("error does not name the option: %v", err)
	}
}
