package sx1302_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"periph.io/x/conn/v3/i2c"
	"periph.io/x/conn/v3/spi"

	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/region"
	"github.com/lgwagent/lgw/sx1302"
	"github.com/lgwagent/lgw/sx1302/sx1302test"
)

type rig struct {
	clk  *clock.Virtual
	chip *sx1302test.Chip
	dev  *sx1302.Dev
}

func euPlan(t testing.TB) sx1302.Plan {
	r, err := region.Lookup("EU868")
	if err != nil {
		t.Fatal(err)
	}
	p, err := sx1302.PlanFor(r)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func newRig(t testing.TB, cfg sx1302test.Config, fw bool) *rig {
	t.Helper()
	v := clock.NewVirtual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	cfg.Clock = v
	if cfg.Fail == nil {
		cfg.Fail = t
	}
	chip := sx1302test.New(cfg)
	dir := t.TempDir()
	if fw {
		if err := sx1302test.WriteSyntheticFirmware(dir); err != nil {
			t.Fatal(err)
		}
	}
	dev, err := sx1302.New(chip, sx1302.Pins{}, sx1302.Opts{FirmwareDir: dir, Plan: euPlan(t), TxFreq: hal.FreqRange{Min: 863e6, Max: 870e6}}, v, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	return &rig{clk: v, chip: chip, dev: dev}
}

func newRigWith(t testing.TB, bus i2c.Bus, addr uint16) *sx1302.Dev {
	v := clock.NewVirtual(time.Unix(0, 0))
	d, err := sx1302.New(sx1302test.New(sx1302test.Config{Clock: v, Fail: t}), sx1302.Pins{},
		sx1302.Opts{Plan: euPlan(t), I2C: bus, TempAddr: addr}, v, nil)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (r *rig) start(t testing.TB) error {
	t.Helper()
	return sx1302test.Pump(r.clk, func() error { return r.dev.Start(context.Background()) })
}

func TestStartLogsIdentity(t *testing.T) {
	r := newRig(t, sx1302test.Config{}, true)
	if err := r.start(t); err != nil {
		t.Fatal(err)
	}
	defer r.dev.Stop()
	c, err := r.dev.Chip()
	if err != nil {
		t.Fatal(err)
	}
	if c.Model != "SX1302" || c.EUI.String() != "0016c001ff1e0001" || c.Firmware["agc"] != "10" || c.Firmware["arb"] != "2" {
		t.Fatalf("chip = %+v", c)
	}
}

func TestStartSX1303(t *testing.T) {
	r := newRig(t, sx1302test.Config{Version: 0x12, Model: 0x03}, true)
	if err := r.start(t); err != nil {
		t.Fatal(err)
	}
	defer r.dev.Stop()
	if c, _ := r.dev.Chip(); c.Model != "SX1303" {
		t.Fatalf("model %q", c.Model)
	}
}

func TestStartFailures(t *testing.T) {
	cases := []struct {
		name string
		cfg  sx1302test.Config
		fw   bool
		want error
		text string
	}{
		{"missing firmware", sx1302test.Config{}, false, sx1302.ErrFirmwareMissing, "lgw firmware import"},
		{"no chip", sx1302test.Config{Version: 0xFF}, true, sx1302.ErrChipVersion, "check the SPI device"},
		{"wrong version", sx1302test.Config{Version: 0x21}, true, sx1302.ErrChipVersion, "0x21"},
		{"readback", sx1302test.Config{CorruptReadback: true}, true, sx1302.ErrFirmwareReadback, "byte 16"},
		{"agc hangs", sx1302test.Config{HangAGC: true}, true, sx1302.ErrHandshake, "agc firmware up"},
		{"agc version", sx1302test.Config{AGCVersion: 6}, true, sx1302.ErrFirmwareVersion, "agc"},
		{"arb version", sx1302test.Config{ARBVersion: 3}, true, sx1302.ErrFirmwareVersion, "arb"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, tc.cfg, tc.fw)
			err := r.start(t)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.text) {
				t.Fatalf("err = %v, want %v mentioning %q", err, tc.want, tc.text)
			}
		})
	}
}

// recorder fails on nothing but remembers misuse reports.
type recorder struct{ msgs []string }

func (r *recorder) Helper()                      {}
func (r *recorder) Errorf(f string, args ...any) { r.msgs = append(r.msgs, f) }

func TestEmulatorRefusesMisuse(t *testing.T) {
	v := clock.NewVirtual(time.Unix(0, 0))
	rec := &recorder{}
	c := sx1302test.New(sx1302test.Config{Clock: v, Fail: rec})
	cases := []struct {
		name string
		w    []byte
		r    bool
	}{
		{"read-only write", []byte{0, 0x80 | 0x56, 0x06, 1}, false},
		{"read without dummy", []byte{0, 0x56, 0x06, 0}, true},
		{"release before load", []byte{0, 0x80 | 0x57, 0x80, 0x10}, false},
		{"program write without HOST_PROG", []byte{0, 0x80, 0x00, 1}, false},
		{"unknown target", []byte{7, 0, 0, 0, 0}, true},
		{"radio in reset", []byte{1, 0xC0, 0, 0}, true},
	}
	for _, tc := range cases {
		var r []byte
		if tc.r {
			r = make([]byte, len(tc.w))
		}
		if err := c.Tx(tc.w, r); !errors.Is(err, sx1302test.ErrMisuse) {
			t.Errorf("%s: err = %v, want misuse", tc.name, err)
		}
	}
	if len(rec.msgs) != len(cases) {
		t.Fatalf("failer got %d reports, want %d", len(rec.msgs), len(cases))
	}
	err := c.TxPackets([]spi.Packet{{W: []byte{0, 0x56, 0x06, 0}}, {R: make([]byte, 1)}})
	if !errors.Is(err, sx1302test.ErrMisuse) {
		t.Errorf("chip select released between header and data accepted: %v", err)
	}
	rd := make([]byte, 1)
	if err := c.TxPackets([]spi.Packet{{W: []byte{0, 0x56, 0x06, 0}, KeepCS: true}, {R: rd}}); err != nil || rd[0] != 0x10 {
		t.Errorf("burst over two packets with CS held: % x, %v", rd, err)
	}
	big := make([]byte, 4097)
	if err := c.Tx(big, nil); !errors.Is(err, sx1302test.ErrMisuse) {
		t.Fatalf("oversized transfer accepted: %v", err)
	}
}

func TestReceiveTrafficMetadata(t *testing.T) {
	r := newRig(t, sx1302test.Config{}, true)
	if err := r.start(t); err != nil {
		t.Fatal(err)
	}
	defer r.dev.Stop()
	now, _ := r.dev.Counter()
	at := r.clk.Now().Add(500 * time.Millisecond)
	want := []hal.RxPacket{
		{Payload: []byte("hello sx1302"), Frequency: 867100000, DataRate: hal.LoRaRate(7, hal.BW125, hal.CR4_5), CRC: hal.CRCOK, RSSIChannel: -109, SNR: -1.25},
		{Payload: []byte("second one, SF12"), Frequency: 868500000, DataRate: hal.LoRaRate(12, hal.BW125, hal.CR4_5), CRC: hal.CRCOK, RSSIChannel: -80, SNR: 7.5},
		{Payload: []byte("service"), Frequency: 868300000, DataRate: hal.LoRaRate(7, hal.BW250, hal.CR4_5), CRC: hal.CRCBad, RSSIChannel: -99, SNR: 3},
	}
	for i, p := range want {
		r.chip.Inject(at.Add(time.Duration(i)*time.Millisecond), p)
	}
	r.clk.Advance(time.Second)
	got, err := r.dev.Receive()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("got %d packets, want %d (unplaced %d)", len(got), len(want), r.chip.Unplaced())
	}
	for i, g := range got {
		w := want[i]
		tm := uint32(now) + 500000 + uint32(i)*1000
		if string(g.Payload) != string(w.Payload) || g.Frequency != w.Frequency || g.DataRate != w.DataRate ||
			g.CRC != w.CRC || g.SNR != w.SNR || abs(g.RSSIChannel-w.RSSIChannel) > 0.6 || absI(int64(g.Count)-int64(tm)) > 1 {
			t.Errorf("packet %d = %v (count %d), want %v at %d", i, g, g.Count, w, tm)
		}
	}
	if i := got[1].IFChain; i != 7 || got[2].IFChain != 8 {
		t.Errorf("if chains %d %d", i, got[2].IFChain)
	}
}

func abs(f float32) float32 {
	if f < 0 {
		return -f
	}
	return f
}

func absI(i int64) int64 {
	if i < 0 {
		return -i
	}
	return i
}

func TestCorruptRecordsSkipped(t *testing.T) {
	r := newRig(t, sx1302test.Config{}, true)
	if err := r.start(t); err != nil {
		t.Fatal(err)
	}
	defer r.dev.Stop()
	good := sx1302test.EncodeRecord(hal.RxPacket{Payload: []byte{1, 2, 3, 4}, DataRate: hal.LoRaRate(7, hal.BW125, hal.CR4_5), CRC: hal.CRCOK}, 0, 1000, -215.4)
	bad := append([]byte(nil), good...)
	bad[len(bad)-1]++
	r.chip.InjectRaw(append(append(append([]byte{0x11, 0x22}, bad...), good...), 0xA5, 0xC0, 200))
	got, err := r.dev.Receive()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || r.dev.Stats().Corrupt < 2 {
		t.Fatalf("got %d packets, stats %+v", len(got), r.dev.Stats())
	}
}

func TestTimestampCorrectionVectors(t *testing.T) {
	cases := []struct {
		bw   hal.Bandwidth
		sf   uint8
		crc  bool
		l    int
		want int32
	}{
		{hal.BW125, 7, true, 12, -468}, {hal.BW125, 9, true, 20, -1970}, {hal.BW125, 10, true, 51, -3883},
		{hal.BW125, 11, true, 20, -7722}, {hal.BW125, 12, true, 12, -15399}, {hal.BW250, 7, true, 20, -229},
		{hal.BW500, 8, true, 20, -220}, {hal.BW125, 7, false, 0, -354},
	}
	for _, c := range cases {
		if got := sx1302.TimestampCorrection(hal.LoRaRate(c.sf, c.bw, hal.CR4_5), c.crc, c.l); got != c.want {
			t.Errorf("SF%d BW%d crc=%v L=%d: %d, want %d", c.sf, c.bw/1000, c.crc, c.l, got, c.want)
		}
	}
	if got := sx1302.FSKCorrection(50000); got != -7 {
		t.Errorf("fsk 50k: %d, want -7", got)
	}
	if d := sx1302.TxStartDelayTicks(hal.BW125, 9); d != 47413 {
		t.Errorf("start delay SF9 BW125 = %d", d)
	}
	if d := sx1302.TxStartDelayTicks(hal.BW125, 10); d != 46901 {
		t.Errorf("start delay SF10 BW125 = %d", d)
	}
}

func TestSendAtCountEmitsAtCounter(t *testing.T) {
	r := newRig(t, sx1302test.Config{}, true)
	if err := r.start(t); err != nil {
		t.Fatal(err)
	}
	defer r.dev.Stop()
	now, _ := r.dev.Counter()
	target := hal.Count(uint32(now) + 100000)
	p := &hal.TxPacket{Payload: []byte("downlink"), Frequency: 869525000, Power: 14, InvertIQ: true, NoCRC: true,
		DataRate: hal.LoRaRate(9, hal.BW125, hal.CR4_5), Trigger: hal.Trigger{Mode: hal.AtCount, Count: target}}
	if err := r.dev.Send(p); err != nil {
		t.Fatal(err)
	}
	if err := r.dev.Send(p); !errors.Is(err, hal.ErrTxBusy) {
		t.Fatalf("second send: %v, want ErrTxBusy", err)
	}
	if s, _ := r.dev.TxStatus(0); s != hal.TxScheduled {
		t.Fatalf("status %s", s)
	}
	r.clk.Advance(100 * time.Millisecond)
	if s, _ := r.dev.TxStatus(0); s != hal.TxEmitting {
		t.Fatalf("status at start %s", s)
	}
	r.clk.Advance(time.Second)
	if s, _ := r.dev.TxStatus(0); s != hal.TxFree {
		t.Fatalf("status after %s", s)
	}
	log := r.chip.AirLog()
	if len(log) != 1 {
		t.Fatalf("air log %v", log)
	}
	e := log[0]
	if e.StartTicks != uint32(target)*32 || string(e.Payload) != "downlink" || e.DataRate != p.DataRate ||
		absI(int64(e.Frequency)-869525000) > 130 || !e.InvertIQ || e.PowerByte != 17 {
		t.Fatalf("emission %+v, want start %d", e, uint32(target)*32)
	}
}

func TestAbortTx(t *testing.T) {
	r := newRig(t, sx1302test.Config{}, true)
	if err := r.start(t); err != nil {
		t.Fatal(err)
	}
	defer r.dev.Stop()
	now, _ := r.dev.Counter()
	p := &hal.TxPacket{Payload: []byte{1}, Frequency: 868100000, DataRate: hal.LoRaRate(7, hal.BW125, hal.CR4_5),
		Trigger: hal.Trigger{Mode: hal.AtCount, Count: now + 50000}}
	if err := r.dev.Send(p); err != nil {
		t.Fatal(err)
	}
	if err := r.dev.AbortTx(0); err != nil {
		t.Fatal(err)
	}
	if s, _ := r.dev.TxStatus(0); s != hal.TxFree {
		t.Fatalf("status %s", s)
	}
	if l := r.chip.AirLog(); len(l) != 0 {
		t.Fatalf("aborted before its trigger, yet in the air log: %+v", l)
	}
	// Aborted on air: logged, cut short.
	now, _ = r.dev.Counter()
	p.Trigger.Count = now + 20000
	if err := r.dev.Send(p); err != nil {
		t.Fatal(err)
	}
	r.clk.Advance(25 * time.Millisecond)
	if err := r.dev.AbortTx(0); err != nil {
		t.Fatal(err)
	}
	if l := r.chip.AirLog(); len(l) != 1 || !l[0].Aborted || !l[0].EndTime.Equal(r.clk.Now()) {
		t.Fatalf("aborted on air: air log %+v", l)
	}
}

func TestCounterWraps(t *testing.T) {
	r := newRig(t, sx1302test.Config{PPS: true}, true)
	if err := r.start(t); err != nil {
		t.Fatal(err)
	}
	defer r.dev.Stop()
	prev, _ := r.dev.Counter()
	// 75 minutes crosses the 27-bit µs wrap (134 s) many times and the
	// 32-bit µs wrap (71.6 min) once; the driver reads every 10 s.
	wrapped32 := false
	for i := 0; i < 450; i++ {
		// An uplink 3 s before each read: its timestamp must widen
		// across the 27-bit wraps too.
		r.chip.Inject(r.clk.Now().Add(7*time.Second), hal.RxPacket{Payload: []byte{byte(i), 1, 2}, Frequency: 868100000,
			DataRate: hal.LoRaRate(7, hal.BW125, hal.CR4_5), CRC: hal.CRCOK})
		r.clk.Advance(10 * time.Second)
		got, err := r.dev.Receive()
		if err != nil || len(got) != 1 {
			t.Fatalf("step %d: %d packets, %v", i, len(got), err)
		}
		if d := uint32(prev) + 7000000 - uint32(got[0].Count); d > 2 && d < 1<<32-2 {
			t.Fatalf("step %d: packet tmst %d, want %d", i, got[0].Count, uint32(prev)+7000000)
		}
		c, err := r.dev.Counter()
		if err != nil {
			t.Fatal(err)
		}
		if d := uint32(c) - uint32(prev); absI(int64(d)-10000000) > 2 {
			t.Fatalf("step %d: counter moved %d µs, want 10 s", i, d)
		}
		if c < prev {
			wrapped32 = true
		}
		pps, _ := r.dev.PPSCounter()
		if d := uint32(c) - uint32(pps); d > 1000000 {
			t.Fatalf("pps %d is %d µs before counter %d", pps, d, c)
		}
		prev = c
	}
	if !wrapped32 {
		t.Fatal("32-bit wrap not crossed")
	}
}

// BenchmarkReceive is the RX read+parse path through the SPI emulator: a
// buffer of 20 records fetched and parsed per op. Allocations per op are
// the payload copies and the returned slice.
func BenchmarkReceive(b *testing.B) {
	r := newRig(b, sx1302test.Config{}, true)
	if err := r.start(b); err != nil {
		b.Fatal(err)
	}
	defer r.dev.Stop()
	var buf []byte
	for i := 0; i < 20; i++ {
		buf = append(buf, sx1302test.EncodeRecord(hal.RxPacket{Payload: make([]byte, 20), DataRate: hal.LoRaRate(7, hal.BW125, hal.CR4_5), CRC: hal.CRCOK}, byte(i%8), 1000, -215.4)...)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r.chip.InjectRaw(buf)
		got, err := r.dev.Receive()
		if err != nil || len(got) != 20 {
			b.Fatalf("%d packets, %v", len(got), err)
		}
	}
}

// The driver reads the counter itself only when nobody else did for
// CounterInterval (10 s): with the scheduler reading it every second its
// own loop only re-arms.
func TestCounterLoopReadsOnlyWhenNobodyElseDid(t *testing.T) {
	r := newRig(t, sx1302test.Config{}, true)
	if err := r.start(t); err != nil {
		t.Fatal(err)
	}
	defer r.dev.Stop()
	<-r.clk.BlockUntil(1) // the counter loop's timer, due 10 s after start
	// step advances the clock and waits until the loop re-armed.
	step := func(d time.Duration) {
		t.Helper()
		r.clk.Advance(d)
		<-r.clk.BlockUntil(1)
	}
	step(9 * time.Second)
	if _, err := r.dev.Counter(); err != nil { // someone else reads at 9 s
		t.Fatal(err)
	}
	f := r.chip.Frames()
	step(time.Second) // the loop's check at 10 s: read 1 s ago
	if got := r.chip.Frames(); got != f {
		t.Fatalf("the loop read the counter 1 s after another read: %d SPI frames", got-f)
	}
	step(9 * time.Second) // 19 s: 10 s since the last read
	if got := r.chip.Frames(); got == f {
		t.Fatal("the loop did not read the counter 10 s after the last read")
	}
}
