package udp

import (
	"context"
	"sync"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/gateway"
	"github.com/lgwagent/lgw/udp/gwmp"
)

// handleDown takes a PULL_ACK or a PULL_RESP.
func (f *Forwarder) handleDown(ctx context.Context, b []byte) {
	p, ok := f.decode(b, gwmp.PullAck, gwmp.PullResp)
	if !ok {
		return
	}
	if p.Type == gwmp.PullAck {
		f.mu.Lock()
		defer f.mu.Unlock()
		if !f.pullOpen || p.Token != f.pullTok {
			f.log.Debug("PULL_ACK with an unknown token ignored", zap.Uint16("token", p.Token))
			return
		}
		f.pullOpen = false
		f.st.PullAcked++
		f.ackedLocked()
		return
	}
	f.handlePullResp(ctx, p)
}

// handlePullResp hands a txpk to the core and answers with a TX_ACK. A
// PULL_RESP whose JSON cannot be read is dropped without an answer, as
// the reference does; one that reads but cannot be sent as asked gets
// the TX_ACK error saying why.
func (f *Forwarder) handlePullResp(ctx context.Context, p gwmp.Packet) {
	f.mu.Lock()
	f.st.Downlinks++
	f.iv.dwnb++
	f.mu.Unlock()
	token := p.Token
	t, err := gwmp.DecodeTxpk(p.JSON)
	if err == nil {
		var in gateway.SendDownlinkInput
		if in, err = downlinkOf(t); err == nil {
			f.submit(ctx, token, in)
			return
		}
	}
	f.count(func(s *Status) { s.Malformed++ })
	f.log.Warn("PULL_RESP dropped: txpk unreadable", zap.Error(err), zap.Uint16("token", token))
}

// submit submits a downlink and acknowledges it.
func (f *Forwarder) submit(ctx context.Context, token uint16, in gateway.SendDownlinkInput) {
	out, err := f.core.SendDownlink(ctx, in, f.origin)
	if err != nil {
		if name, ok := invalidAck(err); ok {
			f.refuse(token, name, err)
			return
		}
		f.count(func(s *Status) { s.Malformed++ })
		f.log.Warn("PULL_RESP dropped: the core refused the txpk", zap.Error(err), zap.Uint16("token", token))
		return
	}
	if out.Refusal != nil {
		f.downlinks.refused(out.MessageId)
		f.refuse(token, ackError(gateway.CodeOf(out.Refusal)), out.Refusal)
		return
	}
	ack := gwmp.TxAckInfo{Error: gwmp.AckNone}
	if in.Power != nil && int(out.Power) != *in.Power {
		v := int32(out.Power)
		ack = gwmp.TxAckInfo{Warn: gwmp.AckTxPower, Value: &v}
		f.log.Warn("downlink power not available: sent at the nearest lower power", zap.Int("requested", *in.Power),
			zap.Int8("used", out.Power), zap.Uint16("token", token))
	}
	f.log.Debug("downlink queued", zap.String("message_id", out.MessageId), zap.Uint16("token", token))
	if r := f.downlinks.queued(out.MessageId, token); r != nil {
		f.report(r)
	}
	f.txAck(token, ack)
}

// refuse answers a PULL_RESP with a TX_ACK error.
func (f *Forwarder) refuse(token uint16, name string, why error) {
	f.count(func(s *Status) { s.Refused++ })
	f.log.Info("downlink refused", zap.String("error", name), zap.Error(why), zap.Uint16("token", token))
	f.txAck(token, gwmp.TxAckInfo{Error: name})
}

func (f *Forwarder) txAck(token uint16, a gwmp.TxAckInfo) {
	b, err := a.Encode()
	if err != nil {
		f.log.Error("encode TX_ACK", zap.Error(err))
		return
	}
	f.send(f.down, f.downAddr, gwmp.Packet{Type: gwmp.TxAck, Token: token, EUI: f.eui, JSON: b})
}

// report takes the report of one of this server's downlinks. The protocol
// has no message for the final outcome, so a failure after the TX_ACK is
// logged and counted (the MQTT adapter, when configured, publishes every
// report).
func (f *Forwarder) report(r *gateway.Report) {
	token, ok := f.downlinks.done(r)
	if !ok {
		return
	}
	if r.Result.Code == gateway.Sent {
		f.mu.Lock()
		f.st.Sent++
		f.iv.txnb++
		f.mu.Unlock()
		return
	}
	f.count(func(s *Status) { s.Failed++ })
	f.log.Warn("downlink failed after its TX_ACK", zap.String("code", string(r.Result.Code)), zap.Error(r.Result.Err),
		zap.String("message_id", r.MessageId), zap.Uint16("token", token))
}

// maxEarly bounds the reports kept that arrived before SendDownlink
// returned their MessageId.
const maxEarly = 256

// tracker pairs a server's queued downlinks with their reports. A report
// can overtake the return of SendDownlink (it comes on the event stream),
// so one for an unknown id is kept until the id shows up; the report of a
// refusal, already answered in the TX_ACK, is skipped.
type tracker struct {
	mu      sync.Mutex
	pending map[string]uint16 // MessageId → token
	early   map[string]*gateway.Report
	skip    map[string]bool
}

// queued records a queued downlink; it returns its report when that came
// first.
func (t *tracker) queued(id string, token uint16) *gateway.Report {
	t.mu.Lock()
	defer t.mu.Unlock()
	if r, ok := t.early[id]; ok {
		delete(t.early, id)
		if t.pending == nil {
			t.pending = map[string]uint16{}
		}
		t.pending[id] = token
		return r
	}
	if t.pending == nil {
		t.pending = map[string]uint16{}
	}
	t.pending[id] = token
	return nil
}

// refused forgets a refused downlink's report, before or after it comes.
func (t *tracker) refused(id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.early[id]; ok {
		delete(t.early, id)
		return
	}
	if t.skip == nil || len(t.skip) >= maxEarly {
		t.skip = map[string]bool{}
	}
	t.skip[id] = true
}

// done matches a report with its downlink; ok is false for a report to
// skip or keep for later.
func (t *tracker) done(r *gateway.Report) (token uint16, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if token, ok = t.pending[r.MessageId]; ok {
		delete(t.pending, r.MessageId)
		return token, true
	}
	if t.skip[r.MessageId] {
		delete(t.skip, r.MessageId)
		return 0, false
	}
	if t.early == nil || len(t.early) >= maxEarly {
		t.early = map[string]*gateway.Report{}
	}
	t.early[r.MessageId] = r
	return 0, false
}
