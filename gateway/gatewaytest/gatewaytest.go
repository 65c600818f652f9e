// Package gatewaytest builds the application core for tests, on the real
// scheduler over the simulator (schedulertest).
package gatewaytest

import (
	"testing"

	"github.com/lgwagent/lgw/gateway"
	"github.com/lgwagent/lgw/multicast"
	"github.com/lgwagent/lgw/scheduler/schedulertest"
)

// New builds a core (not started) on rig with the multicast configuration
// mc; the core stops when the test ends (a core never started stops as a
// no-op).
func New(tb testing.TB, rig *schedulertest.Rig, mc multicast.Config) *gateway.Gateway {
	tb.Helper()
	chip, err := rig.Sim.Chip()
	if err != nil {
		tb.Fatal(err)
	}
	g, err := gateway.New(gateway.Config{
		Identity: gateway.Identity{GatewayID: chip.EUI.String(), Version: "test", Board: "sim",
			Region: string(rig.Region.Name()), Chip: chip},
		Region: rig.Region, Concentrator: rig.Sim, Scheduler: rig.Scheduler, Multicast: mc, Clock: rig.Clock,
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(g.Stop)
	return g
}
