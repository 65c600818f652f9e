package sx1302

import (
	"context"
	"fmt"
	"time"

	"github.com/lgwagent/lgw/hal"
)

// SX1250 opcodes the host sends (bringup §3.4).
const (
	opSetStandby      = 0x80
	opGetStatus       = 0xC0
	opCalibrate       = 0x89
	opCalibrateImage  = 0x98
	opGetDeviceErrors = 0x17
	opWriteRegister   = 0x0D
	opSetRfFrequency  = 0x86
	opSetRx           = 0x82
	stdbyRC           = 0x00
	stdbyXOSC         = 0x01
	modeStbyRC        = 2
	modeStbyXOSC      = 3
)

// radioCmd sends one SX1250 command on chain after the 1 ms wait that
// replaces the BUSY line (bringup §1.4, trap 8). r receives the answer.
func (d *Dev) radioCmd(ctx context.Context, chain uint8, r []byte, frame ...byte) error {
	if err := d.sleep(ctx, time.Millisecond); err != nil {
		return err
	}
	return d.bus.radio(TargetRadioA+chain, frame, r)
}

func (d *Dev) radioWriteReg(ctx context.Context, chain uint8, addr uint16, data ...byte) error {
	return d.radioCmd(ctx, chain, nil, append([]byte{opWriteRegister, byte(addr >> 8), byte(addr)}, data...)...)
}

func (d *Dev) radioMode(ctx context.Context, chain uint8) (byte, error) {
	var r [3]byte
	if err := d.radioCmd(ctx, chain, r[:], opGetStatus, 0); err != nil {
		return 0, err
	}
	return (r[2] >> 4) & 7, nil
}

// Radio reset timing (bringup §3.3): the settle time of a radio whose
// enable just went up, the reset pulse, and the SX1250's own calibration
// after reset.
const (
	radioSettle     = 500 * time.Millisecond
	radioResetPulse = 10 * time.Millisecond
	radioAutoCal    = 10 * time.Millisecond
)

// radiosReset pulses the resets of the given radios together through the
// SX1302 (bringup §3.3), so that their waits overlap. The long settle wait
// is needed only after a radio's enable rises: when every radio was
// already enabled (the setup phase after calibration), the chip reports
// it and the settle is skipped. The register values and radio commands
// are those of one radio after the other.
func (d *Dev) radiosReset(ctx context.Context, chains []uint8) error {
	if len(chains) == 0 {
		return nil
	}
	field := func(a, b Field, ch uint8) Field {
		if ch == 1 {
			return b
		}
		return a
	}
	settle := false
	for _, ch := range chains {
		on, err := d.bus.get(field(AGCRFEnARadioEn, AGCRFEnBRadioEn, ch))
		if err != nil {
			return err
		}
		settle = settle || on == 0
	}
	if err := d.bus.set(CommonClk32RifCtrl, 0); err != nil {
		return err
	}
	each := func(f func(ch uint8) fv) []fv {
		ws := make([]fv, len(chains))
		for i, ch := range chains {
			ws[i] = f(ch)
		}
		return ws
	}
	rst := func(v int) []fv {
		return each(func(ch uint8) fv { return fv{field(AGCRFEnARadioRst, AGCRFEnBRadioRst, ch), v} })
	}
	steps := []struct {
		ws   []fv
		wait time.Duration
	}{
		{each(func(ch uint8) fv { return fv{field(AGCRFEnARadioEn, AGCRFEnBRadioEn, ch), 1} }), 0},
		{rst(1), 0},
		{rst(0), radioResetPulse},
		{rst(1), radioAutoCal},
		{each(func(ch uint8) fv { return fv{field(CommonSX1261ModeA, CommonSX1261ModeB, ch), 1} }), 0},
	}
	if settle {
		steps[1].wait = radioSettle
	}
	for _, s := range steps {
		if err := d.writeAll(s.ws); err != nil {
			return err
		}
		if s.wait > 0 {
			if err := d.sleep(ctx, s.wait); err != nil {
				return err
			}
		}
	}
	return nil
}

// clockSelect feeds the SX1302 from radio chain's 32 MHz (bringup §3.3).
func (d *Dev) clockSelect(chain uint8) error {
	a, b := 1, 0
	if chain == 1 {
		a, b = 0, 1
	}
	for _, s := range []struct {
		f Field
		v int
	}{{ClkCtrlRadioASel, a}, {ClkCtrlRadioBSel, b}, {ClkCtrlClkDivEn, 1}, {CommonClk32RifCtrl, 1}} {
		if err := d.bus.set(s.f, s.v); err != nil {
			return err
		}
	}
	return nil
}

// imageBands are the SX1250 image-calibration bands and their
// CalibrateImage parameters (bounds exclusive).
var imageBands = []struct {
	lo, hi uint32
	p      [2]byte
}{
	{430e6, 440e6, [2]byte{0x6B, 0x6F}}, {470e6, 510e6, [2]byte{0x75, 0x81}},
	{779e6, 787e6, [2]byte{0xC1, 0xC5}}, {863e6, 870e6, [2]byte{0xD7, 0xDB}},
	{902e6, 928e6, [2]byte{0xE1, 0xE9}},
}

// defaultTxFreq is the TX range of a radio A receiving at f: the whole
// image-calibration band it sits in (863-870 MHz in Europe, so that
// 869.525 MHz, RX2 and class B/C, is in), else f ± 1 MHz.
func defaultTxFreq(f uint32) hal.FreqRange {
	for _, b := range imageBands {
		if f > b.lo && f < b.hi {
			return hal.FreqRange{Min: b.lo, Max: b.hi}
		}
	}
	return hal.FreqRange{Min: f - 1e6, Max: f + 1e6}
}

// imageBand returns the CalibrateImage parameters for f (bounds exclusive).
func imageBand(f uint32) ([2]byte, error) {
	for _, b := range imageBands {
		if f > b.lo && f < b.hi {
			return b.p, nil
		}
	}
	return [2]byte{}, fmt.Errorf("sx1302: radio frequency %d Hz is outside every SX1250 image-calibration band", f)
}

// radioCalibrate runs the image calibration (bringup §3.4).
func (d *Dev) radioCalibrate(ctx context.Context, chain uint8, f uint32) error {
	p, err := imageBand(f)
	if err != nil {
		return err
	}
	if _, err := d.radioMode(ctx, chain); err != nil {
		return err
	}
	if err := d.radioCmd(ctx, chain, nil, opCalibrateImage, p[0], p[1]); err != nil {
		return err
	}
	if err := d.sleep(ctx, 10*time.Millisecond); err != nil {
		return err
	}
	var r [5]byte
	if err := d.radioCmd(ctx, chain, r[:], opGetDeviceErrors, 0, 0, 0); err != nil {
		return err
	}
	if r[4]&0x10 != 0 {
		return fmt.Errorf("sx1302: radio %d image calibration failed (device errors 0x%02x%02x)", chain, r[3], r[4])
	}
	return nil
}

// radioSetup puts a radio in continuous RX at f (bringup §3.4 setup).
func (d *Dev) radioSetup(ctx context.Context, chain uint8, f uint32) error {
	standby := func(param, want byte) error {
		if err := d.radioCmd(ctx, chain, nil, opSetStandby, param); err != nil {
			return err
		}
		if err := d.sleep(ctx, 10*time.Millisecond); err != nil {
			return err
		}
		m, err := d.radioMode(ctx, chain)
		if err != nil {
			return err
		}
		if m != want {
			return fmt.Errorf("sx1302: radio %d did not enter standby mode %d (status mode %d): check the radio reset and clock", chain, want, m)
		}
		return nil
	}
	if err := standby(stdbyRC, modeStbyRC); err != nil {
		return err
	}
	if err := d.radioCmd(ctx, chain, nil, opCalibrate, 0x7F); err != nil {
		return err
	}
	if err := d.sleep(ctx, 10*time.Millisecond); err != nil {
		return err
	}
	if err := standby(stdbyXOSC, modeStbyXOSC); err != nil {
		return err
	}
	regs := []struct {
		a uint16
		v []byte
	}{
		{0x06A1, []byte{1}}, {0x06A2, []byte{0}}, {0x06A3, []byte{0}},
		{0x0582, []byte{0}}, {0x0583, []byte{0}}, {0x0584, []byte{0}}, {0x0585, []byte{0}}, {0x0580, []byte{0}},
		{0x08B6, []byte{0x2A}},
	}
	for _, r := range regs {
		if err := d.radioWriteReg(ctx, chain, r.a, r.v...); err != nil {
			return err
		}
	}
	v := uint32(uint64(f) << 25 / 32000000)
	if err := d.radioCmd(ctx, chain, nil, opSetRfFrequency, byte(v>>24), byte(v>>16), byte(v>>8), byte(v)); err != nil {
		return err
	}
	if err := d.radioWriteReg(ctx, chain, 0x088F, 0, 0, 0); err != nil {
		return err
	}
	if err := d.radioCmd(ctx, chain, nil, opSetRx, 0xFF, 0xFF, 0xFF); err != nil {
		return err
	}
	return d.radioWriteReg(ctx, chain, 0x0587, 0x0B)
}
