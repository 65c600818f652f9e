package sx1301_test

import (
	"encoding/hex"
	"testing"

	"github.com/lgwagent/lgw/sx1301"
	"github.com/lgwagent/lgw/sx1301/sx1301test"
)

// BenchmarkDecodeRecord decodes the golden SF7 record.
func BenchmarkDecodeRecord(b *testing.B) {
	var g sx1301test.GoldenRx
	if err := sx1301test.LoadGolden(goldenDir, "rx-eu868.json", &g); err != nil {
		b.Fatal(err)
	}
	plan, _ := g.Config.Plan()
	r := g.Calls[0].Records[0]
	rec, _ := hex.DecodeString(r.Hex)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sx1301.DecodeRecord(&plan, -166, rec, r.Size, r.Status); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReceiveFullFIFO reads 16 records of 50 bytes through the
// emulator's SPI (the driver's cost per full FIFO, emulator included).
func BenchmarkReceiveFullFIFO(b *testing.B) {
	g := loadStart(b)
	r := newRig(b, sx1301test.Config{}, goldenOpts(b, g.Config, ""))
	var gr sx1301test.GoldenRx
	if err := sx1301test.LoadGolden(goldenDir, "rx-eu868.json", &gr); err != nil {
		b.Fatal(err)
	}
	rec, _ := hex.DecodeString(gr.Calls[4].Records[0].Hex)
	size := gr.Calls[4].Records[0].Size
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		for i := 0; i < sx1301.FIFOSize; i++ {
			r.chip.InjectRecord(rec, size, 5)
		}
		b.StartTimer()
		if _, _, err := r.dev.FetchFrom(r.chip); err != nil {
			b.Fatal(err)
		}
	}
}
