package sx1302test

import (
	"math"
	"time"

	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/sx1302"
)

// fineEventDelayPs is the emulator's model of where an SX1303 fine
// timestamp points, in picoseconds after the start of the packet on air
// (the first preamble symbol of an 8-symbol preamble): the receive filter
// delay (18.53125 µs at BW125) plus 256 + 2138 ticks of 32 MHz, the fixed
// terms of the fine-timestamp computation (rxtx §1.6). The facts give the
// computation, not the physical point, so this is a modelling choice; it
// holds for BW125 (the multi-SF chains). 93.34375 µs.
const fineEventDelayPs = 18531250 + (256+2138)*31250

// fineEventTicks is the fine-timestamp event of an uplink whose last bit
// is on air at end, in 32 MHz ticks since origin, exact to the picosecond.
func (c *Chip) fineEventTicks(end time.Time, p hal.RxPacket) float64 {
	toa, err := hal.TimeOnAir(p.DataRate, len(p.Payload), 8, false, p.CRC != hal.CRCNone)
	if err != nil {
		return math.NaN()
	}
	ns := float64(end.Sub(c.origin).Nanoseconds()-toa.Nanoseconds()) + fineEventDelayPs/1000.0
	return ns * 0.032
}

// TrueFineTime is what a perfect fine timestamp of the uplink whose last
// bit is on air at end reads: ns from the PPS edge before its event to the
// event (the start of the packet plus 93.34375 µs, see fineEventDelayPs).
func (c *Chip) TrueFineTime(end time.Time, p hal.RxPacket) float64 {
	ev := c.fineEventTicks(end, p) / 0.032
	sec := math.Floor(ev / 1e9)
	return ev - sec*1e9
}

// LastPPS is the emulated PPS edge at or before t (PPS on every whole
// second since the chip was built).
func (c *Chip) LastPPS(t time.Time) time.Time {
	return c.origin.Add(t.Sub(c.origin).Truncate(time.Second))
}

// precision reports whether an SX1303 was put in precision mode: early
// latch, metrics and timestamp enabled (bringup §5.1). c.mu is held.
func (c *Chip) precision() bool {
	return c.cfg.Model == 0x03 && !c.bit(sx1302.RxTopLegacyTimestamp) && c.bit(sx1302.RxTopTimestampEnable) &&
		c.mem[sx1302.RxTopMaxTSMetrics.Addr()] > 0
}

// chainIF is the IF in Hz of IF chain ch. c.mu is held.
func (c *Chip) chainIF(ch byte) int64 {
	switch {
	case ch < 8:
		return c.ifOf(sx1302.RxTopFreq0MSB.At(2*int(ch)), sx1302.RxTopFreq0LSB.At(2*int(ch)))
	case ch == 8:
		return c.ifOf(sx1302.SvcFreqMSB, sx1302.SvcFreqLSB)
	}
	return c.ifOf(sx1302.FSKFreqMSB, sx1302.FSKFreqLSB)
}

// metrics are the chip's timestamp metrics for an uplink latched at raw
// ticks since origin (unwrapped): MAX_TS_METRICS pairs whose leading ones (as many as the host uses
// for the SF) carry the distance from the coarse end-of-preamble estimate
// to FineEvent, through the mean of their cumulative sums; the rest are
// noise the host must ignore. The emulator models the chip; it does not
// call the driver's computation. c.mu is held.
func (c *Chip) metrics(u uplink, raw int64, ifHz int64) []int8 {
	n := min(int(c.mem[sx1302.RxTopMaxTSMetrics.Addr()]), 32)
	m := make([]int8, 2*n)
	for i := range m {
		m[i] = int8(37 - 11*(i%7))
	}
	sf := u.p.DataRate.SpreadingFactor
	sym := math.Ldexp(1, int(sf))
	k := 12.0
	if sf < 7 {
		k = 14
	}
	coarse := 256*sym*k + 256*(sym/4-1) // the packets carry no frequency error
	var dc float64
	if ifHz >= -75000 && ifHz <= 75000 {
		f := float64(ifHz) / 1000
		dc = 1.7e-6*f*f*f*f + 2.4e-6*f*f*f - 0.0101*f*f - 0.01275*f + 10.2922
	}
	ev := c.fineEventTicks(u.at, u.p)
	// raw is unwrapped ticks since origin, as ev.
	target := ev - (float64(raw) - coarse + 2138) - dc
	used := 2 * 32
	switch sf {
	case 12:
		used = 8
	case 11:
		used = 16
	case 10:
		used = 32
	}
	used = min(used, len(m))
	// mean of cumulative sums = Σ m_j (K−j)/K for j = 0..K−1: weights K..1
	// over K; fill greedily so the weighted sum is round(target·K).
	rem := int64(math.Round(target * float64(used)))
	for j := 0; j < used; j++ {
		w := int64(used - j)
		v := max(min(rem/w, 127), -128)
		m[j] = int8(v)
		rem -= v * w
	}
	if rem != 0 || math.IsNaN(target) {
		return nil // out of the metrics' range: no fine timestamp
	}
	return m
}
