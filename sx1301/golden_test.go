package sx1301_test

import (
	"context"
	"encoding/hex"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/internal/golden"
	"github.com/lgwagent/lgw/sx1301"
	"github.com/lgwagent/lgw/sx1301/sx1301test"
	"github.com/lgwagent/lgw/sx1302/sx1302test"
)

// goldenDir holds the golden data of the reference driver:
// ../shared/golden/sx1301 beside the repository (see internal/golden).
var goldenDir = golden.Dir("sx1301")

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// rig is the real driver on the emulator with a virtual clock.
type rig struct {
	clk  *clock.Virtual
	chip *sx1301test.Chip
	dev  *sx1301.Dev
}

func loadStart(t testing.TB) sx1301test.GoldenStart {
	t.Helper()
	var g sx1301test.GoldenStart
	if err := sx1301test.LoadGolden(goldenDir, "start-eu868.json", &g); err != nil {
		t.Fatal(err)
	}
	return g
}

// goldenOpts are the driver options of the golden configuration.
func goldenOpts(t testing.TB, g sx1301test.GoldenConfig, dir string) sx1301.Opts {
	t.Helper()
	p, err := g.Plan()
	if err != nil {
		t.Fatal(err)
	}
	return sx1301.Opts{FirmwareDir: dir, Radio: sx1301.SX1257, ClockSource: g.Board.Clock, Plan: p,
		RSSIOffset: g.RF[0].RSSIOffset, TxGains: sx1301test.Gains(g.LUT), TxChains: 1,
		TxFreq: hal.FreqRange{Min: 863e6, Max: 870e6}}
}

func newRig(t testing.TB, cfg sx1301test.Config, opts sx1301.Opts) *rig {
	t.Helper()
	clk := clock.NewVirtual(t0)
	cfg.Clock, cfg.Fail = clk, t
	chip := sx1301test.New(cfg)
	if opts.FirmwareDir == "" {
		opts.FirmwareDir = t.TempDir()
		if err := sx1301test.WriteSyntheticFirmware(opts.FirmwareDir); err != nil {
			t.Fatal(err)
		}
	}
	dev, err := sx1301.New(chip, sx1301.Pins{}, opts, clk, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &rig{clk: clk, chip: chip, dev: dev}
}

func (r *rig) start() error {
	return sx1302test.Pump(r.clk, func() error { return r.dev.Start(context.Background()) })
}

func (r *rig) stop(t *testing.T) {
	t.Helper()
	if err := r.dev.Stop(); err != nil {
		t.Fatal(err)
	}
}

func startedGolden(t *testing.T) (*rig, sx1301test.GoldenStart) {
	t.Helper()
	g := loadStart(t)
	r := newRig(t, sx1301test.Config{Trace: true}, goldenOpts(t, g.Config, ""))
	if err := r.start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.dev.Stop() })
	return r, g
}

// TestGoldenStartRegisters: after start with the golden configuration
// every register libloragw wrote holds its golden bytes.
func TestGoldenStartRegisters(t *testing.T) {
	r, g := startedGolden(t)
	n := 0
	for _, gr := range g.Registers {
		if gr.DataPort {
			continue
		}
		reg, ok := sx1301.RegByName(gr.Name)
		if !ok {
			t.Errorf("golden register %s is not in the register map", gr.Name)
			continue
		}
		if reg.Page() != gr.Page || int(reg.Addr()) != gr.Addr {
			t.Errorf("%s: map says page %d addr %d, golden page %d addr %d", gr.Name, reg.Page(), reg.Addr(), gr.Page, gr.Addr)
		}
		if reg == sx1301.PageReg {
			if got := r.chip.Page(); int64(got) != *gr.Value {
				t.Errorf("PAGE_REG: page %d, golden %d", got, *gr.Value)
			}
			n++
			continue
		}
		if got := hex.EncodeToString(r.chip.RegBytes(reg)); got != gr.ChipBytes {
			t.Errorf("%s: chip bytes %s, golden %s", gr.Name, got, gr.ChipBytes)
		}
		got := int64(r.chip.Reg(reg))
		if !reg.Signed() && got < 0 {
			got = int64(uint32(got))
		}
		if got != *gr.Value {
			t.Errorf("%s: value %d, golden %d", gr.Name, got, *gr.Value)
		}
		n++
	}
	for _, gr := range g.ByModel {
		reg, _ := sx1301.RegByName(gr.Name)
		if got := r.chip.Reg(reg); int64(got) != *gr.Value {
			t.Errorf("%s (calibration): %d, golden %d", gr.Name, got, *gr.Value)
		}
	}
	if n < 85 {
		t.Fatalf("only %d golden registers checked", n)
	}
}

// TestGoldenStartRadios: each SX1257 received the golden writes and holds
// the golden final values.
func TestGoldenStartRadios(t *testing.T) {
	r, g := startedGolden(t)
	for ch := 0; ch < 2; ch++ {
		gr := g.Radios[fmt.Sprint(ch)]
		got := r.chip.RadioRegs(ch)
		if len(got) != len(gr.Final) {
			t.Errorf("radio %d: %d registers written, golden %d", ch, len(got), len(gr.Final))
		}
		for a, v := range gr.Final {
			var ai, vi int
			fmt.Sscanf(a, "0x%x", &ai)
			fmt.Sscanf(v, "0x%x", &vi)
			if got[byte(ai)] != byte(vi) {
				t.Errorf("radio %d reg %s: 0x%02x, golden %s", ch, a, got[byte(ai)], v)
			}
		}
	}
}

// TestGoldenStartSequence: the driver's SPI transactions during start are
// the reference driver's, one for one (program RAM content aside).
func TestGoldenStartSequence(t *testing.T) {
	r, g := startedGolden(t)
	got := r.chip.Trace()
	want := sx1301test.Transactions(g.Sequence)
	if len(want) != g.SPI.Transactions {
		t.Fatalf("golden lists %d transactions, says %d", len(want), g.SPI.Transactions)
	}
	compareTrace(t, got, want)
}

func compareTrace(t *testing.T, got, want []string) {
	t.Helper()
	for i := 0; i < max(len(got), len(want)); i++ {
		var gv, wv string
		if i < len(got) {
			gv = got[i]
		}
		if i < len(want) {
			wv = want[i]
		}
		if !sx1301test.SameTransaction(gv, wv) {
			t.Fatalf("transaction %d: driver %q, golden %q\ncontext driver %v\ncontext golden %v", i, gv, wv,
				got[max(0, i-3):min(len(got), i+3)], want[max(0, i-3):min(len(want), i+3)])
		}
	}
}

func loadTx(t *testing.T, name string) sx1301test.GoldenTx {
	t.Helper()
	var g sx1301test.GoldenTx
	if err := sx1301test.LoadGolden(goldenDir, name, &g); err != nil {
		t.Fatal(err)
	}
	return g
}

// txPacket converts a golden lgw_pkt_tx_s.
func txPacket(t *testing.T, g sx1301test.GoldenTx) *hal.TxPacket {
	t.Helper()
	gp := g.Packet
	pl, err := hex.DecodeString(gp.Payload)
	if err != nil {
		t.Fatal(err)
	}
	p := &hal.TxPacket{Payload: pl, Frequency: gp.Freq, RFChain: gp.RFChain, Power: gp.Power,
		Preamble: gp.Preamble, InvertIQ: gp.InvertPol != 0, NoCRC: gp.NoCRC != 0, ImplicitHeader: gp.NoHeader != 0,
		Trigger: hal.Trigger{Mode: []hal.TriggerMode{hal.Immediate, hal.AtCount, hal.OnPPS}[gp.Mode], Count: hal.Count(gp.Count)}}
	if gp.Modulation == 0x10 {
		sf := uint8(0)
		for s := uint8(7); s <= 12; s++ {
			if gp.DataRate == 1<<(s-6) {
				sf = s
			}
		}
		bw := map[int]hal.Bandwidth{1: hal.BW500, 2: hal.BW250, 3: hal.BW125}[gp.Bandwidth]
		p.DataRate = hal.LoRaRate(sf, bw, hal.CodeRate(gp.CodeRate))
	} else {
		p.DataRate = hal.FSKRate(gp.DataRate, gp.FDev*1000)
	}
	return p
}

// writesOnly keeps the write transactions that are not page switches.
func writesOnly(tr []string) []string {
	var out []string
	for _, s := range tr {
		if strings.HasPrefix(s, "w:") && !strings.HasPrefix(s, "w:00:") {
			out = append(out, s)
		}
	}
	return out
}

// TestGoldenTx: each golden TX gives the golden header, buffer and
// register writes, and the emulator schedules it at the golden count.
func TestGoldenTx(t *testing.T) {
	for _, name := range []string{"tx-sf12-27dbm-ts.json", "tx-fsk-50k-ts.json"} {
		t.Run(name, func(t *testing.T) {
			g := loadTx(t, name)
			r, _ := startedGolden(t)
			r.chip.Trace()
			p := txPacket(t, g)
			if err := r.dev.Send(p); err != nil {
				t.Fatal(err)
			}
			want := writesOnly(sx1301test.Transactions(g.Sequence))
			if got := writesOnly(r.chip.Trace()); strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("writes\n got %v\nwant %v", got, want)
			}
			if st, err := r.dev.TxStatus(0); err != nil || st != hal.TxScheduled {
				t.Errorf("status %v %v, golden TX_SCHEDULED", st, err)
			}
			air := r.chip.AirLog()
			if len(air) != 1 {
				t.Fatalf("air log %d", len(air))
			}
			e := air[0]
			if h := hex.EncodeToString(e.Header); h != g.Buffer[:32] {
				t.Errorf("header %s, golden %s", h, g.Buffer[:32])
			}
			if e.StartCount != uint32(p.Trigger.Count) || absDiff(e.Frequency, p.Frequency) > 62 || string(e.Payload) != string(p.Payload) {
				t.Errorf("emission at %d on %d Hz %x, want %d %d %x", e.StartCount, e.Frequency, e.Payload,
					p.Trigger.Count, p.Frequency, p.Payload)
			}
			r.clk.Advance(time.Duration(p.Trigger.Count)*time.Microsecond + 5*time.Second)
			if st, _ := r.dev.TxStatus(0); st != hal.TxFree {
				t.Errorf("after the emission: %v", st)
			}
		})
	}
}

func loadRx(t *testing.T) sx1301test.GoldenRx {
	t.Helper()
	var g sx1301test.GoldenRx
	if err := sx1301test.LoadGolden(goldenDir, "rx-eu868.json", &g); err != nil {
		t.Fatal(err)
	}
	return g
}

// TestGoldenRecords: each golden FIFO record decodes to the golden
// metadata.
func TestGoldenRecords(t *testing.T) {
	g := loadRx(t)
	plan, err := g.Config.Plan()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, call := range g.Calls {
		for _, rec := range call.Records {
			t.Run(rec.Name, func(t *testing.T) {
				b, _ := hex.DecodeString(rec.Hex)
				got, err := sx1301.DecodeRecord(&plan, -166, b, rec.Size, rec.Status)
				if rec.Decoded == nil {
					if err == nil {
						t.Fatalf("decoded %+v; libloragw refuses it", got)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				checkDecoded(t, got, rec.Decoded)
			})
			n++
		}
	}
	if n != 21 {
		t.Fatalf("%d golden records, want 21", n)
	}
}

func checkDecoded(t *testing.T, got sx1301.Record, w *sx1301test.GoldenDecoded) {
	t.Helper()
	status := map[int]hal.CRCStatus{0x10: hal.CRCOK, 0x11: hal.CRCBad, 0x01: hal.CRCNone}
	if w.Status == 0 {
		if !got.Undefined {
			t.Errorf("status undefined not reported")
		}
	} else if got.CRC != status[w.Status] || got.Undefined {
		t.Errorf("crc %v, golden status 0x%x", got.CRC, w.Status)
	}
	near := func(a float32, b float64) bool { return math.Abs(float64(a)-b) < 1e-4 }
	if got.Freq != w.Freq || got.IFChain != w.IFChain || got.RFChain != w.RFChain || got.Count != w.Count ||
		got.Checksum != w.CRC || len(got.Payload) != w.Size || hex.EncodeToString(got.Payload) != w.Payload {
		t.Errorf("got freq %d if %d rf %d count %d crc %d size %d\n golden freq %d if %d rf %d count %d crc %d size %d",
			got.Freq, got.IFChain, got.RFChain, got.Count, got.Checksum, len(got.Payload),
			w.Freq, w.IFChain, w.RFChain, w.Count, w.CRC, w.Size)
	}
	if !near(got.RSSI, w.RSSI) || !near(got.SNR, w.SNR) || !near(got.SNRMin, w.SNRMin) || !near(got.SNRMax, w.SNRMax) {
		t.Errorf("rssi %v snr %v/%v/%v, golden %v %v/%v/%v", got.RSSI, got.SNR, got.SNRMin, got.SNRMax, w.RSSI, w.SNR, w.SNRMin, w.SNRMax)
	}
	d := got.DataRate
	if w.Modulation == 0x20 {
		if d.Modulation != hal.FSK || d.BitRate != w.DataRate {
			t.Errorf("datarate %v, golden FSK %d", d, w.DataRate)
		}
		return
	}
	bw := map[int]hal.Bandwidth{1: hal.BW500, 2: hal.BW250, 3: hal.BW125}[w.Bandwidth]
	if d.Modulation != hal.LoRa || uint32(1)<<(d.SpreadingFactor-6) != w.DataRate || d.Bandwidth != bw || int(d.CodeRate) != w.CodeRate {
		t.Errorf("datarate %v, golden dr 0x%x bw %d cr %d", d, w.DataRate, w.Bandwidth, w.CodeRate)
	}
}

// TestGoldenReceive: the driver reads the golden records through the FIFO
// with the golden transactions and delivers what libloragw delivered,
// except that it pops and counts the records it cannot use (IF chain 10,
// undefined status) instead of stopping on them.
func TestGoldenReceive(t *testing.T) {
	g := loadRx(t)
	r, _ := startedGolden(t)
	for _, call := range g.Calls {
		t.Run(call.Name, func(t *testing.T) {
			before := r.dev.Stats()
			for _, rec := range call.Records {
				b, _ := hex.DecodeString(rec.Hex)
				r.chip.InjectRecord(b, rec.Size, rec.Status)
			}
			r.chip.Trace()
			pkts, err := r.dev.Receive()
			if err != nil {
				t.Fatal(err)
			}
			tr := r.chip.Trace()
			want := sx1301test.Transactions(call.Sequence)
			skipped := 0
			for _, rec := range call.Records {
				if rec.Decoded == nil || rec.Decoded.Status == 0 {
					skipped++
				}
			}
			if skipped == 0 {
				compareTrace(t, tr, want)
			} else if !strings.HasPrefix(strings.Join(tr, " "), strings.Join(want, " ")) {
				t.Errorf("transactions %v do not start with the golden %v", tr, want)
			}
			if len(pkts) != len(call.Records)-skipped {
				t.Fatalf("%d packets, want %d", len(pkts), len(call.Records)-skipped)
			}
			if d := r.dev.Stats().Corrupt - before.Corrupt; d != uint64(skipped) {
				t.Errorf("corrupt counted %d, want %d", d, skipped)
			}
			i := 0
			for _, rec := range call.Records {
				if rec.Decoded == nil || rec.Decoded.Status == 0 {
					continue
				}
				if p := pkts[i]; uint32(p.Count) != rec.Decoded.Count || p.Frequency != rec.Decoded.Freq {
					t.Errorf("packet %d: count %d freq %d, golden %d %d", i, p.Count, p.Frequency, rec.Decoded.Count, rec.Decoded.Freq)
				}
				i++
			}
		})
	}
}

func absDiff(a, b uint32) uint32 {
	if a > b {
		return a - b
	}
	return b - a
}

// TestGoldenStartRealFirmware: with Semtech's images installed (set
// LGW_SX1301_FIRMWARE_DIR; they are never committed) the start sequence
// matches the golden one byte for byte, program RAM bursts included.
func TestGoldenStartRealFirmware(t *testing.T) {
	dir := os.Getenv("LGW_SX1301_FIRMWARE_DIR")
	if dir == "" {
		t.Skip("LGW_SX1301_FIRMWARE_DIR not set")
	}
	g := loadStart(t)
	r := newRig(t, sx1301test.Config{Trace: true}, goldenOpts(t, g.Config, dir))
	if err := r.start(); err != nil {
		t.Fatal(err)
	}
	defer r.stop(t)
	got, want := r.chip.Trace(), sx1301test.Transactions(g.Sequence)
	for i := range max(len(got), len(want)) {
		if i >= len(got) || i >= len(want) || got[i] != want[i] {
			t.Fatalf("transaction %d differs", i)
		}
	}
}
