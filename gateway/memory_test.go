package gateway_test

import (
	"context"
	"testing"

	"github.com/lgwagent/lgw/gateway"
	"github.com/lgwagent/lgw/hal/sim"
	"github.com/lgwagent/lgw/internal/memtest"
	"github.com/lgwagent/lgw/scheduler"
)

// BenchmarkQueuedDownlinkMemory measures the live heap that 10,000
// downlinks queued through SendDownlink (the path every adapter takes)
// hold, per downlink, after a collection.
func BenchmarkQueuedDownlinkMemory(b *testing.B) {
	const n = 10000
	for range b.N {
		g, rig := newCore(b, "US915", func(c *scheduler.Config, _ *sim.Config) { c.Capacity = n }, nil)
		before := memtest.LiveHeap()
		now := uint32(rig.Sim.Now())
		for i := range n {
			tmst := now + 10_000_000 + uint32(i)*100_000
			in := gateway.SendDownlinkInput{PHYPayload: "YLRlwzaHRwAEAAUA0q2EFHt7NA==", Frequency: 923300000, DataRate: ptr(13),
				Timing: gateway.DownlinkTiming{Tmst: &tmst}}
			if out, err := g.SendDownlink(context.Background(), in, "mqtt"); err != nil || out.Refusal != nil {
				b.Fatalf("%d: %v %v", i, err, out.Refusal)
			}
		}
		b.ReportMetric(float64(memtest.LiveHeap()-before)/n, "heap-B/queued")
	}
}
