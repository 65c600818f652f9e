package sx1302_test

import (
	"errors"
	"math"
	"testing"

	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/sx1302"
)

func TestCoarseOffset(t *testing.T) {
	for _, c := range []struct {
		sf   uint8
		ferr float64
		want float64
	}{
		{5, 0, 256*32*14 + 256*7},
		{6, 0, 256*64*14 + 256*15},
		{7, 0, 401152},
		{9, 0, 256*512*12 + 256*127},
		{12, 0, 12844800},
		{7, 1e-5, 401152 * 1.00001},
		{7, -2e-6, 401152 * (1 - 2e-6)},
	} {
		if got := sx1302.CoarseOffset(c.sf, c.ferr); math.Abs(got-c.want) > 1e-6 {
			t.Errorf("CoarseOffset(SF%d, %g) = %f, want %f", c.sf, c.ferr, got, c.want)
		}
	}
}

func TestMetricClipAndMean(t *testing.T) {
	for sf, want := range map[uint8]int{5: 32, 7: 32, 9: 32, 10: 16, 11: 8, 12: 4} {
		if got := sx1302.MetricPairs(sf); got != want {
			t.Errorf("MetricPairs(SF%d) = %d, want %d", sf, got, want)
		}
	}
	for _, c := range []struct {
		m    []int8
		want float64
	}{
		{nil, 0},
		{[]int8{1, 1, 1, 1}, 2.5},   // cumulative 1 2 3 4
		{[]int8{-2, 4}, 0},          // -2 2
		{[]int8{127, -128}, 63},     // 127 -1
		{[]int8{0, 0, 0, 8}, 2},     // 0 0 0 8
		{[]int8{-5, 0, 0, 0}, -5.0}, // -5 -5 -5 -5
	} {
		if got := sx1302.MetricMean(c.m); got != c.want {
			t.Errorf("MetricMean(%v) = %f, want %f", c.m, got, c.want)
		}
	}
}

func TestDCNotchDelay(t *testing.T) {
	poly := func(f float64) float64 {
		return 1.7e-6*math.Pow(f, 4) + 2.4e-6*math.Pow(f, 3) - 0.0101*f*f - 0.01275*f + 10.2922
	}
	for _, c := range []struct {
		ifHz int32
		want float64
	}{
		{0, 10.2922},
		{75000, 7.3250125},
		{-75000, poly(-75)},
		{-50000, -3.9953},
		{20000, poly(20)},
		{75001, 0},
		{-200000, 0},
		{400000, 0},
	} {
		if got := sx1302.DCNotchDelay(c.ifHz); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("DCNotchDelay(%d) = %.9f, want %.9f", c.ifHz, got, c.want)
		}
	}
}

// history returns 16 PPS latches spaced by step ticks, the last at last.
func history(last uint32, step float64) []uint32 {
	h := make([]uint32, 16)
	for i := range h {
		h[i] = last - uint32(math.Round(float64(15-i)*step))
	}
	return h
}

func TestFineTimestamp(t *testing.T) {
	const pps = 0xFFF00000 // near the 32-bit wrap on purpose
	good := history(pps, 32e6)
	zeros := make([]int8, 64)
	ones := make([]int8, 64)
	for i := range ones {
		ones[i] = 1
	}
	// SF12 uses 4 pairs: 8 ones, then junk that must be ignored.
	sf12 := make([]int8, 64)
	for i := range sf12 {
		sf12[i] = 1
		if i >= 8 {
			sf12[i] = 100
		}
	}
	raw := func(sf uint8, delta uint32) uint32 {
		return pps + uint32(sx1302.CoarseOffset(sf, 0)) - 2138 + delta
	}
	base := sx1302.FineInput{SF: 7, IF: 200000, TimingSet: true, CRC: hal.CRCOK, PPS: pps, History: good}
	for _, c := range []struct {
		name string
		mod  func(*sx1302.FineInput)
		want uint32
		err  error
	}{
		{"zero metrics", func(in *sx1302.FineInput) { in.Raw, in.Metrics = raw(7, 1e6), zeros }, 31250000, nil},
		{"mean of cumulative sums", func(in *sx1302.FineInput) { in.Raw, in.Metrics = raw(7, 1e6), ones }, trunc((1e6 + 32.5) * 31.25), nil},
		{"SF12 clipped to 4 pairs", func(in *sx1302.FineInput) { in.SF, in.Raw, in.Metrics = 12, raw(12, 1e6), sf12 }, trunc((1e6 + 4.5) * 31.25), nil},
		{"DC notch at IF 0", func(in *sx1302.FineInput) { in.IF, in.Raw, in.Metrics = 0, raw(7, 1e6), zeros }, trunc((1e6 + 10.2922) * 31.25), nil},
		{"fast crystal", func(in *sx1302.FineInput) {
			in.History = history(pps, 32e6*1.0001)
			in.Raw, in.Metrics = raw(7, 1e6), zeros
		}, trunc(1e6 * 31.25 * 32e6 / math.Round(32e6*1.0001)), nil},
		{"stale latch, reference found in history", func(in *sx1302.FineInput) {
			in.PPS = good[13]
			in.Raw, in.Metrics = raw(7, 5e6), zeros
		}, 5e6 * 31.25, nil},
		{"no PPS within 1 s", func(in *sx1302.FineInput) { in.Raw, in.Metrics = raw(7, 40e6), zeros }, 0, sx1302.ErrNoRefPPS},
		{"15 PPS only", func(in *sx1302.FineInput) { in.History, in.Raw, in.Metrics = good[1:], raw(7, 1e6), zeros }, 0, sx1302.ErrPPSHistory},
		{"CRC bad", func(in *sx1302.FineInput) { in.CRC, in.Raw, in.Metrics = hal.CRCBad, raw(7, 1e6), zeros }, 0, sx1302.ErrNotCRCOK},
		{"no CRC", func(in *sx1302.FineInput) { in.CRC, in.Raw, in.Metrics = hal.CRCNone, raw(7, 1e6), zeros }, 0, sx1302.ErrNotCRCOK},
		{"N = 0", func(in *sx1302.FineInput) { in.Raw = raw(7, 1e6) }, 0, sx1302.ErrNoMetrics},
		{"timing not set", func(in *sx1302.FineInput) { in.TimingSet, in.Raw, in.Metrics = false, raw(7, 1e6), zeros }, 0, sx1302.ErrNoMetrics},
		{"xtal below 0.8", func(in *sx1302.FineInput) { in.History, in.Raw, in.Metrics = history(pps, 40.1e6), raw(7, 1e6), zeros }, 0, sx1302.ErrXtalRange},
		{"xtal above 1.2", func(in *sx1302.FineInput) { in.History, in.Raw, in.Metrics = history(pps, 26.6e6), raw(7, 1e6), zeros }, 0, sx1302.ErrXtalRange},
		{"above 1e9 ns", func(in *sx1302.FineInput) {
			in.Raw, in.Metrics = raw(7, 32e6-10), make([]int8, 64)
			in.Metrics[0] = 100
		}, 0, sx1302.ErrFineTooLate},
	} {
		in := base
		c.mod(&in)
		got, err := sx1302.FineTimestamp(in)
		if !errors.Is(err, c.err) || got != c.want {
			t.Errorf("%s: FineTimestamp = %d, %v; want %d, %v", c.name, got, err, c.want, c.err)
		}
	}
}

// The precision-mode correction is the time on air without preamble and
// sync word (checked against hal.TimeOnAir) less the 18.5/10.5/6.5 µs
// filter term.
func TestPrecisionCorrection(t *testing.T) {
	for _, c := range []struct {
		dr  hal.DataRate
		l   int
		crc bool
	}{
		{hal.LoRaRate(7, hal.BW125, hal.CR4_5), 12, true},
		{hal.LoRaRate(9, hal.BW125, hal.CR4_5), 20, true},
		{hal.LoRaRate(12, hal.BW125, hal.CR4_5), 20, true},
		{hal.LoRaRate(11, hal.BW125, hal.CR4_8), 51, false},
		{hal.LoRaRate(7, hal.BW250, hal.CR4_5), 20, true},
		{hal.LoRaRate(8, hal.BW500, hal.CR4_6), 20, true},
	} {
		toa, err := hal.TimeOnAir(c.dr, c.l, 0, false, c.crc)
		if err != nil {
			t.Fatal(err)
		}
		tsym := float64(int64(1)<<c.dr.SpreadingFactor) / float64(c.dr.Bandwidth) * 1e6
		filter := map[hal.Bandwidth]float64{hal.BW125: 18.53125, hal.BW250: 10.53125, hal.BW500: 6.53125}[c.dr.Bandwidth]
		want := int32(float64(toa.Nanoseconds())/1e3 - 4.25*tsym - filter)
		if got := sx1302.PrecisionCorrection(c.dr, c.crc, c.l); absI(int64(got-want)) > 1 {
			t.Errorf("PrecisionCorrection(%v, %d) = %d, want %d", c.dr, c.l, got, want)
		}
	}
}

// trunc is the nearest ns, as FineTimestamp rounds.
func trunc(f float64) uint32 { return uint32(math.Round(f)) }
