package sx1301test_test

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/internal/golden"
	"github.com/lgwagent/lgw/sx1301"
	"github.com/lgwagent/lgw/sx1301/sx1301test"
)

// goldenDir holds the golden data of the reference driver:
// ../shared/golden/sx1301 beside the repository (see internal/golden).
var goldenDir = golden.Dir("sx1301")

// replayer plays golden SPI transactions into the emulator, as the
// reference driver sent them, with the waits the reference made.
type replayer struct {
	t    *testing.T
	clk  *clock.Virtual
	chip *sx1301test.Chip
	// images feed the program RAM bursts, in load order.
	images [][]byte
	img    int
	off    int
}

// play runs one step's transactions and checks every answer.
func (p *replayer) play(s sx1301test.GoldenStep) {
	p.t.Helper()
	wait := time.Millisecond
	switch {
	case s.Op == "w" && s.Reg == "RADIO_RST" && *s.Value == 1:
		wait = 500 * time.Millisecond
	case s.Op == "w" && s.Reg == "EMERGENCY_FORCE_HOST_CTRL" && *s.Value == 1:
		wait = 2300 * time.Millisecond
	}
	p.clk.Advance(wait)
	for _, tr := range s.SPI {
		p.tx(tr)
	}
}

func (p *replayer) tx(tr string) {
	p.t.Helper()
	parts := strings.SplitN(tr, ":", 3)
	a, _ := strconv.ParseUint(parts[1], 16, 8)
	var data []byte
	var want []byte
	if strings.HasPrefix(parts[2], "<") {
		n, _ := strconv.Atoi(strings.Fields(parts[2][1:])[0])
		if parts[0] == "w" {
			data = p.images[p.img][p.off : p.off+n]
		} else {
			want = p.images[p.img][p.off : p.off+n]
		}
		p.off += n
		if p.off == sx1301.FirmwareLen {
			p.off = 0
			if parts[0] == "r" {
				p.img++
			}
		}
	} else {
		b, err := hex.DecodeString(parts[2])
		if err != nil {
			p.t.Fatalf("%s: %v", tr, err)
		}
		if parts[0] == "w" {
			data = b
		} else {
			want = b
		}
	}
	if parts[0] == "w" {
		if err := p.chip.Tx(append([]byte{0x80 | byte(a)}, data...), nil); err != nil {
			p.t.Fatalf("%s refused: %v", tr, err)
		}
		return
	}
	w := make([]byte, 1+len(want))
	w[0] = byte(a)
	if a == 1 && len(want) == 2 {
		w[1] = 1 // the FPGA probe [01 01 00]
	}
	r := make([]byte, len(w))
	if err := p.chip.Tx(w, r); err != nil {
		p.t.Fatalf("%s refused: %v", tr, err)
	}
	if a == 0x0a && len(want) == 1 {
		return // the pipelined throw-away read answers the previous image's byte
	}
	if got := r[1:]; string(got) != string(want) {
		p.t.Errorf("%s: emulator answered %x", tr[:min(len(tr), 40)], got)
	}
}

func newReplayer(t *testing.T) *replayer {
	clk := clock.NewVirtual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	chip := sx1301test.New(sx1301test.Config{Clock: clk, Fail: t})
	var images [][]byte
	for _, n := range []string{sx1301.FirmwareCal, sx1301.FirmwareARB, sx1301.FirmwareAGC} {
		images = append(images, sx1301test.SyntheticFirmware(n))
	}
	return &replayer{t: t, clk: clk, chip: chip, images: images}
}

// TestReplayGoldenStart: the emulator accepts the reference driver's start
// sequence as recorded, answering every read as the golden model did,
// every handshake only after the wait the reference made.
func TestReplayGoldenStart(t *testing.T) {
	var g sx1301test.GoldenStart
	if err := sx1301test.LoadGolden(goldenDir, "start-eu868.json", &g); err != nil {
		t.Fatal(err)
	}
	p := newReplayer(t)
	for _, s := range g.Sequence {
		p.play(s)
	}
	if arb, agc, ready := p.chip.MCUs(); arb != "ARB" || agc != "AGC" || !ready {
		t.Fatalf("after the golden start: ARB %s, AGC %s, ready %v", arb, agc, ready)
	}
	// The golden TX programmings replayed on top are emitted as recorded.
	for _, name := range []string{"tx-sf12-27dbm-ts.json", "tx-fsk-50k-ts.json"} {
		var tx sx1301test.GoldenTx
		if err := sx1301test.LoadGolden(goldenDir, name, &tx); err != nil {
			t.Fatal(err)
		}
		for _, s := range tx.Sequence {
			p.play(s)
		}
		air := p.chip.AirLog()
		e := air[len(air)-1]
		if e.StartCount != tx.Packet.Count || hex.EncodeToString(e.Payload) != tx.Packet.Payload || e.Trigger != hal.AtCount {
			t.Errorf("%s: emitted at %d %x (%v), golden %d %s", name, e.StartCount, e.Payload, e.Trigger, tx.Packet.Count, tx.Packet.Payload)
		}
	}
	if air := p.chip.AirLog(); !air[0].Aborted {
		t.Error("the LoRa packet overwritten by the FSK one was not aborted")
	}
}

// TestReplayGoldenRx: the FIFO answers the reference driver's reads of the
// golden records as recorded.
func TestReplayGoldenRx(t *testing.T) {
	var g sx1301test.GoldenRx
	if err := sx1301test.LoadGolden(goldenDir, "rx-eu868.json", &g); err != nil {
		t.Fatal(err)
	}
	p := newReplayer(t)
	for _, c := range g.Calls {
		for _, r := range c.Records {
			b, _ := hex.DecodeString(r.Hex)
			p.chip.InjectRecord(b, r.Size, r.Status)
		}
		for _, s := range c.Sequence {
			for _, tr := range s.SPI {
				p.tx(tr)
			}
		}
	}
}

// collect gathers misuse reports instead of failing.
type collect struct{ msgs []string }

func (c *collect) Helper()                      {}
func (c *collect) Errorf(f string, args ...any) { c.msgs = append(c.msgs, fmt.Sprintf(f, args...)) }

// TestHandshakesNeedTheirWaits: the emulator answers a handshake only
// after the time the chip needs. Replaying the golden start without the
// reference's waits, the radios' PLLs do not lock (crystal not settled),
// the calibration is not finished, and the AGC refuses a mailbox value
// written right after WAIT.
func TestHandshakesNeedTheirWaits(t *testing.T) {
	var g sx1301test.GoldenStart
	if err := sx1301test.LoadGolden(goldenDir, "start-eu868.json", &g); err != nil {
		t.Fatal(err)
	}
	clk := clock.NewVirtual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	f := &collect{}
	chip := sx1301test.New(sx1301test.Config{Clock: clk, Fail: f})
	p := &replayer{t: t, clk: clk, chip: chip}
	for _, n := range []string{sx1301.FirmwareCal, sx1301.FirmwareARB, sx1301.FirmwareAGC} {
		p.images = append(p.images, sx1301test.SyntheticFirmware(n))
	}
	answers := map[string]byte{}
	for _, s := range g.Sequence {
		for _, tr := range s.SPI {
			parts := strings.SplitN(tr, ":", 3)
			if parts[0] != "r" || strings.HasPrefix(parts[2], "<") {
				p.txQuiet(tr)
				continue
			}
			a, _ := strconv.ParseUint(parts[1], 16, 8)
			w := make([]byte, 1+len(parts[2])/2)
			w[0] = byte(a)
			r := make([]byte, len(w))
			chip.Tx(w, r)
			answers[s.Reg] = r[1]
		}
	}
	if answers["SPI_RADIO_A__DATA_READBACK"]&2 != 0 {
		t.Error("radio A PLL locked without the 500 ms crystal settling and the 1 ms lock time")
	}
	if answers["MCU_AGC_STATUS"] == 0x40 {
		t.Error("AGC finished its start-up dialogue with no waits")
	}
	found := false
	for _, m := range f.msgs {
		found = found || strings.Contains(m, "the firmware needs 1 ms")
	}
	if !found {
		t.Errorf("no misuse reported for mailbox values written without the 1 ms wait: %v", f.msgs)
	}
}

// txQuiet plays a write (or a program RAM burst) without checking.
func (p *replayer) txQuiet(tr string) {
	parts := strings.SplitN(tr, ":", 3)
	a, _ := strconv.ParseUint(parts[1], 16, 8)
	var data []byte
	if strings.HasPrefix(parts[2], "<") {
		n, _ := strconv.Atoi(strings.Fields(parts[2][1:])[0])
		if parts[0] == "r" {
			r := make([]byte, 1+n)
			p.chip.Tx(append([]byte{byte(a)}, make([]byte, n)...), r)
			return
		}
		data = p.images[p.img][p.off : p.off+n]
		if p.off += n; p.off == sx1301.FirmwareLen {
			p.off, p.img = 0, p.img+1
		}
	} else {
		data, _ = hex.DecodeString(parts[2])
	}
	p.chip.Tx(append([]byte{0x80 | byte(a)}, data...), nil)
}
