package sx1302_test

import (
	"encoding/hex"
	"math"
	"path/filepath"
	"testing"

	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/sx1302"
	"github.com/lgwagent/lgw/sx1302/sx1302test"
)

// TestGoldenRx decodes each golden RX record, read from the RX buffer with
// the board's STTS751 at the golden temperature, and compares with the
// reference's metadata.
func TestGoldenRx(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(goldenDir, "rx-*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden RX files: %v", err)
	}
	for _, file := range files {
		var g sx1302test.GoldenRx
		if err := sx1302test.LoadGolden(file, &g); err != nil {
			t.Fatal(err)
		}
		t.Run(g.Name, func(t *testing.T) {
			sensor := sx1302test.NewSTTS751(0x39, float64(g.Temperature))
			r := goldenRig(t, "eu868", sx1302test.Config{}, func(o *sx1302.Opts) { o.I2C, o.TempAddr = sensor, 0x39 })
			for _, u := range g.Uplinks {
				t.Run(u.Name, func(t *testing.T) { checkGoldenUplink(t, r, u) })
			}
		})
	}
}

func checkGoldenUplink(t *testing.T, r *rig, u sx1302test.GoldenUplink) {
	rec, err := hex.DecodeString(u.RecordHex)
	if err != nil {
		t.Fatal(err)
	}
	r.chip.InjectRaw(rec)
	got, err := r.dev.Receive()
	if err != nil || len(got) != 1 {
		t.Fatalf("receive: %v %v", got, err)
	}
	p, w := got[0], u.Decoded
	status := map[hal.CRCStatus]string{hal.CRCOK: "CRC_OK", hal.CRCBad: "CRC_BAD", hal.CRCNone: "NO_CRC"}[p.CRC]
	if p.Frequency != w.Freq || p.IFChain != w.IFChain || p.RFChain != w.RFChain || status != w.Status ||
		hex.EncodeToString(p.Payload) != w.Payload {
		t.Errorf("packet %v status %s; golden %d Hz chain %d radio %d %s %s", p, status, w.Freq, w.IFChain, w.RFChain, w.Status, w.Payload)
	}
	if p.FreqOffset != w.FreqOffset {
		t.Errorf("freq_offset %d, golden %d", p.FreqOffset, w.FreqOffset)
	}
	if math.Abs(float64(p.RSSIChannel-w.RSSIC)) > 0.05 {
		t.Errorf("rssic %.4f, golden %.4f", p.RSSIChannel, w.RSSIC)
	}
	if w.Modulation == "LORA" {
		dr := hal.LoRaRate(uint8(w.DataRate), hal.Bandwidth(w.Bandwidth), p.DataRate.CodeRate)
		if p.DataRate != dr || p.DataRate.CodeRate.String() != w.CodeRate {
			t.Errorf("data rate %v, golden SF%d BW%d %s", p.DataRate, w.DataRate, w.Bandwidth, w.CodeRate)
		}
		if math.Abs(float64(p.RSSISignal-w.RSSIS)) > 0.05 || p.SNR != w.SNR {
			t.Errorf("rssis %.4f snr %.2f, golden %.4f %.2f", p.RSSISignal, p.SNR, w.RSSIS, w.SNR)
		}
	} else if p.DataRate.BitRate != w.DataRate || p.SNR != -128 {
		// The reference's FSK rssis is -128 plus the offsets: lgw reports
		// -128 (undefined), as for SNR.
		t.Errorf("FSK data rate %v snr %v, golden %d bit/s", p.DataRate, p.SNR, w.DataRate)
	}
	// The counter is widened from the chip's, so compare the correction
	// modulo the 27-bit µs counter the record carries.
	corr := (uint32(p.Count) - u.Ticks/32) & (1<<27 - 1)
	if want := uint32(u.Derived.Correction) & (1<<27 - 1); corr != want {
		t.Errorf("timestamp correction %d µs, golden %d", int32(corr<<5)>>5, u.Derived.Correction)
	}
}
