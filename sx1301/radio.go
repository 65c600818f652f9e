package sx1301

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrRadio marks a radio that does not answer or whose PLL does not lock.
var ErrRadio = errors.New("radio not answering")

// radioRegs are the page-2 registers of the SX1301's SPI master towards
// radio A or B (sx1301.md §1.5).
type radioRegs struct{ data, readback, addr, cs Reg }

func radioPort(ch uint8) radioRegs {
	if ch == 1 {
		return radioRegs{SpiRadioBData, SpiRadioBDataReadback, SpiRadioBAddr, SpiRadioBCs}
	}
	return radioRegs{SpiRadioAData, SpiRadioADataReadback, SpiRadioAAddr, SpiRadioACs}
}

// radioWrite writes an SX125x register through the SX1301: CS low,
// address with the write bit, data, CS high, CS low.
func (b *bus) radioWrite(ch uint8, addr, v byte) error {
	if addr >= 0x7f {
		return fmt.Errorf("sx1301: radio %d register 0x%02x out of range", ch, addr)
	}
	p := radioPort(ch)
	return b.setAll(regVal{p.cs, 0}, regVal{p.addr, int32(0x80 | addr)}, regVal{p.data, int32(v)},
		regVal{p.cs, 1}, regVal{p.cs, 0})
}

// radioRead reads an SX125x register: the same frame with the write bit
// clear and data 0, then the read-back register.
func (b *bus) radioRead(ch uint8, addr byte) (byte, error) {
	p := radioPort(ch)
	if err := b.setAll(regVal{p.cs, 0}, regVal{p.addr, int32(addr)}, regVal{p.data, 0},
		regVal{p.cs, 1}, regVal{p.cs, 0}); err != nil {
		return 0, err
	}
	v, err := b.get(p.readback)
	return byte(v), err
}

// PLLWord is the 24-bit SX125x frequency word of f (sx1301.md §1.5):
// f × 2^19 / 32 MHz on an SX1257, f × 2^20 / 32 MHz on an SX1255, computed
// as integer and fractional parts as the reference does.
func PLLWord(t RadioType, f uint32) uint32 {
	const frac = 15625
	if t == SX1255 {
		return (f/(frac<<7))<<16 | ((f%(frac<<7))<<9)/frac
	}
	return (f/(frac<<8))<<16 | ((f%(frac<<8))<<8)/frac
}

// SX125x register values of the reference start-up (sx1301.md §1.5).
const (
	sx125xXOSC      = 13 + 16*2 // GM_STARTUP 13, DISABLE 2
	sx125xTxGain    = 14 + 16*2 // mix 14, DAC 2
	sx125xTxBW      = 0 + 32*1  // ANA_BW 0, PLL_BW 1
	sx125xTxDACBW   = 5
	sx125xRxGain    = 1 + 2*12 + 32*1 // LNA_ZIN 1, BB_GAIN 12, LNA_GAIN 1
	sx125xRxBW      = 0 + 4*6 + 32*7  // BB_BW 0, ADC_TRIM 6, ADC_BW 7
	sx125xRxPLLBW   = 0
	pllLockAttempts = 5
)

// setupRadio configures one SX125x and locks its RX PLL. clkOut is set on
// the radio that clocks the SX1301.
func (d *Dev) setupRadio(ctx context.Context, ch uint8) error {
	b := d.bus
	clk := byte(1)
	if ch == d.opts.ClockSource {
		clk |= 2
	}
	xosc := byte(0x26)
	if d.opts.Radio == SX1255 {
		xosc = 0x28
	}
	w := [][2]byte{{0x10, clk}, {xosc, sx125xXOSC}}
	f := d.opts.Plan.Radios[ch].Freq
	if f != 0 {
		pw := PLLWord(d.opts.Radio, f)
		w = append(w, [2]byte{0x08, sx125xTxGain}, [2]byte{0x0A, sx125xTxBW}, [2]byte{0x0B, sx125xTxDACBW},
			[2]byte{0x0C, sx125xRxGain}, [2]byte{0x0D, sx125xRxBW}, [2]byte{0x0E, sx125xRxPLLBW},
			[2]byte{0x01, byte(pw >> 16)}, [2]byte{0x02, byte(pw >> 8)}, [2]byte{0x03, byte(pw)})
	}
	for _, x := range w {
		if err := b.radioWrite(ch, x[0], x[1]); err != nil {
			return err
		}
	}
	if f == 0 {
		return nil
	}
	for attempt := 0; attempt < pllLockAttempts; attempt++ {
		if err := b.radioWrite(ch, 0x00, 1); err != nil {
			return err
		}
		if err := b.radioWrite(ch, 0x00, 3); err != nil {
			return err
		}
		if err := d.sleep(ctx, time.Millisecond); err != nil {
			return err
		}
		v, err := b.radioRead(ch, 0x11)
		if err != nil {
			return err
		}
		if v&0x02 != 0 {
			return nil
		}
	}
	return fmt.Errorf("sx1301 start: %s radio %c: RX PLL did not lock at %d Hz after %d attempts (register 0x11 bit 1): %w",
		d.opts.Radio, 'A'+ch, f, pllLockAttempts, ErrRadio)
}
