package sx1302

import (
	"testing"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/region"
)

func fuzzDev(tb testing.TB) *Dev {
	eu, err := region.Lookup(string(region.EU868))
	if err != nil {
		tb.Fatal(err)
	}
	p, err := PlanFor(eu)
	if err != nil {
		tb.Fatal(err)
	}
	o := Opts{Plan: p}
	o.setDefaults()
	return &Dev{opts: o, log: zap.NewNop(), queue: make([]hal.RxPacket, 0, o.RxQueue)}
}

func record(l int, seed byte) []byte {
	r := make([]byte, 23+l)
	r[0], r[1], r[2], r[3], r[4], r[5] = 0xA5, 0xC0, byte(l), 2, 0x73, 2
	for i := 0; i < l; i++ {
		r[9+i] = seed + byte(i)
	}
	var s byte
	for _, b := range r[:len(r)-1] {
		s += b
	}
	r[len(r)-1] = s
	return r
}

// FuzzParse feeds arbitrary RX buffers to the record parser: it must never
// panic, and never return more packets than records could fit.
func FuzzParse(f *testing.F) {
	f.Add(record(12, 1))
	f.Add(append(record(0, 0), record(40, 9)...))
	f.Add([]byte{0xA5, 0xC0, 0xFF})
	f.Add(append([]byte{1, 2, 3}, record(5, 5)...))
	d := fuzzDev(f)
	// The same parser in precision mode with a full PPS history, so the
	// metric bytes are read and the fine timestamp computed.
	fine := fuzzDev(f)
	fine.fine = true
	for i := uint32(0); i < PPSHistory; i++ {
		fine.pps.add(i * 32000000)
	}
	fine.lastPPS = 15 * 32000000
	f.Fuzz(func(t *testing.T, buf []byte) {
		for _, d := range []*Dev{d, fine} {
			d.queue = d.queue[:0]
			d.parse(buf, 123456, 123456, -215.4)
			if len(d.queue)*minRecord > len(buf) {
				t.Fatalf("%d packets from %d bytes", len(d.queue), len(buf))
			}
			for _, p := range d.queue {
				if p.HasFineTime && (p.CRC != hal.CRCOK || p.FineTime > 1e9 || !d.fine) {
					t.Fatalf("fine time %d on %v", p.FineTime, p)
				}
			}
		}
	})
}

// BenchmarkParse measures the RX parse of a full buffer of 16-byte
// packets; the only allocation per packet is its payload copy.
func BenchmarkParse(b *testing.B) {
	d := fuzzDev(b)
	var buf []byte
	for len(buf)+39 <= rxBufSize {
		buf = append(buf, record(16, byte(len(buf)))...)
	}
	n := len(buf) / 39
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d.queue = d.queue[:0]
		d.parse(buf, 1000000, 1000000, -215.4)
	}
	if len(d.queue) != n {
		b.Fatalf("parsed %d of %d packets", len(d.queue), n)
	}
	b.ReportMetric(float64(n), "pkts/op")
}
