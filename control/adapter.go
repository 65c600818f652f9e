package control

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/lgwagent/lgw/apierr"
	"github.com/lgwagent/lgw/gateway"
)

// Over adapts the application core to Agent: each command calls one use
// case and words its answer in the control protocol's types; the tails
// share one subscription to the core's event stream, and each event is
// encoded once for all of them.
func Over(g *gateway.Gateway) Agent { return core{g: g, tails: &tailHub{g: g}} }

type core struct {
	g     *gateway.Gateway
	tails *tailHub
}

var _ Agent = core{}

// Status reports the gateway's state for `lgw status`.
func (c core) Status(ctx context.Context) (Status, error) {
	s, err := c.g.Snapshot(ctx)
	if err != nil {
		return Status{}, err
	}
	return StatusOf(s), nil
}

// StatusOf words a snapshot as the status answer.
func StatusOf(s gateway.Snapshot) Status {
	id := s.Identity
	st := Status{Version: id.Version, Started: s.Started, Uptime: s.Time.Sub(s.Started), GatewayID: id.GatewayID,
		Region: id.Region, LogLevel: s.LogLevel, LastRx: s.LastRx, LastTx: s.LastTx, QueueDepth: s.Queued}
	st.Concentrator = Concentrator{Board: id.Board, State: "stopped", Chip: id.Chip.Model, EUI: id.Chip.EUI.String(),
		Firmware: firmwareString(id.Chip.Firmware)}
	if s.Running {
		st.Concentrator.State = "running"
		st.Concentrator.Counter = s.Counter
		st.Concentrator.Temperature, st.Concentrator.HasTemperature = s.Temperature, s.HasTemperature
	}
	tr := &st.TimeRef
	tr.GPS, tr.Valid, tr.Lock = s.GPS, s.TimeRef.Valid, s.TimeRef.Valid
	if tr.GPS && s.TimeRef.Age >= 0 {
		tr.LastPPS = s.Time.Add(-s.TimeRef.Age)
	}
	tr.Latitude, tr.Longitude, tr.Altitude = s.Location.Latitude, s.Location.Longitude, s.Location.Altitude
	if m, ok := s.Adapter("mqtt"); ok {
		st.MQTT = MQTTStatus{Server: m.Server, Connected: m.Connected, Since: m.Since, LastError: m.LastError, Buffered: m.Buffered}
	} else {
		st.MQTT.Disabled = true
	}
	for _, a := range s.Adapters {
		if strings.HasPrefix(a.Name, "udp:") {
			st.UDP = append(st.UDP, UDPStatus{Server: a.Server, State: a.State, Since: a.Since, Connected: a.Connected,
				Detail: a.Detail})
		}
	}
	h := s.Storage
	st.Storage = Storage{Status: h.Storage, Degraded: h.Degraded, Files: h.Files, Message: h.Message,
		Recovered: h.Recovered, Lost: h.Lost}
	return st
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
func (c core) Queue(ctx context.Context) ([]QueueItem, error) {
	items, err := c.g.Queue(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]QueueItem, 0, len(items))
	for _, it := range items {
		out = append(out, QueueItem{Ref: it.Ref, Class: it.Class.String(), TimeLeft: it.TimeLeft,
			Trigger: it.Trigger, Count: uint32(it.Count), Freq: it.Frequency, Datr: it.Datr, Power: int(it.Power),
			Size: it.Size, Chain: it.RFChain, Origin: it.Origin})
	}
	return out, nil
}

// Groups lists the multicast groups for `lgw groups`.
func (c core) Groups(ctx context.Context) ([]Group, error) {
	l, err := c.g.Groups(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Group, 0, len(l))
	for _, g := range l {
		out = append(out, Group{ID: g.Id, Name: g.Name, McAddr: g.LoRaWAN.McAddr, Class: g.LoRaWAN.DlClass,
			Region: g.LoRaWAN.RfRegion, HasKeys: g.LoRaWAN.HasKeys, NextFCnt: g.LoRaWAN.NextFCnt, Status: g.Status})
	}
	return out, nil
}

// Sessions lists the multicast sessions for `lgw sessions`.
func (c core) Sessions(ctx context.Context) ([]Session, error) {
	l, err := c.g.Sessions(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Session, 0, len(l))
	for _, s := range l {
		out = append(out, Session{GroupID: s.GroupID, Class: s.Class, State: s.State, Start: s.Start,
			End: s.Start.Add(s.Timeout), Timeout: s.Timeout, DR: s.DR, Freq: s.Freq,
			PingSlotPeriod: s.PingSlotPeriod, Queued: s.Queued, Sent: int(s.Sent)})
	}
	return out, nil
}

// Stats returns the counters for `lgw stats`.
func (c core) Stats(ctx context.Context) (Stats, error) {
	s, err := c.g.Snapshot(ctx)
	if err != nil {
		return Stats{}, err
	}
	return StatsOf(s), nil
}

// StatsOf words a snapshot as the stats answer.
func StatsOf(s gateway.Snapshot) Stats {
	st := Stats{Since: s.Started, RxReceived: s.Rx.OK + s.Rx.Bad + s.Rx.NoCRC, RxOK: s.Rx.OK, RxBadCRC: s.Rx.Bad,
		RxNoCRC: s.Rx.NoCRC, TxByCode: map[string]uint64{}, Beacons: s.Beacons}
	for code, n := range s.Tx {
		st.TxRequested += n
		if code == gateway.Sent {
			st.TxSent += n
			continue
		}
		st.TxByCode[string(code)] = n
	}
	if m, ok := s.Adapter("mqtt"); ok {
		st.MQTTPublished, st.MQTTDropped, st.MQTTReconnects = m.Published, m.Dropped, m.Reconnects
	}
	return st
}

// SetLogLevel changes the log level.
func (c core) SetLogLevel(ctx context.Context, level string) error {
	return c.g.SetLogLevel(ctx, level)
}

// TestTx sends a test transmission and waits for its result.
func (c core) TestTx(ctx context.Context, req TxRequest) (TxResult, error) {
	in := gateway.TestTxInput{Freq: req.Freq, Datr: req.Datr, Power: req.Power, Payload: req.Payload,
		Delay: req.At.Delay, Time: req.At.Time, Count: req.At.Count, GPSTime: req.At.GPSTime}
	switch req.At.Mode {
	case AtASAP:
		in.Mode = gateway.TxASAP
	case AtDelay:
		in.Mode = gateway.TxDelay
	case AtTime:
		in.Mode = gateway.TxAtTime
	case AtCount:
		in.Mode = gateway.TxAtCount
	case AtGPS:
		in.Mode = gateway.TxAtGPS
	default:
		return TxResult{}, apierr.Newf(apierr.Validation, "at", "unknown mode %q", req.At.Mode)
	}
	out, err := c.g.TestTx(ctx, in)
	if err != nil {
		return TxResult{}, err
	}
	return TxResult{Ref: out.Ref, Code: string(out.Code), Detail: out.Detail, Tmst: out.Tmst, Freq: out.Freq,
		Datr: out.Datr, Power: out.Power, Size: out.Size, Chain: out.Chain, Airtime: out.Airtime}, nil
}

// Subscribe streams the core's events for `lgw tail`.
func (c core) Subscribe(ctx context.Context) (<-chan Event, func()) { return c.tails.subscribe(ctx) }

// EventOf encodes a core event for tail: a one-line summary and a small
// JSON object.
func EventOf(ev gateway.Event) Event {
	e := Event{Time: ev.Time.UTC(), Kind: ev.Kind.String()}
	switch ev.Kind {
	case gateway.EventUplink:
		p := ev.Uplink
		e.Summary = p.String()
		e.Data = mustJSON(tailUplink{Freq: p.Frequency, Datr: p.DataRate.Datr(), RSSI: p.RSSIChannel, SNR: p.SNR,
			Size: len(p.Payload), Tmst: uint32(p.Count), CRC: p.CRC.String()})
	case gateway.EventReport:
		r := ev.Report
		res := r.Result
		e.Summary = fmt.Sprintf("%s %s %.3f MHz %s", res.Code, r.MessageId, float64(res.Packet.Frequency)/1e6,
			res.Packet.DataRate.Datr())
		d := tailReport{MessageID: r.MessageId, Group: r.MulticastGroup, Origin: r.Origin, Code: string(res.Code),
			Freq: res.Packet.Frequency, Datr: res.Packet.DataRate.Datr(), Tmst: uint32(res.Count), FCnt: r.CounterDown}
		if res.Err != nil {
			d.Detail = gateway.ErrorDetail(res.Err)
		}
		e.Data = mustJSON(d)
	case gateway.EventState:
		e.Summary = "concentrator " + ev.State.Concentrator + " (" + ev.State.Reason + ")"
		e.Data = mustJSON(ev.State)
	}
	return e
}

// tailUplink is the data of an uplink event.
type tailUplink struct {
	Freq uint32  `json:"freq"`
	Datr string  `json:"datr"`
	RSSI float32 `json:"rssi"`
	SNR  float32 `json:"lsnr"`
	Size int     `json:"size"`
	Tmst uint32  `json:"tmst"`
	CRC  string  `json:"crc"`
}

// tailReport is the data of a report event.
type tailReport struct {
	MessageID string `json:"message_id"`
	Group     string `json:"multicast_group,omitempty"`
	Origin    string `json:"origin,omitempty"`
	Code      string `json:"code"`
	Detail    string `json:"detail,omitempty"`
	Freq      uint32 `json:"freq"`
	Datr      string `json:"datr"`
	Tmst      uint32 `json:"tmst"`
	FCnt      uint32 `json:"fcnt"`
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return b
}
