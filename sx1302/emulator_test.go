package sx1302_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/sx1302"
	"github.com/lgwagent/lgw/sx1302/sx1302test"
)

// failures records what the emulator reports as misuse.
type failures struct {
	mu   sync.Mutex
	msgs []string
}

func (f *failures) Helper() {}

func (f *failures) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.msgs = append(f.msgs, fmt.Sprintf(format, args...))
}

func (f *failures) String() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.msgs, "\n")
}

// poke writes register bytes over SPI, as a driver would.
func poke(t *testing.T, chip *sx1302test.Chip, addr uint16, v ...byte) {
	t.Helper()
	if err := chip.Tx(append([]byte{sx1302.TargetCore, 0x80 | byte(addr>>8), byte(addr)}, v...), nil); err != nil {
		t.Fatal(err)
	}
}

// TestEmulatorRefusesOldProgramming replays what the driver used to write
// on top of a correctly programmed transmission, and expects the emulator
// to refuse to emit it.
func TestEmulatorRefusesOldProgramming(t *testing.T) {
	txA := func(f sx1302.Field) uint16 { return f.Addr() }
	for _, tc := range []struct {
		name string
		dr   hal.DataRate
		old  func(t *testing.T, chip *sx1302test.Chip)
		want string
	}{
		{"LoRa deviation in kHz", hal.LoRaRate(7, hal.BW125, hal.CR4_5), func(t *testing.T, chip *sx1302test.Chip) {
			poke(t, chip, txA(sx1302.TxFreqDevH), 0, 62) // 62 "kHz"
		}, "LoRa TX frequency deviation 7568 Hz (FREQ_DEV 62), want BW/2 = 62500 Hz"},
		{"LoRa PPM_OFFSET_HDR_CTRL left at its default", hal.LoRaRate(12, hal.BW125, hal.CR4_5), func(t *testing.T, chip *sx1302test.Chip) {
			poke(t, chip, txA(sx1302.TxPPMOffsetHdrCtrl), chip.Peek(txA(sx1302.TxPPMOffsetHdrCtrl))|0x80)
		}, "PPM_OFFSET_HDR_CTRL 2"},
		{"LoRa settings contradicting the SF", hal.LoRaRate(11, hal.BW125, hal.CR4_5), func(t *testing.T, chip *sx1302test.Chip) {
			poke(t, chip, txA(sx1302.TxPPMOffset), chip.Peek(txA(sx1302.TxPPMOffset))&^0x30)
		}, "PPM_OFFSET 0 contradicts low data rate optimisation true"},
		{"FSK deviation in kHz, no mailbox, no Gaussian filter, chip sync word", hal.FSKRate(50000, 25000), func(t *testing.T, chip *sx1302test.Chip) {
			poke(t, chip, txA(sx1302.TxAGCBW), 0x84)
			poke(t, chip, txA(sx1302.TxFreqDevH), 0, 25)
			poke(t, chip, sx1302.AGCMailboxWrByte0.Addr()-2, 4, 7, 0) // left from the AGC start
			poke(t, chip, txA(sx1302.TxFSKGaussianEn), 0x68)          // reset default of the byte
		}, "the AGC mailbox gives the SX1250 a deviation of 251709 Hz, the modulator 3052 Hz"},
		{"FSK mailbox not written", hal.FSKRate(50000, 25000), func(t *testing.T, chip *sx1302test.Chip) {
			poke(t, chip, sx1302.AGCMailboxWrByte0.Addr()-2, 4, 7, 0)
		}, "the AGC mailbox gives the SX1250 a deviation of 251709 Hz, the modulator 24902 Hz"},
		{"FSK deviation out of range", hal.FSKRate(50000, 25000), func(t *testing.T, chip *sx1302test.Chip) {
			poke(t, chip, txA(sx1302.TxFreqDevH), 0x08, 0x00)         // 250 kHz
			poke(t, chip, sx1302.AGCMailboxWrByte0.Addr()-2, 4, 0, 0) // 250 kHz for the SX1250
		}, "FSK TX frequency deviation 250000 Hz (FREQ_DEV in 32 MHz/2^18 units) outside 600-200000 Hz"},
		{"FSK without Gaussian filter and with the chip's sync word", hal.FSKRate(50000, 25000), func(t *testing.T, chip *sx1302test.Chip) {
			poke(t, chip, txA(sx1302.TxFSKGaussianEn), 0x68)
		}, "Gaussian filter off"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fails := &failures{}
			r := newRig(t, sx1302test.Config{Fail: fails}, true)
			if err := r.start(t); err != nil {
				t.Fatal(err)
			}
			defer r.dev.Stop()
			now, _ := r.dev.Counter()
			p := &hal.TxPacket{Payload: []byte("old"), Frequency: 868100000, DataRate: tc.dr,
				Trigger: hal.Trigger{Mode: hal.AtCount, Count: now + 100000}}
			if err := r.dev.Send(p); err != nil {
				t.Fatal(err)
			}
			if m := fails.String(); m != "" {
				t.Fatalf("the driver's own programming was refused: %s", m)
			}
			// Disarm, put the old values back, re-arm.
			trig := sx1302.TxTrigDelayed.Addr()
			poke(t, r.chip, trig, 0)
			tc.old(t, r.chip)
			poke(t, r.chip, trig, r.chip.Peek(trig)|sx1302.TxTrigDelayed.Mask())
			r.clk.Advance(200 * time.Millisecond)
			if m := fails.String(); !strings.Contains(m, tc.want) {
				t.Fatalf("misuse %q, want it to say %q", m, tc.want)
			}
			if l := r.chip.AirLog(); len(l) != 0 {
				t.Fatalf("refused transmission emitted: %+v", l)
			}
		})
	}
}

// TestTxEveryRate sends at every LoRa SF and bandwidth and at FSK
// deviations and bit rates across their ranges: the emulator refuses
// anything it would mis-transmit (the test's Failer), and its decoding in
// chip units must give back the requested modulation.
func TestTxEveryRate(t *testing.T) {
	var rates []hal.DataRate
	for sf := uint8(5); sf <= 12; sf++ {
		for _, bw := range []hal.Bandwidth{hal.BW125, hal.BW250, hal.BW500} {
			rates = append(rates, hal.LoRaRate(sf, bw, hal.CR4_5+hal.CodeRate(sf%4)))
		}
	}
	for _, f := range []struct{ br, dev uint32 }{{500, 600}, {1200, 2400}, {50000, 25000}, {100000, 50000}, {250000, 200000}} {
		rates = append(rates, hal.FSKRate(f.br, f.dev))
	}
	r := newRig(t, sx1302test.Config{}, true)
	if err := r.start(t); err != nil {
		t.Fatal(err)
	}
	defer r.dev.Stop()
	for i, dr := range rates {
		p := &hal.TxPacket{Payload: []byte("every rate"), Frequency: 868100000, DataRate: dr, InvertIQ: i%2 == 0, NoCRC: i%3 == 0}
		if err := r.dev.Send(p); err != nil {
			t.Fatalf("%s: %v", dr, err)
		}
		for s, _ := r.dev.TxStatus(0); s != hal.TxFree; s, _ = r.dev.TxStatus(0) {
			r.clk.Advance(50 * time.Millisecond)
		}
		log := r.chip.AirLog()
		if len(log) != i+1 {
			t.Fatalf("%s: %d emissions after %d sends", dr, len(log), i+1)
		}
		got := log[i].DataRate
		if dr.Modulation == hal.FSK {
			// Deviation in 32 MHz/2^18 steps (122 Hz), bit rate as 32 MHz/n.
			if got.Modulation != hal.FSK || got.BitRate != 32000000/(32000000/dr.BitRate) ||
				got.FreqDeviation > dr.FreqDeviation || dr.FreqDeviation-got.FreqDeviation > 123 {
				t.Errorf("FSK %d bit/s %d Hz emitted as %+v", dr.BitRate, dr.FreqDeviation, got)
			}
			continue
		}
		if got != dr || log[i].InvertIQ != p.InvertIQ {
			t.Errorf("%s emitted as %+v", dr, log[i])
		}
	}
	if err := r.dev.Send(&hal.TxPacket{Payload: []byte{1}, Frequency: 868100000, DataRate: hal.FSKRate(50000, 300000)}); err == nil ||
		!strings.Contains(err.Error(), "freq_deviation") {
		t.Errorf("300 kHz FSK deviation: %v", err)
	}
}
