package emulated

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/board"
	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/hal/sim"
	"github.com/lgwagent/lgw/region"
	"github.com/lgwagent/lgw/sx1302/sx1302test"
)

// TestSX1301EmulatedReceivesTraffic: the real SX1301 driver on the
// emulator delivers the example traffic at the counter it was sent.
func TestSX1301EmulatedReceivesTraffic(t *testing.T) {
	v := clock.NewVirtual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	r, _ := region.Lookup("EU868")
	b, err := board.Lookup("sx1301-emulated")
	if err != nil || b.Chip != "sx1301" || len(b.TxGains) != 16 {
		t.Fatalf("sx1301-emulated: %v %+v", err, b)
	}
	const traffic = "../../examples/traffic.jsonl"
	hw, err := b.Open(board.Params{Clock: v, Log: zap.NewNop(), Region: r, FirmwareDir: t.TempDir(), Sim: board.SimParams{Traffic: traffic}})
	if err != nil {
		t.Fatal(err)
	}
	defer hw.Close()
	c := hw.Concentrator
	if err := sx1302test.Pump(v, func() error { return c.Start(context.Background()) }); err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	f, err := os.Open(traffic)
	if err != nil {
		t.Fatal(err)
	}
	ups, err := sim.ParseTraffic(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	now, _ := c.Counter()
	// The SX1301 holds 16 packets: read as a poller does.
	var got []hal.RxPacket
	for end := v.Now().Add(ups[len(ups)-1].At + time.Second); v.Now().Before(end); {
		v.Advance(50 * time.Millisecond)
		p, err := c.Receive()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, p...)
	}
	if len(got) != len(ups) {
		t.Fatalf("received %d of %d uplinks", len(got), len(ups))
	}
	for i, g := range got {
		w := ups[i].Packet
		if g.Frequency-w.Frequency+500 > 1000 || g.DataRate.Datr() != w.DataRate.Datr() || string(g.Payload) != string(w.Payload) ||
			g.CRC != w.CRC || g.RSSIChannel-w.RSSIChannel > 0.6 || w.RSSIChannel-g.RSSIChannel > 0.6 {
			t.Errorf("uplink %d: got %v, want %v", i, g, w)
		}
		if want := uint32(now) + uint32(ups[i].At.Microseconds()); uint32(g.Count) != want {
			t.Errorf("uplink %d: tmst %d, want %d", i, g.Count, want)
		}
	}
	if info, err := c.Chip(); err != nil || info.Model != "SX1301" {
		t.Errorf("chip %v %v", info, err)
	}
	if _, err := c.Temperature(); err != hal.ErrNoSensor {
		t.Errorf("temperature: %v", err)
	}
}

// TestSX1301Boards: every SX1301 board in the facts is known, with its
// calibration; opening without a region fails by name, not by panic.
func TestSX1301Boards(t *testing.T) {
	for _, n := range []string{"rak831", "rak2245", "rak2247-spi", "rak833-spi", "ic880a-spi", "imst-lite", "rhf0m301",
		"pi-supply-lora-hat", "generic-sx1301"} {
		b, err := board.Lookup(n)
		if err != nil || b.Chip != "sx1301" || len(b.TxGains) == 0 || b.RSSIOffset > -150 {
			t.Errorf("%s: %v %+v", n, err, b)
			continue
		}
		if _, err := b.Open(board.Params{}); err == nil {
			t.Errorf("%s opened without a region", n)
		}
	}
	for _, c := range []struct {
		reg  string
		rssi float32
	}{{"EU868", -158}, {"US915", -159}, {"CN470", -171}} {
		r, _ := region.Lookup(c.reg)
		p, err := board.SX1301Opts(board.Params{Region: r}, board.SX1301ProfileOf("rak2247-spi", r.Name()))
		if err != nil || p.RSSIOffset != c.rssi {
			t.Errorf("rak2247-spi %s: rssi %v %v, want %v", c.reg, p.RSSIOffset, err, c.rssi)
		}
	}
}

// TestSX1301EmulatedCN470: in CN470 the emulated board runs SX1255 radios
// and receives on the region's default channels.
func TestSX1301EmulatedCN470(t *testing.T) {
	v := clock.NewVirtual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	r, _ := region.Lookup("CN470")
	b, _ := board.Lookup("sx1301-emulated")
	ups := []sim.Uplink{{At: 100 * time.Millisecond, Packet: hal.RxPacket{Payload: []byte{1, 2, 3}, Frequency: 470300000,
		DataRate: hal.LoRaRate(10, hal.BW125, hal.CR4_5), CRC: hal.CRCOK, RSSIChannel: -100, SNR: 2}}}
	dir := t.TempDir()
	f := filepath.Join(dir, "traffic.jsonl")
	os.WriteFile(f, []byte(`{"at":0.1,"freq":470.3,"datr":"SF10BW125","codr":"4/5","rssi":-100,"lsnr":2,"crc":"ok","data":"AQID"}`+"\n"), 0o600)
	hw, err := b.Open(board.Params{Clock: v, Log: zap.NewNop(), Region: r, FirmwareDir: dir, Sim: board.SimParams{Traffic: f}})
	if err != nil {
		t.Fatal(err)
	}
	defer hw.Close()
	c := hw.Concentrator
	if err := sx1302test.Pump(v, func() error { return c.Start(context.Background()) }); err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	v.Advance(time.Second)
	got, err := c.Receive()
	if err != nil || len(got) != 1 || got[0].Frequency/1000 != ups[0].Packet.Frequency/1000 || string(got[0].Payload) != "\x01\x02\x03" {
		t.Fatalf("received %v %v", got, err)
	}
	if caps := c.Capabilities(); !caps.CanTransmit(0, 500300000) || caps.CanTransmit(0, 868100000) {
		t.Errorf("CN470 TX range %v", caps.TxFreq)
	}
}

// TestSX1301CN470Profiles: RAK's CN470 variants carry SX1255 radios and
// RAK's CN470 tables; a board without a published CN470 table falls back
// to libloragw's default two entries.
func TestSX1301CN470Profiles(t *testing.T) {
	for _, c := range []struct {
		board string
		rssi  float32
		n     int
		top   [2]int8
	}{{"rak2245", -176, 16, [2]int8{-6, 27}}, {"rak2247-spi", -171, 16, [2]int8{-6, 27}}, {"ic880a-spi", -166, 2, [2]int8{14, 27}}} {
		p := board.SX1301ProfileOf(c.board, region.CN470)
		if p.Radio != 1 || p.RSSIOffset != c.rssi || len(p.TxGains) != c.n || p.TxGains[0].Power != c.top[0] ||
			p.TxGains[len(p.TxGains)-1].Power != c.top[1] || !p.TxFreq.Contains(500300000) {
			t.Errorf("%s CN470: %+v", c.board, p)
		}
	}
}

// TestSX1301BandTables: RAK boards change table between the 868 and
// 915 MHz bands, as RAK's configurations do.
func TestSX1301BandTables(t *testing.T) {
	for _, c := range []struct {
		board string
		reg   region.Name
		mix5  uint8
		rssi  float32
	}{{"rak2245", region.EU868, 11, -166}, {"rak2245", region.US915, 13, -166}, {"rak2245", region.AS923_1, 13, -166},
		{"rak2247-spi", region.IN865, 9, -158}, {"rak2247-spi", region.AU915, 9, -159}, {"rak833-spi", region.KR920, 9, -159}} {
		p := board.SX1301ProfileOf(c.board, c.reg)
		if p.Radio != 0 || p.RSSIOffset != c.rssi || len(p.TxGains) != 16 || p.TxGains[5].Mix != c.mix5 {
			t.Errorf("%s %s: %+v", c.board, c.reg, p)
		}
	}
	us, eu := board.SX1301ProfileOf("rak2247-spi", region.US915), board.SX1301ProfileOf("rak2247-spi", region.EU868)
	if us.TxGains[2] == eu.TxGains[2] {
		t.Error("rak2247-spi: same table in US915 and EU868")
	}
}
