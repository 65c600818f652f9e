package agent

import (
	"fmt"

	"github.com/lgwagent/lgw/udp"
)

// buildUDP attaches one UDP forwarder per [[forwarder]] to the core: it
// subscribes now, so it misses no uplink, and registers each server's
// status for the Snapshot (`lgw status`).
func (a *Agent) buildUDP() error {
	if len(a.cfg.Forwarders) == 0 {
		return nil
	}
	cfgs := make([]udp.Config, len(a.cfg.Forwarders))
	for i, f := range a.cfg.Forwarders {
		cfgs[i] = f.UDP()
	}
	svc, err := udp.New(cfgs, a.gw.GatewayID(), a.gw, udp.Options{Clock: a.clk, Log: a.log.Named("udp")})
	if err != nil {
		return fmt.Errorf("udp: %w", err)
	}
	svc.Register(a.gw.RegisterAdapter)
	a.udp, a.udpEvents = svc, a.gw.Subscribe("udp", 0)
	return nil
}
