package gateway

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/lgwagent/lgw/apierr"
	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/multicast"
	"github.com/lgwagent/lgw/scheduler"
)

// SendDownlink validates and queues a class A, B or C unicast frame from
// a network server and returns its MessageId. Every accepted input ends
// in exactly one EventReport with that MessageId (origin is who asked:
// "mqtt", "udp"...); a refusal by the scheduler is reported the same way,
// and also returned in the output's Refusal. A bad input is an error
// (ValidationException naming the field) and produces no report.
func (g *Gateway) SendDownlink(ctx context.Context, in SendDownlinkInput, origin string) (SendDownlinkOutput, error) {
	if err := g.ready("scheduler"); err != nil {
		return SendDownlinkOutput{}, err
	}
	req, err := in.Request(g.cfg.Region, 0)
	if err != nil {
		return SendDownlinkOutput{}, err
	}
	if err := g.admit(in, req); err != nil {
		return SendDownlinkOutput{}, err
	}
	id := newMessageID()
	req.Ref, req.Origin = id, origin
	req.Done = g.unicastDone
	out := SendDownlinkOutput{MessageId: id}
	out.Power, _ = g.sched.TxPower(req.Packet)
	if err := g.sched.Schedule(req); err != nil {
		// A refusal is an outcome, reported like any other.
		out.Refusal = err
		g.reportUnicast(id, origin, scheduler.Result{Ref: id, Code: scheduler.CodeOf(err), Err: err, Packet: req.Packet})
	}
	return out, nil
}

func newMessageID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// reportUnicast emits the report of a SendDownlink.
func (g *Gateway) reportUnicast(id, origin string, r scheduler.Result) {
	g.noteResult(r)
	rep := ReportFromUnicast(g.id.GatewayID, id, r)
	rep.Origin, rep.Time = origin, g.clk.Now()
	g.emit(Event{Kind: EventReport, Time: rep.Time, Report: &rep})
}

// onMulticastReport emits the report of a multicast message. The
// multicast manager calls it from its own goroutine, never under a lock
// of its own; it does not block (the stream drops for slow subscribers).
func (g *Gateway) onMulticastReport(r multicast.Report) {
	g.noteResult(r.Result)
	if r.Result.Code == scheduler.Sent {
		g.mcSentMu.Lock()
		if g.mcSentBy == nil {
			g.mcSentBy = map[string]uint64{}
		}
		g.mcSentBy[r.GroupId]++
		g.mcSentMu.Unlock()
	}
	rep := ReportFromMulticast(g.id.GatewayID, r)
	rep.Time = g.clk.Now()
	g.emit(Event{Kind: EventReport, Time: rep.Time, Report: &rep})
}

// TxMode says when a test transmission starts.
type TxMode uint8

// The test transmission timings.
const (
	// TxASAP: as soon as every check passes (class C).
	TxASAP TxMode = iota
	// TxDelay: no earlier than Delay from now (class C).
	TxDelay
	// TxAtTime: no earlier than Time (class C).
	TxAtTime
	// TxAtCount: at counter value Count (class A).
	TxAtCount
	// TxAtGPS: at GPSTime since the GPS epoch (class B).
	TxAtGPS
)

// TestTxInput is a technician's test transmission.
type TestTxInput struct {
	// Freq in Hz, Datr as "SF7BW125", "FSK50" (kbit/s) or "50000"
	// (bit/s), Power in dBm.
	Freq    uint32
	Datr    string
	Power   int
	Payload []byte
	// Mode and its parameter say when.
	Mode    TxMode
	Delay   time.Duration
	Time    time.Time
	Count   uint32
	GPSTime time.Duration
}

// TestTxOutput is how a test transmission ended.
type TestTxOutput struct {
	// Ref is the scheduler reference of the item.
	Ref string
	// Code is SENT or the refusal or failure code; Detail explains a code
	// other than SENT.
	Code   Code
	Detail string
	// Tmst is the counter value of the start; Freq, Datr, Power
	// (effective), Size and Chain what was sent; Airtime the time on air.
	Tmst    uint32
	Freq    uint32
	Datr    string
	Power   int
	Size    int
	Chain   uint8
	Airtime time.Duration
}

var testSeq atomic.Uint64

// TestTx sends a test transmission through the scheduler and waits for
// its result. A refusal is an output with its code, not an error; an
// error means the request never reached the scheduler (a ValidationException
// naming the field, or the gateway is stopped). If ctx ends first the
// item is cancelled and ctx.Err() returned. The result is not put on the
// event stream: the caller has it.
func (g *Gateway) TestTx(ctx context.Context, in TestTxInput) (TestTxOutput, error) {
	r, err := g.testRequest(in)
	if err != nil {
		return TestTxOutput{}, err
	}
	done := make(chan scheduler.Result, 1)
	r.Done = func(res scheduler.Result) {
		g.noteResult(res)
		done <- res
	}
	pkt := r.Packet
	res := TestTxOutput{Ref: r.Ref, Freq: pkt.Frequency, Datr: pkt.DataRate.Datr(), Power: in.Power, Size: len(pkt.Payload)}
	if toa, err := pkt.TimeOnAir(); err == nil {
		res.Airtime = toa
	}
	if now := g.clk.Now(); in.Mode == TxAtTime && !in.Time.After(now) {
		// A start in the past is late, not "as soon as possible".
		res.Code = scheduler.TooLate
		res.Detail = fmt.Sprintf("start %s was %s ago", in.Time.UTC().Format(time.RFC3339Nano), now.Sub(in.Time).Round(time.Millisecond))
		return res, nil
	}
	// Details go without their code: the code travels beside them.
	if err := g.sched.Schedule(r); err != nil {
		res.Code, res.Detail = scheduler.CodeOf(err), scheduler.DetailOf(err)
		return res, nil
	}
	select {
	case out := <-done:
		res.Code = out.Code
		if out.Err != nil {
			res.Detail = scheduler.DetailOf(out.Err)
		}
		res.Tmst, res.Power, res.Chain = uint32(out.Count), int(out.Packet.Power), out.Packet.RFChain
		return res, nil
	case <-ctx.Done():
		g.sched.Cancel(r.Ref)
		return TestTxOutput{}, ctx.Err()
	}
}

// testRequest validates a test transmission and builds its request.
func (g *Gateway) testRequest(in TestTxInput) (scheduler.Request, error) {
	if err := g.ready("scheduler"); err != nil {
		return scheduler.Request{}, err
	}
	dr, err := ParseDatr(in.Datr)
	if err != nil {
		return scheduler.Request{}, apierr.Newf(apierr.Validation, "datr", "%v", err)
	}
	if err := checkPower("power", in.Power); err != nil {
		return scheduler.Request{}, err
	}
	if err := checkPayload("payload", in.Payload); err != nil {
		return scheduler.Request{}, err
	}
	r := scheduler.Request{
		Ref: fmt.Sprintf("cli-%d", testSeq.Add(1)), Class: scheduler.ClassC, Origin: "cli",
		Packet: hal.TxPacket{Payload: in.Payload, Frequency: in.Freq, Power: int8(in.Power), DataRate: dr,
			InvertIQ: true, NoCRC: true},
	}
	switch in.Mode {
	case TxASAP:
		r.Timing = scheduler.Timing{Mode: scheduler.ASAP}
	case TxDelay:
		r.Timing = scheduler.Timing{Mode: scheduler.ASAP, NotBefore: g.clk.Now().Add(in.Delay)}
	case TxAtTime:
		r.Timing = scheduler.Timing{Mode: scheduler.ASAP, NotBefore: in.Time}
	case TxAtCount:
		r.Class, r.Timing = scheduler.ClassA, scheduler.Timing{Mode: scheduler.AtCount, Count: hal.Count(in.Count)}
	case TxAtGPS:
		r.Class, r.Timing = scheduler.ClassB, scheduler.Timing{Mode: scheduler.AtGPSTime, GPSTime: in.GPSTime}
	default:
		return scheduler.Request{}, apierr.Newf(apierr.Validation, "at", "unknown mode %d", in.Mode)
	}
	return r, nil
}

// Queue lists the scheduled transmissions, earliest first.
func (g *Gateway) Queue(ctx context.Context) ([]QueuedItem, error) {
	if err := g.ready("scheduler"); err != nil {
		return nil, err
	}
	return g.sched.Queue(), nil
}

// ready refuses a use case before Start: an InternalServerException
// naming what is missing.
func (g *Gateway) ready(what string) error {
	if !g.up.Load() {
		return apierr.Wrap(apierr.InternalServer, ErrStopped, "%s", what)
	}
	return nil
}

// admit checks a SendDownlink's radio settings against the region and the
// board before it is accepted: a frequency, power or data rate that could
// never be sent is a ValidationException naming the field, not a report.
func (g *Gateway) admit(in SendDownlinkInput, req scheduler.Request) error {
	if in.Datr != "" {
		if _, err := g.cfg.Region.DataRateIndex(req.Packet.DataRate); err != nil {
			return apierr.Newf(apierr.Validation, "Datr", "%s is not a data rate of %s: %v", in.Datr, g.cfg.Region.Name(), err)
		}
	}
	err := g.sched.CheckTx(req.Packet)
	switch scheduler.CodeOf(err) {
	case scheduler.Sent:
		return nil
	case scheduler.TxFreq:
		return &apierr.Error{Kind: apierr.Validation, Field: "Frequency", Message: "cannot be sent here", Err: err}
	case scheduler.TxPower:
		return &apierr.Error{Kind: apierr.Validation, Field: "Power", Message: "cannot be sent here", Err: err}
	}
	return &apierr.Error{Kind: apierr.Validation, Field: "", Message: "cannot be sent here", Err: err}
}
