package agent

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/apierr"
	"github.com/lgwagent/lgw/control"
	"github.com/lgwagent/lgw/hal"
	lgwmqtt "github.com/lgwagent/lgw/mqtt"
	"github.com/lgwagent/lgw/multicast"
	"github.com/lgwagent/lgw/scheduler"
)

// backend is what the MQTT client runs commands against: the multicast
// service plus the agent's own operations.
type backend struct {
	multicast.API
	a *Agent
}

var _ lgwmqtt.Backend = backend{}

// SendDownlink queues a frame from a network server; every accepted or
// refused downlink ends in a report on the down topic.
func (b backend) SendDownlink(ctx context.Context, in lgwmqtt.SendDownlinkInput) (lgwmqtt.SendDownlinkOutput, error) {
	a := b.a
	if a.sched == nil {
		return lgwmqtt.SendDownlinkOutput{}, apierr.Wrap(apierr.InternalServer, ErrStopped, "scheduler")
	}
	req, err := in.Request(a.region, 0)
	if err != nil {
		return lgwmqtt.SendDownlinkOutput{}, err
	}
	id := newMessageID()
	req.Ref, req.Origin = id, "mqtt"
	req.Done = func(r scheduler.Result) { a.publishUnicast(id, r) }
	if err := a.sched.Schedule(req); err != nil {
		// A refusal is an outcome, reported like any other.
		a.publishUnicast(id, scheduler.Result{Ref: id, Code: scheduler.CodeOf(err), Err: err, Packet: req.Packet})
	}
	return lgwmqtt.SendDownlinkOutput{MessageId: id}, nil
}

// Stats fills the periodic statistics message.
func (b backend) Stats(ctx context.Context) (lgwmqtt.Stats, error) {
	a := b.a
	ok, bad, noCRC, _ := a.RXCounts()
	st := lgwmqtt.Stats{Gateway: a.gatewayID, Uptime: lgwmqtt.Seconds(a.clk.Now().Sub(a.started)),
		Rx: lgwmqtt.RxCounts{OK: ok, Bad: bad, NoCRC: noCRC}, Tx: map[scheduler.Code]uint64{}}
	if s := a.sched; s != nil {
		ss := s.Stats()
		for c, n := range ss.Results {
			st.Tx[c] = uint64(n)
		}
		st.QueueDepth = ss.Queued
		st.Beacons = uint64(ss.BeaconsSent)
		for _, u := range ss.DutyCycle {
			use := lgwmqtt.SubBandUse{Name: u.Name}
			if u.Budget > 0 {
				// The budget is the allowed time on air in the hour.
				use.Used = float64(u.Used) / float64(time.Hour)
				use.Limit = float64(u.Budget) / float64(time.Hour)
			}
			st.DutyCycle = append(st.DutyCycle, use)
		}
		st.TimeRef = lgwmqtt.TimeRef{Locked: ss.TimeRefValid, Age: lgwmqtt.Seconds(max(ss.TimeRefAge, 0)), PPM: ss.TimeRefPPM}
	}
	if a.conc != nil {
		if t, err := a.conc.Temperature(); err == nil {
			st.Temperature = &t
		}
	}
	return st, nil
}

// RestartConcentrator stops and starts the concentrator and the
// scheduler on it; queued transmissions end with TX_FAILED.
func (b backend) RestartConcentrator(ctx context.Context) error {
	if err := b.a.restartConcentrator(ctx); err != nil {
		return apierr.Wrap(apierr.InternalServer, err, "restart concentrator")
	}
	return nil
}

// SetLogLevel changes the log level.
func (b backend) SetLogLevel(ctx context.Context, level string) error {
	return b.a.SetLogLevel(ctx, level)
}

func (a *Agent) restartConcentrator(ctx context.Context) error {
	a.restartMu.Lock()
	defer a.restartMu.Unlock()
	a.log.Warn("restarting the concentrator")
	a.sched.Stop()
	a.running.Store(false)
	if err := a.conc.Stop(); err != nil {
		a.log.Error("stop concentrator", zap.Error(err))
	}
	startCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := a.conc.Start(startCtx); err != nil {
		return fmt.Errorf("start concentrator: %w", err)
	}
	a.running.Store(true)
	if err := a.sched.Start(a.runCtx); err != nil {
		return fmt.Errorf("start scheduler: %w", err)
	}
	a.log.Info("concentrator restarted")
	return nil
}

func newMessageID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// publishUnicast reports the outcome of a SendDownlink.
func (a *Agent) publishUnicast(id string, r scheduler.Result) {
	a.noteResult(r)
	a.publishReport(lgwmqtt.ReportFromUnicast(a.gatewayID, id, r))
}

// onMulticastReport reports the outcome of a multicast message.
func (a *Agent) onMulticastReport(r multicast.Report) {
	a.noteResult(r.Result)
	if r.Result.Code == scheduler.Sent {
		a.mcSentMu.Lock()
		if a.mcSentBy == nil {
			a.mcSentBy = map[string]uint64{}
		}
		a.mcSentBy[r.GroupId]++
		a.mcSentMu.Unlock()
	}
	a.publishReport(lgwmqtt.ReportFromMulticast(a.gatewayID, r))
}

func (a *Agent) publishReport(d lgwmqtt.DownlinkReport) {
	if a.mq != nil {
		a.mq.PublishDownlinkReport(d)
	}
	b, err := lgwmqtt.EncodeDownlinkReport(d)
	if err != nil {
		a.log.Error("encode downlink report", zap.Error(err))
		return
	}
	a.events.publish(control.Event{Time: a.clk.Now().UTC(), Kind: "report", Topic: a.topic("down"),
		Summary: fmt.Sprintf("%s %s %.3f MHz %s", d.Result.Code, d.MessageId, float64(d.Result.Packet.Frequency)/1e6,
			d.Result.Packet.DataRate.Datr()), Data: rawJSON(b)})
}

// publishUplink sends a received packet to MQTT and `lgw tail`.
func (a *Agent) publishUplink(p hal.RxPacket) {
	if a.mq != nil {
		a.mq.PublishUplink(p)
	}
	b, err := lgwmqtt.EncodeUplink(a.gatewayID, p, a.clk.Now())
	if err != nil {
		a.log.Error("encode uplink", zap.Error(err))
		return
	}
	a.events.publish(control.Event{Time: a.clk.Now().UTC(), Kind: "uplink", Topic: a.topic("up"), Summary: p.String(), Data: rawJSON(b)})
}

func (a *Agent) topic(kind string) string {
	return a.cfg.MQTT.TopicPrefix + "/" + a.gatewayID + "/" + kind
}
