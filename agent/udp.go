package agent

import (
	"fmt"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/control"
	"github.com/lgwagent/lgw/hal"
	lgwmqtt "github.com/lgwagent/lgw/mqtt"
	"github.com/lgwagent/lgw/scheduler"
	"github.com/lgwagent/lgw/udp"
)

// udpCore is what the UDP adapter runs downlinks against: the one
// scheduler every adapter shares.
type udpCore struct{ a *Agent }

var _ udp.Core = udpCore{}

// udpClass is the class a txpk's timing implies, as the reference
// forwarder reads it: tmst class A, tmms class B, imme class C.
var udpClass = map[udp.TimingMode]scheduler.Class{udp.AtCount: scheduler.ClassA, udp.AtGPSTime: scheduler.ClassB,
	udp.Immediate: scheduler.ClassC}

// SendDownlink admits a txpk on the scheduler. A failure after admission
// is reported on MQTT (when configured) like any downlink's.
func (c udpCore) SendDownlink(d udp.Downlink, done func(udp.Result)) udp.Admission {
	a := c.a
	s := a.sched
	if s == nil {
		return udp.Admission{Code: string(scheduler.TxFailed), Err: ErrStopped}
	}
	req := scheduler.Request{Ref: newMessageID(), Class: udpClass[d.Timing], Packet: d.Packet, Origin: d.Origin}
	switch d.Timing {
	case udp.AtCount:
		req.Timing = scheduler.Timing{Mode: scheduler.AtCount, Count: d.Count}
	case udp.AtGPSTime:
		req.Timing = scheduler.Timing{Mode: scheduler.AtGPSTime, GPSTime: d.GPSTime}
	default:
		req.Timing = scheduler.Timing{Mode: scheduler.ASAP}
	}
	if !d.PowerGiven {
		req.Packet.Power = a.region.MaxTxPower(d.Packet.Frequency)
	}
	power, err := s.TxPower(req.Packet)
	if err == nil {
		req.Done = func(r scheduler.Result) {
			a.noteResult(r)
			if r.Code != scheduler.Sent {
				a.publishReport(lgwmqtt.ReportFromUnicast(a.gatewayID, r.Ref, r))
			}
			done(udp.Result{Code: string(r.Code), Err: r.Err, Count: r.Count})
		}
		err = s.Schedule(req)
	}
	if err != nil {
		// Refusals carry their code; anything else (a data rate the
		// region does not have) is TX_FAILED.
		return udp.Admission{Code: string(scheduler.CodeOf(err)), Err: err}
	}
	return udp.Admission{Power: power}
}

// Position is the configured position (stat's lati, long, alti).
func (c udpCore) Position() (udp.Position, bool) {
	g := c.a.cfg.Gateway
	if g.Latitude == 0 && g.Longitude == 0 {
		return udp.Position{}, false
	}
	return udp.Position{Latitude: g.Latitude, Longitude: g.Longitude, Altitude: int32(g.Altitude)}, true
}

// startUDP starts one forwarder per [[forwarder]] and feeds it every
// received packet.
func (a *Agent) startUDP() error {
	if len(a.cfg.Forwarders) == 0 {
		return nil
	}
	cfgs := make([]udp.Config, len(a.cfg.Forwarders))
	for i, f := range a.cfg.Forwarders {
		cfgs[i] = f.UDP()
	}
	eui, err := hal.ParseEUI64(a.gatewayID)
	if err != nil {
		return fmt.Errorf("udp: gateway id: %w", err)
	}
	svc, err := udp.New(cfgs, eui, udpCore{a}, udp.Options{Clock: a.clk, Log: a.log.Named("udp")})
	if err != nil {
		return err
	}
	if err := svc.Start(a.runCtx); err != nil {
		return err
	}
	a.udp = svc
	a.OnUplink(func(p hal.RxPacket) {
		u := udp.Uplink{Packet: p}
		if s := a.sched; s != nil {
			if g, err := s.TimeRef().MicrosToGPS(a.timeline.Widen(p.Count)); err == nil {
				u.GPSTime, u.HasGPSTime = g, true
			}
		}
		svc.Uplink(u)
	})
	a.log.Info("udp forwarders started", zap.Int("servers", len(cfgs)))
	return nil
}

// udpStatus is each UDP server's state for `lgw status`.
func (a *Agent) udpStatus() []control.UDPStatus {
	if a.udp == nil {
		return nil
	}
	var out []control.UDPStatus
	for _, u := range a.udp.Status() {
		out = append(out, control.UDPStatus(u))
	}
	return out
}
