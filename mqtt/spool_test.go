package mqtt_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/mqtt"
	"github.com/lgwagent/lgw/mqtt/broker"
)

func uplink(i int) hal.RxPacket {
	return hal.RxPacket{Payload: []byte{byte(i)}, Frequency: 868100000, DataRate: hal.LoRaRate(7, hal.BW125, hal.CR4_5), CRC: hal.CRCOK}
}

// TestSpoolKeepsReportsPastTheBufferAndARestart stops the broker for
// longer than the memory buffer holds, restarts lgw's client while the
// broker is down, and checks that every report arrives once, in order,
// while uplinks were evicted from the memory buffer first.
func TestSpoolKeepsReportsPastTheBufferAndARestart(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, broker.Options{}, func(c *mqtt.Config) { c.BufferSize, c.SpoolDir, c.SpoolMax = 5, dir, 1000 })
	down := h.b.Collect("lgw/" + gw + "/down")
	up := h.b.Collect("lgw/" + gw + "/up")
	if err := h.b.Stop(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "disconnect", func() bool { return !h.c.Connected() })
	const n = 60
	for i := range n {
		h.c.PublishDownlinkReport(report(i))
		h.c.PublishUplink(uplink(i))
	}
	st := h.c.Stats()
	if st.Spool.Depth != n || st.Dropped["downlink"] != 0 || st.Dropped["uplink"] != n-5 || st.Buffered != 5 {
		t.Fatalf("stats while down: %+v", st)
	}
	// lgw restarts while the broker is down.
	h.c.Stop()
	c2, err := mqtt.New(h.cfg, gw, h.fake, h.clk, zaptest.NewLogger(t, zaptest.Level(zap.DebugLevel)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c2.Stop)
	if d := c2.Stats().Spool.Depth; d != n {
		t.Fatalf("spool after restart holds %d, want %d", d, n)
	}
	if err := c2.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := h.b.Restart(); err != nil {
		t.Fatal(err)
	}
	down.WaitN(3*wait, n)
	ids := packetIDs(t, down)
	if len(ids) != n {
		t.Fatalf("%d reports, want %d", len(ids), n)
	}
	for i, id := range ids {
		if id != fmt.Sprintf("m%d", i) {
			t.Fatalf("report %d is %s: order or duplicates %v", i, id, ids)
		}
	}
	waitFor(t, "spool drained", func() bool { return c2.Stats().Spool.Depth == 0 })
	if got := len(up.All()); got > 5 {
		t.Fatalf("%d uplinks delivered, the memory buffer holds 5", got)
	}
}

// TestSpoolBoundDropsOldestAndSaysWhich overflows a tiny spool: the
// oldest reports go, and a reports_lost message names them.
func TestSpoolBoundDropsOldestAndSaysWhich(t *testing.T) {
	h := newHarness(t, broker.Options{}, func(c *mqtt.Config) { c.SpoolDir, c.SpoolMax = t.TempDir(), 3 })
	down := h.b.Collect("lgw/" + gw + "/down")
	if err := h.b.Stop(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "disconnect", func() bool { return !h.c.Connected() })
	for i := 1; i <= 5; i++ {
		h.c.PublishDownlinkReport(report(i))
	}
	if st := h.c.Stats().Spool; st.Dropped != 2 || st.Depth != 3 || st.Max != 3 {
		t.Fatalf("spool stats %+v", st)
	}
	if err := h.b.Restart(); err != nil {
		t.Fatal(err)
	}
	all := down.WaitN(3*wait, 5)
	var lost []string
	var reports []string
	for _, m := range all {
		var msg mqtt.Message
		if err := json.Unmarshal(m.Payload, &msg); err != nil {
			t.Fatal(err)
		}
		if msg.Type == mqtt.TypeReportsLost {
			var p mqtt.ReportsLost
			if err := json.Unmarshal(msg.Params, &p); err != nil {
				t.Fatal(err)
			}
			lost = append(lost, p.MessageIds...)
			continue
		}
		reports = append(reports, msg.Meta.PacketID)
	}
	if fmt.Sprint(reports) != "[m3 m4 m5]" || fmt.Sprint(lost) != "[m1 m2]" {
		t.Fatalf("reports %v, lost %v", reports, lost)
	}
}
