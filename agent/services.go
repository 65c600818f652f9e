package agent

import (
	"context"
	"fmt"
	"time"

	"github.com/brocaar/lorawan"
	"go.uber.org/zap"

	"github.com/lgwagent/lgw/control"
	lgwmqtt "github.com/lgwagent/lgw/mqtt"
	"github.com/lgwagent/lgw/multicast"
	"github.com/lgwagent/lgw/scheduler"
)

// startServices starts, in order, the multicast service, the MQTT client
// (when enabled), the UDP forwarders (when configured) and the control
// socket.
func (a *Agent) startServices(ctx context.Context) error {
	a.runCtx = ctx
	m, err := multicast.Open(multicast.Config{
		Dir: a.cfg.Storage.Dir, Clock: a.clk, Tx: a.sched, Reports: a.onMulticastReport, Log: a.log.Named("multicast"),
		MinStartLead: a.cfg.Multicast.MinStartLead.D(), MaxStartAhead: a.cfg.Multicast.MaxStartAhead.D(),
		TxPower: int8(a.cfg.Multicast.TxPower),
		NextPingSlot: func(addr [4]byte, after time.Duration, period int) (time.Duration, error) {
			ps, err := scheduler.NextPingSlot(lorawan.DevAddr(addr), after, period, a.region)
			return ps.Time, err
		},
	})
	if err != nil {
		return fmt.Errorf("multicast: %w", err)
	}
	if err := m.Start(ctx); err != nil {
		return fmt.Errorf("multicast: %w", err)
	}
	a.mc, a.mcast = m, m

	if a.cfg.MQTT.Enabled {
		if err := a.startMQTT(ctx, m); err != nil {
			return err
		}
	}
	if err := a.startUDP(); err != nil {
		return fmt.Errorf("udp: %w", err)
	}

	a.ctl = control.NewServer(a.cfg.Control.Socket, a.cfg.Control.Group, a, a.log.Named("control"), control.WithClock(a.clk))
	if err := a.ctl.Start(ctx); err != nil {
		return fmt.Errorf("control socket: %w", err)
	}
	a.log.Info("control socket listening", zap.String("socket", a.cfg.Control.Socket))
	return nil
}

// startMQTT connects to the broker: the MQTT API of multicast, downlinks
// and management.
func (a *Agent) startMQTT(ctx context.Context, m *multicast.Manager) error {
	c, err := lgwmqtt.New(a.cfg.MQTT, a.gatewayID, backend{API: m, a: a}, a.clk, a.log.Named("mqtt"))
	if err != nil {
		return fmt.Errorf("mqtt: %w", err)
	}
	c.SetState(lgwmqtt.State{Version: a.opts.Version, Board: a.board.Name, Region: string(a.region.Name()),
		Chip: lgwmqtt.Chip{Model: a.chip.Model, EUI: a.chip.EUI.String()}})
	if err := c.Start(ctx); err != nil {
		return fmt.Errorf("mqtt: %w", err)
	}
	a.mq = c
	a.mqttStatus = func() control.MQTTStatus {
		st := c.Stats()
		return control.MQTTStatus{Server: a.cfg.MQTT.Server, Connected: st.Connected, Buffered: st.Buffered}
	}
	a.mqttCounters = func() (uint64, uint64, uint64) {
		st := c.Stats()
		var pub, drop uint64
		for _, n := range st.Published {
			pub += n
		}
		for _, n := range st.Dropped {
			drop += n
		}
		return pub, drop, st.Reconnects
	}
	return nil
}

// stopServices stops them in reverse order.
func (a *Agent) stopServices() {
	if a.ctl != nil {
		a.ctl.Stop()
	}
	if a.udp != nil {
		a.udp.Stop()
	}
	if a.mq != nil {
		a.mq.Stop()
	}
	if a.mc != nil {
		a.mc.Stop()
	}
}
