package sx1302

import (
	"errors"
	"math"
	"time"

	"github.com/lgwagent/lgw/hal"
)

// Precision mode and the SX1303 fine timestamp (rxtx §1.6, bringup §5.1).

// PPSHistory is the number of distinct PPS latches the fine timestamp
// needs (rxtx §1.6): at least 16 s of PPS.
const PPSHistory = 16

// Reasons a packet gets no fine timestamp.
var (
	ErrNoMetrics   = errors.New("no timestamp metrics (N = 0 or timing not set)")
	ErrNotCRCOK    = errors.New("payload CRC not OK")
	ErrPPSHistory  = errors.New("fewer than 16 distinct PPS latches")
	ErrNoRefPPS    = errors.New("no PPS latch within 1 s before the packet")
	ErrXtalRange   = errors.New("crystal correction outside 0.8..1.2")
	ErrFineTooLate = errors.New("fine timestamp above 1e9 ns")
)

// ppsRing keeps the last PPSHistory distinct PPS latches (32 MHz ticks),
// oldest first once read with values.
type ppsRing struct {
	v    [PPSHistory]uint32
	n    int
	next int
}

// add records a PPS latch unless it equals the newest one.
func (r *ppsRing) add(p uint32) {
	if r.n > 0 && r.v[(r.next+PPSHistory-1)%PPSHistory] == p {
		return
	}
	r.v[r.next] = p
	r.next = (r.next + 1) % PPSHistory
	r.n = min(r.n+1, PPSHistory)
}

// values returns the latches, oldest first.
func (r *ppsRing) values() []uint32 {
	out := make([]uint32, 0, r.n)
	for i := 0; i < r.n; i++ {
		out = append(out, r.v[(r.next+PPSHistory-r.n+i)%PPSHistory])
	}
	return out
}

// CoarseOffset is the 32 MHz tick distance from the precision-mode latch
// back to the end of the preamble: 256·2^SF·(12, or 14 for SF5/6) +
// 256·(2^SF/4 − 1), scaled by (1 + freqErr), freqErr being the packet's
// relative frequency error (rxtx §1.6 step 1).
func CoarseOffset(sf uint8, freqErr float64) float64 {
	sym := float64(int64(1) << sf)
	k := 12.0
	if sf < 7 {
		k = 14
	}
	return (256*sym*k + 256*(sym/4-1)) * (1 + freqErr)
}

// MetricPairs is how many metric pairs the fine timestamp uses for an SF
// (rxtx §1.6 step 3): SF12 4, SF11 8, SF10 16, others 32.
func MetricPairs(sf uint8) int {
	switch sf {
	case 12:
		return 4
	case 11:
		return 8
	case 10:
		return 16
	}
	return 32
}

// MetricMean is the mean of the running cumulative sums of the metrics,
// in 32 MHz ticks (rxtx §1.6 step 4); 0 for none.
func MetricMean(m []int8) float64 {
	if len(m) == 0 {
		return 0
	}
	var cum, sum float64
	for _, v := range m {
		cum += float64(v)
		sum += cum
	}
	return sum / float64(len(m))
}

// DCNotchDelay is the DC-notch filter delay in 32 MHz ticks for an IF
// offset in Hz: a polynomial in kHz for |IF| ≤ 75 kHz, else 0 (rxtx §1.6).
func DCNotchDelay(ifHz int32) float64 {
	if ifHz < -75000 || ifHz > 75000 {
		return 0
	}
	f := float64(ifHz) / 1000
	return 1.7e-6*f*f*f*f + 2.4e-6*f*f*f - 0.0101*f*f - 0.01275*f + 10.2922
}

// FineInput is what the fine timestamp of one packet is computed from.
type FineInput struct {
	// Raw is the record's 32 MHz timestamp (precision-mode latch).
	Raw uint32
	// SF is the LoRa spreading factor; FreqErr the relative frequency
	// error (offset / channel frequency); IF the chain's IF in Hz.
	SF      uint8
	FreqErr float64
	IF      int32
	// Metrics are the record's 2N metric bytes; TimingSet its status bit 4.
	Metrics   []int8
	TimingSet bool
	CRC       hal.CRCStatus
	// PPS is the PPS latch read with the record; History the distinct
	// latches, oldest first.
	PPS     uint32
	History []uint32
}

// FineTimestamp computes a packet's fine timestamp in ns since the PPS
// before it (rxtx §1.6), or the reason it has none.
func FineTimestamp(in FineInput) (uint32, error) {
	if len(in.Metrics) < 2 || !in.TimingSet {
		return 0, ErrNoMetrics
	}
	if in.CRC != hal.CRCOK {
		return 0, ErrNotCRCOK
	}
	if len(in.History) < PPSHistory {
		return 0, ErrPPSHistory
	}
	ts := in.Raw - uint32(CoarseOffset(in.SF, in.FreqErr)) + 2138
	m := in.Metrics
	if k := 2 * MetricPairs(in.SF); len(m) > k {
		m = m[:k]
	}
	mean := MetricMean(m)
	// The reference PPS: the latch read with the record, or the newest
	// latch of the history less than 1 s before the packet.
	ref := in.PPS
	if ts-ref > 32e6 {
		ok := false
		for i := len(in.History) - 1; i >= 0; i-- {
			if ts-in.History[i] < 32e6 {
				ref, ok = in.History[i], true
				break
			}
		}
		if !ok {
			return 0, ErrNoRefPPS
		}
	}
	// The crystal correction from the reference and its neighbour in the
	// history.
	idx := -1
	for i, p := range in.History {
		if p == ref {
			idx = i
		}
	}
	if idx < 0 {
		return 0, ErrNoRefPPS
	}
	var diff uint32
	if idx > 0 {
		diff = ref - in.History[idx-1]
	} else {
		diff = in.History[1] - ref
	}
	xtal := 32e6 / float64(diff)
	if diff == 0 || xtal < 0.8 || xtal > 1.2 {
		return 0, ErrXtalRange
	}
	ns := (float64(ts-ref) + mean + DCNotchDelay(in.IF)) * 31.25 * xtal
	if ns < 0 || ns > 1e9 || math.IsNaN(ns) {
		return 0, ErrFineTooLate
	}
	return uint32(math.Round(ns)), nil
}

// PayloadSymbols is the LoRa symbol count after the preamble and sync word
// for an explicit-header packet of l bytes (header included).
func PayloadSymbols(dr hal.DataRate, crcEn bool, l int) int64 {
	sf := int64(dr.SpreadingFactor)
	de := int64(0)
	if dr.LowDataRateOptimize() {
		de = 1
	}
	crc := int64(0)
	if crcEn {
		crc = 1
	}
	num := 8*int64(l) - 4*sf + 28 + 16*crc
	den := 4 * (sf - 2*de)
	n := int64(0)
	if num > 0 {
		n = (num + den - 1) / den * (int64(dr.CodeRate) + 4)
	}
	return 8 + n
}

// PrecisionCorrection is the precision-mode timestamp correction in µs
// that moves the latch to about the end of the packet: payload symbols ×
// T_sym − (16e6/bw_pow + 2 031 250 + 500 000)/1e6, truncated (rxtx §1.6).
func PrecisionCorrection(dr hal.DataRate, crcEn bool, l int) int32 {
	bwPow := float64(dr.Bandwidth / hal.BW125)
	if bwPow < 1 {
		bwPow = 1
	}
	tsym := float64(int64(1)<<dr.SpreadingFactor) / float64(dr.Bandwidth) * 1e6
	return int32(float64(PayloadSymbols(dr, crcEn, l))*tsym - (16e6/bwPow+2031250+500000)/1e6)
}

// finePPSRead bounds the counter read interval in precision mode so that
// every PPS latch enters the history.
const finePPSRead = 250 * time.Millisecond

// fineTime sets p's fine timestamp from its record when the conditions
// hold; otherwise it leaves it unset. d.mu is held.
func (d *Dev) fineTime(p *hal.RxPacket, rec []byte, l int, raw uint32, sf uint8) {
	t := rec[recHead+l:]
	n := int(t[12])
	m := make([]int8, 2*n)
	for i := range m {
		m[i] = int8(t[13+i])
	}
	var ifHz int32
	switch {
	case p.IFChain < 8:
		ifHz = d.opts.Plan.MultiSF[p.IFChain].IF
	case p.IFChain == 8:
		ifHz = d.opts.Plan.Service.IF
	}
	var ferr float64
	if p.Frequency != 0 {
		ferr = float64(p.FreqOffset) / float64(p.Frequency)
	}
	ns, err := FineTimestamp(FineInput{Raw: raw, SF: sf, FreqErr: ferr, IF: ifHz, Metrics: m,
		TimingSet: t[0]&0x10 != 0, CRC: p.CRC, PPS: d.lastPPS, History: d.pps.values()})
	if err != nil {
		d.stats.NoFineTime++
		return
	}
	p.FineTime, p.HasFineTime = ns, true
}
