package udp

import (
	"errors"
	"fmt"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/udp/gwmp"
)

// handleDown takes a PULL_ACK or a PULL_RESP.
func (f *Forwarder) handleDown(b []byte) {
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
	f.handlePullResp(p)
}

// handlePullResp hands a txpk to the core and answers with a TX_ACK. A
// PULL_RESP whose JSON cannot be read is dropped without an answer, as
// the reference does; one that reads but cannot be sent as asked gets
// the TX_ACK error saying why.
func (f *Forwarder) handlePullResp(p gwmp.Packet) {
	f.mu.Lock()
	f.st.Downlinks++
	f.iv.dwnb++
	f.mu.Unlock()
	t, err := gwmp.DecodeTxpk(p.JSON)
	if err != nil {
		f.count(func(s *Status) { s.Malformed++ })
		f.log.Warn("PULL_RESP dropped: txpk unreadable", zap.Error(err), zap.Uint16("token", p.Token))
		return
	}
	d, err := downlinkOf(t)
	if err != nil {
		var ep errPower
		if errors.As(err, &ep) {
			f.refuse(p.Token, "TX_POWER", err)
			return
		}
		f.count(func(s *Status) { s.Malformed++ })
		f.log.Warn("PULL_RESP dropped: txpk invalid", zap.Error(err), zap.Uint16("token", p.Token))
		return
	}
	d.Origin = "udp:" + f.name
	token := p.Token
	adm := f.core.SendDownlink(d, func(r Result) { f.finished(token, d, r) })
	if adm.Code != "" {
		f.refuse(token, adm.Code, adm.Err)
		return
	}
	ack := gwmp.TxAckInfo{Error: gwmp.AckNone}
	if d.PowerGiven && adm.Power != d.Packet.Power {
		v := int32(adm.Power)
		ack = gwmp.TxAckInfo{Warn: gwmp.AckTxPower, Value: &v}
		f.log.Warn("downlink power not available: sent at the nearest lower power", zap.Int8("requested", d.Packet.Power),
			zap.Int8("used", adm.Power), zap.Uint16("token", token))
	}
	f.log.Debug("downlink queued", zap.Stringer("timing", d.Timing), zap.Uint32("tmst", uint32(d.Count)),
		zap.Uint32("freq", d.Packet.Frequency), zap.Uint16("token", token))
	f.txAck(token, ack)
}

// refuse answers a PULL_RESP with a TX_ACK error.
func (f *Forwarder) refuse(token uint16, code string, why error) {
	f.count(func(s *Status) { s.Refused++ })
	f.log.Info("downlink refused", zap.String("code", code), zap.Error(why), zap.Uint16("token", token))
	f.txAck(token, gwmp.TxAckInfo{Error: ackError(code)})
}

func (f *Forwarder) txAck(token uint16, a gwmp.TxAckInfo) {
	b, err := a.Encode()
	if err != nil {
		f.log.Error("encode TX_ACK", zap.Error(err))
		return
	}
	f.send(f.down, f.downAddr, gwmp.Packet{Type: gwmp.TxAck, Token: token, EUI: f.eui, JSON: b})
}

// finished takes the final result of a queued downlink: the protocol has
// no message for it, so a failure is logged and counted (the core reports
// it on MQTT when MQTT is configured).
func (f *Forwarder) finished(token uint16, d Downlink, r Result) {
	if r.Code == "SENT" {
		f.mu.Lock()
		f.st.Sent++
		f.iv.txnb++
		f.mu.Unlock()
		return
	}
	f.count(func(s *Status) { s.Failed++ })
	f.log.Warn("downlink failed after its TX_ACK", zap.String("code", r.Code), zap.Error(r.Err),
		zap.Uint16("token", token), zap.String("tmst", fmt.Sprint(uint32(d.Count))))
}
