package scheduler

import (
	"errors"
	"strings"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/lgwagent/lgw/hal"
)

// Every transmission result is logged: SENT at debug, a caller's
// cancellation at info, every refusal and failure at warn with its code
// and reason. Fields are built only when the level is enabled.

// logResult logs how an accepted item ended.
func (s *Scheduler) logResult(f finished) {
	r := &f.res
	lvl, msg := zapcore.WarnLevel, "transmission failed"
	switch r.Code {
	case Sent:
		lvl, msg = zapcore.DebugLevel, "transmission sent"
	case Cancelled:
		lvl, msg = zapcore.InfoLevel, "transmission cancelled"
	}
	ce := s.log.Check(lvl, msg)
	if ce == nil {
		return
	}
	fields := txFields(r.Ref, f.class, r.Origin, &r.Packet)
	fields = append(fields, zap.Uint32("tmst", uint32(r.Count)))
	if r.Code != Sent {
		fields = append(fields, zap.String("code", string(r.Code)), zap.Error(r.Err))
	}
	ce.Write(fields...)
}

// logRefusal logs a request Schedule turned down.
func (s *Scheduler) logRefusal(req *Request, err error) {
	ce := s.log.Check(zapcore.WarnLevel, "transmission refused")
	if ce == nil {
		return
	}
	fields := txFields(req.Ref, req.Class, req.Origin, &req.Packet)
	if req.Timing.Mode == AtCount {
		fields = append(fields, zap.Uint32("tmst", uint32(req.Timing.Count)))
	}
	var r *RefusalError
	if errors.As(err, &r) {
		fields = append(fields, zap.String("code", string(r.Code)))
	}
	ce.Write(append(fields, zap.Error(err))...)
}

// txFields describe a transmission: reference, class, origin and group,
// frequency, data rate, RF chain, power and size.
func txFields(ref string, c Class, origin string, p *hal.TxPacket) []zap.Field {
	fs := make([]zap.Field, 0, 12)
	fs = append(fs, zap.String("ref", ref), zap.Stringer("class", c), zap.String("origin", origin))
	if g, ok := strings.CutPrefix(origin, "multicast:"); ok {
		fs = append(fs, zap.String("group", g))
	}
	return append(fs, zap.Float64("freq_mhz", float64(p.Frequency)/1e6), zap.String("datr", p.DataRate.Datr()),
		zap.Uint8("rf_chain", p.RFChain), zap.Int8("power", p.Power), zap.Int("size", len(p.Payload)))
}
