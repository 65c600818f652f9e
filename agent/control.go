package agent

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/lgwagent/lgw/apierr"
	"github.com/lgwagent/lgw/control"
	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/logging"
	"github.com/lgwagent/lgw/multicast"
	"github.com/lgwagent/lgw/scheduler"
)

// The agent serves the control socket.
var _ control.Agent = (*Agent)(nil)

var cliSeq atomic.Uint64

// Status reports the agent's state for `lgw status`.
func (a *Agent) Status(ctx context.Context) (control.Status, error) {
	now := a.clk.Now()
	st := control.Status{
		Version: a.opts.Version, Started: a.started, Uptime: now.Sub(a.started),
		GatewayID: a.gatewayID, Region: string(a.region.Name()), LogLevel: a.opts.Level.Level().String(),
		LastRx: unixNano(a.lastRX.Load()), LastTx: unixNano(a.lastTX.Load()),
	}
	c := control.Concentrator{Board: a.board.Name, State: "stopped", Chip: a.chip.Model, EUI: a.chip.EUI.String(),
		Firmware: firmwareString(a.chip.Firmware)}
	if conc := a.conc; conc != nil && a.running.Load() {
		c.State = "running"
		if n, err := conc.Counter(); err == nil {
			c.Counter = uint32(n)
		}
		if t, err := conc.Temperature(); err == nil {
			c.Temperature, c.HasTemperature = t, true
		}
	}
	st.Concentrator = c
	st.TimeRef.GPS = a.hw.GPS != nil
	st.TimeRef.Latitude, st.TimeRef.Longitude, st.TimeRef.Altitude = a.cfg.Gateway.Latitude, a.cfg.Gateway.Longitude, a.cfg.Gateway.Altitude
	if s := a.sched; s != nil {
		ref := s.TimeRef()
		st.TimeRef.Valid = ref.Valid()
		st.TimeRef.Lock = st.TimeRef.Valid
		if age := ref.Age(); age >= 0 && st.TimeRef.GPS {
			st.TimeRef.LastPPS = now.Add(-age)
		}
		st.QueueDepth = len(s.Queue())
	}
	if a.mqttStatus != nil {
		st.MQTT = a.mqttStatus()
	} else {
		st.MQTT.Server, st.MQTT.Disabled = a.cfg.MQTT.Server, !a.cfg.MQTT.Enabled
	}
	st.UDP = a.udpStatus()
	return st, nil
}

func unixNano(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func firmwareString(fw map[string]string) string {
	var parts []string
	for _, k := range []string{"agc", "arb", "sim"} {
		if v, ok := fw[k]; ok {
			parts = append(parts, k+" "+v)
		}
	}
	return strings.Join(parts, " ")
}

// Queue lists the scheduled transmissions for `lgw queue`.
func (a *Agent) Queue(ctx context.Context) ([]control.QueueItem, error) {
	if a.sched == nil {
		return nil, apierr.Wrap(apierr.InternalServer, ErrStopped, "scheduler")
	}
	items := a.sched.Queue()
	out := make([]control.QueueItem, 0, len(items))
	for _, it := range items {
		out = append(out, control.QueueItem{Ref: it.Ref, Class: it.Class.String(), TimeLeft: it.TimeLeft,
			Trigger: it.Trigger, Count: uint32(it.Count), Freq: it.Frequency, Datr: it.Datr, Power: int(it.Power),
			Size: it.Size, Chain: it.RFChain, Origin: it.Origin})
	}
	return out, nil
}

// Groups lists the multicast groups for `lgw groups`.
func (a *Agent) Groups(ctx context.Context) ([]control.Group, error) {
	if a.mcast == nil {
		return nil, apierr.Wrap(apierr.InternalServer, ErrStopped, "multicast")
	}
	l, err := a.mcast.ListMulticastGroups(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]control.Group, 0, len(l.List))
	for _, g := range l.List {
		out = append(out, control.Group{ID: g.Id, McAddr: g.LoRaWAN.McAddr, Class: g.LoRaWAN.DlClass,
			Region: g.LoRaWAN.RfRegion, HasKeys: g.LoRaWAN.HasKeys, NextFCnt: g.LoRaWAN.NextFCnt, Status: g.Status})
	}
	return out, nil
}

// Sessions lists the multicast sessions for `lgw sessions`.
func (a *Agent) Sessions(ctx context.Context) ([]control.Session, error) {
	if a.mcast == nil {
		return nil, apierr.Wrap(apierr.InternalServer, ErrStopped, "multicast")
	}
	l, err := a.mcast.ListMulticastGroups(ctx)
	if err != nil {
		return nil, err
	}
	out := []control.Session{}
	for _, g := range l.List {
		s, err := a.mcast.GetMulticastGroupSession(ctx, multicast.GroupIDInput{Id: g.Id})
		if err != nil {
			if apierr.KindOf(err) == apierr.Conflict || apierr.KindOf(err) == apierr.ResourceNotFound {
				continue // no session
			}
			return nil, err
		}
		start, _ := time.Parse(time.RFC3339, s.LoRaWAN.SessionStartTime)
		timeout := time.Duration(s.LoRaWAN.SessionTimeout) * time.Second
		out = append(out, control.Session{GroupID: g.Id, Class: g.LoRaWAN.DlClass, State: s.State, Start: start,
			End: start.Add(timeout), Timeout: timeout, DR: s.LoRaWAN.DlDr, Freq: s.LoRaWAN.DlFreq,
			PingSlotPeriod: s.LoRaWAN.PingSlotPeriod, Queued: a.mcQueued(g.Id), Sent: int(a.mcSent(g.Id))})
	}
	return out, nil
}

// mcQueued returns the messages a group has waiting.
func (a *Agent) mcQueued(id string) int {
	if a.mc == nil {
		return 0
	}
	return a.mc.Queued(id)
}

// Stats returns the counters for `lgw stats`.
func (a *Agent) Stats(ctx context.Context) (control.Stats, error) {
	ok, bad, noCRC, _ := a.RXCounts()
	st := control.Stats{Since: a.started, RxReceived: ok + bad + noCRC, RxOK: ok, RxBadCRC: bad, RxNoCRC: noCRC,
		TxByCode: map[string]uint64{}}
	if s := a.sched; s != nil {
		ss := s.Stats()
		for code, n := range ss.Results {
			st.TxRequested += uint64(n)
			if code == scheduler.Sent {
				st.TxSent += uint64(n)
				continue
			}
			st.TxByCode[string(code)] = uint64(n)
		}
		st.Beacons = uint64(ss.BeaconsSent)
	}
	if a.mqttCounters != nil {
		st.MQTTPublished, st.MQTTDropped, st.MQTTReconnects = a.mqttCounters()
	}
	return st, nil
}

// SetLogLevel changes the log level (control socket and MQTT).
func (a *Agent) SetLogLevel(ctx context.Context, level string) error {
	l, err := logging.ParseLevel(level)
	if err != nil {
		return apierr.Newf(apierr.Validation, "level", "%q: allowed debug, info, warn, error", level)
	}
	a.opts.Level.SetLevel(l)
	a.log.Info("log level changed", zapString("level", level))
	return nil
}

// TestTx sends a test transmission through the scheduler (`lgw tx`) and
// waits for its result.
func (a *Agent) TestTx(ctx context.Context, req control.TxRequest) (control.TxResult, error) {
	if a.sched == nil {
		return control.TxResult{}, apierr.Wrap(apierr.InternalServer, ErrStopped, "scheduler")
	}
	dr, err := parseCLIDatr(req.Datr)
	if err != nil {
		return control.TxResult{}, apierr.Newf(apierr.Validation, "datr", "%v", err)
	}
	if req.Power < -10 || req.Power > 36 {
		return control.TxResult{}, apierr.Newf(apierr.Validation, "power", "%d dBm: want -10 to 36", req.Power)
	}
	if len(req.Payload) > hal.MaxPayload {
		return control.TxResult{}, apierr.Newf(apierr.Validation, "payload", "%d bytes: at most %d", len(req.Payload), hal.MaxPayload)
	}
	r := scheduler.Request{
		Ref: fmt.Sprintf("cli-%d", cliSeq.Add(1)), Class: scheduler.ClassC, Origin: "cli",
		Packet: hal.TxPacket{Payload: req.Payload, Frequency: req.Freq, Power: int8(req.Power), DataRate: dr,
			InvertIQ: true, NoCRC: true},
	}
	switch req.At.Mode {
	case control.AtASAP:
		r.Timing = scheduler.Timing{Mode: scheduler.ASAP}
	case control.AtDelay:
		r.Timing = scheduler.Timing{Mode: scheduler.ASAP, NotBefore: a.clk.Now().Add(req.At.Delay)}
	case control.AtTime:
		r.Timing = scheduler.Timing{Mode: scheduler.ASAP, NotBefore: req.At.Time}
	case control.AtCount:
		r.Class, r.Timing = scheduler.ClassA, scheduler.Timing{Mode: scheduler.AtCount, Count: hal.Count(req.At.Count)}
	case control.AtGPS:
		r.Class, r.Timing = scheduler.ClassB, scheduler.Timing{Mode: scheduler.AtGPSTime, GPSTime: req.At.GPSTime}
	default:
		return control.TxResult{}, apierr.Newf(apierr.Validation, "at", "unknown mode %q", req.At.Mode)
	}
	done := make(chan scheduler.Result, 1)
	r.Done = func(res scheduler.Result) {
		a.noteResult(res)
		done <- res
	}
	pkt := r.Packet
	res := control.TxResult{Ref: r.Ref, Freq: pkt.Frequency, Datr: dr.Datr(), Power: req.Power, Size: len(pkt.Payload)}
	if toa, err := pkt.TimeOnAir(); err == nil {
		res.Airtime = toa
	}
	if err := a.sched.Schedule(r); err != nil {
		res.Code, res.Detail = string(scheduler.CodeOf(err)), err.Error()
		return res, nil
	}
	select {
	case out := <-done:
		res.Code = string(out.Code)
		if out.Err != nil {
			res.Detail = out.Err.Error()
		}
		res.Tmst, res.Power, res.Chain = uint32(out.Count), int(out.Packet.Power), out.Packet.RFChain
		return res, nil
	case <-ctx.Done():
		a.sched.Cancel(r.Ref)
		return control.TxResult{}, ctx.Err()
	}
}

// parseCLIDatr reads "SF7BW125", "FSK50" (kbit/s) or "50000" (bit/s).
func parseCLIDatr(s string) (hal.DataRate, error) {
	if rest, ok := strings.CutPrefix(strings.ToUpper(s), "FSK"); ok {
		kbps, err := strconv.ParseFloat(rest, 64)
		if err != nil || kbps <= 0 {
			return hal.DataRate{}, errors.New("want SFnBWn, FSKn (kbit/s) or a bit rate")
		}
		return hal.ParseDatr(strconv.Itoa(int(kbps*1000)), hal.CR4_5)
	}
	return hal.ParseDatr(strings.ToUpper(s), hal.CR4_5)
}

// Subscribe streams live events for `lgw tail`.
func (a *Agent) Subscribe(ctx context.Context) (<-chan control.Event, func()) {
	return a.events.subscribe(ctx)
}
