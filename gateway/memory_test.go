package gateway_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/lgwagent/lgw/gateway"
	"github.com/lgwagent/lgw/hal/sim"
	"github.com/lgwagent/lgw/multicast"
	"github.com/lgwagent/lgw/scheduler"
	"github.com/lgwagent/lgw/scheduler/schedulertest"
)

// BenchmarkQueuedDownlinkMemory measures the live heap that 10,000
// downlinks queued through SendDownlink (the path every adapter takes)
// hold, per downlink, after a collection.
func BenchmarkQueuedDownlinkMemory(b *testing.B) {
	const n = 10000
	for range b.N {
		rig := schedulertest.New(b, "US915", func(c *scheduler.Config, _ *sim.Config) { c.Capacity = n })
		chip, _ := rig.Sim.Chip()
		g, err := gateway.New(gateway.Config{
			Identity: gateway.Identity{GatewayID: chip.EUI.String(), Version: "bench", Board: "sim", Region: "US915", Chip: chip},
			Region:   rig.Region, Concentrator: rig.Sim, Scheduler: rig.Scheduler,
			Multicast: multicast.Config{Dir: b.TempDir()}, Clock: rig.Clock,
		})
		if err != nil {
			b.Fatal(err)
		}
		if err := g.Start(context.Background()); err != nil {
			b.Fatal(err)
		}
		before := liveHeap()
		now := uint32(rig.Sim.Now())
		for i := range n {
			tmst := now + 10_000_000 + uint32(i)*100_000
			in := gateway.SendDownlinkInput{PHYPayload: "YLRlwzaHRwAEAAUA0q2EFHt7NA==", Frequency: 923300000, DataRate: ptr(13),
				Timing: gateway.DownlinkTiming{Tmst: &tmst}}
			if out, err := g.SendDownlink(context.Background(), in, "mqtt"); err != nil || out.Refusal != nil {
				b.Fatalf("%d: %v %v", i, err, out.Refusal)
			}
		}
		b.ReportMetric(float64(liveHeap()-before)/n, "heap-B/queued")
		g.Stop()
	}
}

func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
