package sx1302

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"go.uber.org/zap"
	"periph.io/x/conn/v3/gpio"

	"github.com/lgwagent/lgw/hal"
)

// Start-sequence errors, for errors.Is.
var (
	// ErrChipVersion: COMMON_VERSION is not an SX1302/SX1303 one.
	ErrChipVersion = errors.New("unexpected chip version")
	// ErrFirmwareReadback: the program memory did not read back as written.
	ErrFirmwareReadback = errors.New("firmware read-back mismatch")
	// ErrFirmwareVersion: the MCU reported another firmware version.
	ErrFirmwareVersion = errors.New("unexpected firmware version")
	// ErrFineNeedsSX1303: Opts.FineTimestamp was set on an SX1302
	// (bringup §5.1).
	ErrFineNeedsSX1303 = errors.New("the fine timestamp needs an SX1303; this chip is an SX1302 (OTP model byte 0xD0 is not 0x03)")
	// ErrHandshake: an MCU did not reach the expected status in time.
	ErrHandshake = errors.New("mcu handshake timeout")
	// ErrParity: the MCU flagged a program-memory parity error.
	ErrParity = errors.New("mcu parity error")
)

// bringUp runs the whole start sequence (bringup §3.1-3.6). d.mu is held.
func (d *Dev) bringUp(ctx context.Context) error {
	if err := d.boardReset(ctx); err != nil {
		return err
	}
	// Firmware first: a missing file should not cost 2 s of radio resets.
	agc, err := loadFirmware(d.opts.FirmwareDir, FirmwareAGC)
	if err != nil {
		return err
	}
	arb, err := loadFirmware(d.opts.FirmwareDir, FirmwareARB)
	if err != nil {
		return err
	}
	v, err := d.bus.readByte(CommonVersion.Addr())
	if err != nil {
		return err
	}
	if v == 0x00 || v == 0xFF {
		return fmt.Errorf("sx1302: %w 0x%02x: the chip does not answer; check the SPI device, reset and power lines", ErrChipVersion, v)
	}
	if bytes.IndexByte(d.opts.ChipVersions, v) < 0 {
		return fmt.Errorf("sx1302: %w 0x%02x (accepted: % x)", ErrChipVersion, v, d.opts.ChipVersions)
	}
	if err := d.bus.set(GPIOOutL, 0); err != nil {
		return err
	}
	plan := &d.opts.Plan
	enabled := func(yield func(uint8) bool) {
		for ch := uint8(0); ch < 2; ch++ {
			if plan.Radios[ch].Freq != 0 && !yield(ch) {
				return
			}
		}
	}
	var radios []uint8
	for ch := range enabled {
		radios = append(radios, ch)
	}
	// Calibration phase (§3.2 step 3).
	if err := d.radiosReset(ctx, radios); err != nil {
		return err
	}
	if err := d.clockSelect(d.opts.ClockSource); err != nil {
		return err
	}
	if err := d.writeAll([]fv{{AGCForceHostFE, 1}, {AGCRFEnAPAEn, 0}, {AGCRFEnALNAEn, 0}}); err != nil {
		return err
	}
	for ch := range enabled {
		if err := d.radioCalibrate(ctx, ch, plan.Radios[ch].Freq); err != nil {
			return err
		}
	}
	if err := d.bus.set(AGCForceHostFE, 0); err != nil {
		return err
	}
	// Setup phase (§3.2 steps 4-6).
	if err := d.radiosReset(ctx, radios); err != nil {
		return err
	}
	for ch := range enabled {
		if err := d.radioSetup(ctx, ch, plan.Radios[ch].Freq); err != nil {
			return err
		}
	}
	if err := d.clockSelect(d.opts.ClockSource); err != nil {
		return err
	}
	if err := d.bus.set(CommonHostRadioCtrl, 0); err != nil {
		return err
	}
	// Identity before configuration: precision mode depends on the model.
	if err := d.readIdentity(); err != nil {
		return err
	}
	d.fine, d.pps, d.lastPPS = false, ppsRing{}, 0
	if d.opts.FineTimestamp {
		if !d.sx1303 {
			return fmt.Errorf("sx1302 opts: fine_timestamp: %w", ErrFineNeedsSX1303)
		}
		d.fine = true
	}
	if err := d.configure(); err != nil {
		return err
	}
	if err := d.loadMCU("agc", agc, MemAGC, AGCMCUClear, AGCHostProg, AGCParityError); err != nil {
		return err
	}
	if err := d.agcStart(ctx); err != nil {
		return err
	}
	if err := d.loadMCU("arb", arb, MemARB, ARBMCUClear, ARBHostProg, ARBParityError); err != nil {
		return err
	}
	if err := d.arbStart(ctx); err != nil {
		return err
	}
	// TX path and PPS (§3.2 steps 16-17), then CONFIG_DONE.
	for ch := uint8(0); ch < 2; ch++ {
		if err := d.writeAll([]fv{{TxField(TxPLLDivCtrlAGC, ch), 1}, {TxField(TxIFDst, ch), 1},
			{TxField(TxMode, ch), 1}, {TxField(TxClkEdge, ch), 0}}); err != nil {
			return err
		}
	}
	if err := d.writeAll([]fv{{TimestampGPSEn, 1}, {TimestampGPSPol, 1}, {GPIOOutL, 1}}); err != nil {
		return err
	}
	d.chip.Firmware = map[string]string{"agc": strconv.Itoa(AGCVersionSX1250), "arb": strconv.Itoa(ARBVersion)}
	return nil
}

// boardReset powers the chip and pulses its reset line (bringup §3.1).
func (d *Dev) boardReset(ctx context.Context) error {
	if d.pins.Power != nil {
		if err := d.pins.Power.Out(true); err != nil {
			return fmt.Errorf("sx1302: power line %s: %w", d.pins.Power, err)
		}
		if err := d.sleep(ctx, 100*time.Millisecond); err != nil {
			return err
		}
	}
	if d.pins.Reset != nil {
		for _, l := range []bool{true, false} {
			if err := d.pins.Reset.Out(gpio.Level(l)); err != nil {
				return fmt.Errorf("sx1302: reset line %s: %w", d.pins.Reset, err)
			}
			if err := d.sleep(ctx, 100*time.Millisecond); err != nil {
				return err
			}
		}
	}
	return nil
}

// loadMCU loads one MCU program: hold, write, read back, release, parity
// (bringup §3.5 load).
func (d *Dev) loadMCU(name string, fw []byte, addr uint16, clear, prog, parity Field) error {
	if err := d.writeAll([]fv{{clear, 1}, {prog, 1}, {CommonPage, 0}}); err != nil {
		return err
	}
	if err := d.bus.writeMem(addr, fw); err != nil {
		return err
	}
	back := make([]byte, len(fw))
	if err := d.bus.readMem(addr, back, false); err != nil {
		return err
	}
	if i := firstDiff(fw, back); i >= 0 {
		return fmt.Errorf("sx1302: %s %w at byte %d (wrote 0x%02x, read 0x%02x)", name, ErrFirmwareReadback, i, fw[i], back[i])
	}
	if err := d.writeAll([]fv{{prog, 0}, {clear, 0}}); err != nil {
		return err
	}
	p, err := d.bus.get(parity)
	if err != nil {
		return err
	}
	if p != 0 {
		return fmt.Errorf("sx1302: %s %w after release", name, ErrParity)
	}
	return nil
}

func firstDiff(a, b []byte) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}

// waitStatus polls an MCU status register until it equals want, for at
// most HandshakeTimeout (libloragw has no timeout; trap 8).
func (d *Dev) waitStatus(ctx context.Context, f Field, want byte, step string) error {
	deadline := d.clk.Now().Add(d.opts.HandshakeTimeout)
	for {
		v, err := d.bus.readByte(f.Addr())
		if err != nil {
			return err
		}
		if v == want {
			return nil
		}
		if !d.clk.Now().Before(deadline) {
			return fmt.Errorf("sx1302: %w: %s: status 0x%02x, want 0x%02x after %s", ErrHandshake, step, v, want, d.opts.HandshakeTimeout)
		}
		if err := d.sleep(ctx, time.Millisecond); err != nil {
			return err
		}
	}
}

// agcStart runs the AGC handshake (bringup §3.5, SX1250 parameters).
func (d *Dev) agcStart(ctx context.Context) error {
	if err := d.waitStatus(ctx, AGCStatus, 0x01, "agc firmware up"); err != nil {
		return err
	}
	v, err := d.bus.readByte(AGCMailboxRdByte0.Addr())
	if err != nil {
		return err
	}
	if v != AGCVersionSX1250 {
		return fmt.Errorf("sx1302: agc %w %d, want %d (install the SX1250 AGC firmware)", ErrFirmwareVersion, v, AGCVersionSX1250)
	}
	steps := []struct {
		name string
		mb   []byte // mailboxes 0, 1, 2
		code byte
		want byte
	}{
		{"radio A gains", []byte{0xFF, 0xFF, 0}, 0x80, 0x02},
		{"radio B gains", []byte{0xFF, 0xFF, 0}, 0x20, 0x03},
		{"analog gain", []byte{1, 13}, 0x03, 0x04},
		{"analog thresholds", []byte{3, 12}, 0x04, 0x05},
		{"decimator attenuation", []byte{4, 15}, 0x05, 0x06},
		{"decimator thresholds", []byte{40, 80, 90}, 0x06, 0x07},
		{"channel attenuation", []byte{4, 14}, 0x07, 0x08},
		{"channel thresholds", []byte{52, 132}, 0x08, 0x09},
		{"pa config", []byte{0, 7, 4}, 0x09, 0x0A},
		{"pa start delay", []byte{8}, 0x0A, 0x0B},
		{"lbt", []byte{0}, 0x0B, 0x0F},
	}
	for _, s := range steps {
		for n, b := range s.mb {
			if err := d.bus.writeByte(AGCMailboxWrByte0.Addr()-uint16(n), b); err != nil {
				return err
			}
		}
		if err := d.bus.writeByte(AGCMailboxWrByte3.Addr(), s.code); err != nil {
			return err
		}
		if err := d.waitStatus(ctx, AGCStatus, s.want, "agc "+s.name); err != nil {
			return err
		}
		for n, b := range s.mb {
			got, err := d.bus.readByte(AGCMailboxRdByte0.Addr() - uint16(n))
			if err != nil {
				return err
			}
			if got != b {
				return fmt.Errorf("sx1302: agc %s: mailbox %d echoed 0x%02x, want 0x%02x", s.name, n, got, b)
			}
		}
	}
	return d.bus.writeByte(AGCMailboxWrByte3.Addr(), 0x0F)
}

// arbStart runs the ARB handshake (bringup §3.6).
func (d *Dev) arbStart(ctx context.Context) error {
	if err := d.waitStatus(ctx, ARBStatus, 0x01, "arb firmware up"); err != nil {
		return err
	}
	v, err := d.bus.readByte(ARBDebugSts0.Addr())
	if err != nil {
		return err
	}
	if v != ARBVersion {
		return fmt.Errorf("sx1302: arb %w %d, want %d", ErrFirmwareVersion, v, ARBVersion)
	}
	if err := d.writeAll([]fv{{ARBDebugCfg0, 7}, {ARBDebugCfg3, 0}, {ARBDebugCfg2, 3}, {ARBDebugCfg1, 1}}); err != nil {
		return err
	}
	return d.waitStatus(ctx, ARBStatus, 0x00, "arb resume")
}

// readIdentity reads the EUI and model from OTP (bringup §6.1, §5.1).
func (d *Dev) readIdentity() error {
	var eui hal.EUI64
	for i := range eui {
		if err := d.bus.writeByte(OTPByteAddr.Addr(), byte(i)); err != nil {
			return err
		}
		b, err := d.bus.readByte(OTPRdData.Addr())
		if err != nil {
			return err
		}
		eui[i] = b
	}
	if err := d.bus.writeByte(OTPByteAddr.Addr(), 0xD0); err != nil {
		return err
	}
	m, err := d.bus.readByte(OTPRdData.Addr())
	if err != nil {
		return err
	}
	// Leave the OTP address at its reset value, as the reference does.
	if err := d.bus.writeByte(OTPByteAddr.Addr(), 0); err != nil {
		return err
	}
	d.sx1303 = m == 0x03
	model := "SX1302"
	if d.sx1303 {
		model = "SX1303"
	}
	d.chip = hal.ChipInfo{Model: model, EUI: eui}
	d.log.Debug("sx1302 identity", zap.String("model", model), zap.Uint8("otp_model", m))
	return nil
}
