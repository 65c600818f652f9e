package sx1301

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.uber.org/zap"
	"periph.io/x/conn/v3/gpio"
)

// Start failures, for errors.Is.
var (
	// ErrVersion: the chip is not an SX1301, or an FPGA sits in front of it.
	ErrVersion = errors.New("not an SX1301")
	// ErrFirmware: a firmware read-back or version check failed.
	ErrFirmware = errors.New("firmware load failed")
	// ErrCalibration: the calibration firmware did not finish or failed.
	ErrCalibration = errors.New("calibration failed")
	// ErrAGC: the AGC firmware did not acknowledge a start-up step.
	ErrAGC = errors.New("AGC firmware did not answer")
)

// Waits of the start sequence (sx1301.md §2; minimums, never shortened).
const (
	resetPulse     = 100 * time.Millisecond
	radioSettle    = 500 * time.Millisecond
	radioResetHold = 5 * time.Millisecond
	calibrationRun = 2300 * time.Millisecond
	mailboxWait    = time.Millisecond
)

// AGC mailbox commands.
const (
	agcCmdWait  = 16
	agcCmdAbort = 17
)

// fpgaVersions are the FPGA images of the AP2 reference design that sit
// between host and SX1301 (mux mode 1), which this driver does not drive.
var fpgaVersions = []byte{31, 33}

// bringUp runs the start sequence of sx1301.md §2 in the reference order
// (golden start-eu868.json `sequence`). d.mu is held.
func (d *Dev) bringUp(ctx context.Context) error {
	fw := map[string][]byte{}
	for _, n := range []string{FirmwareCal, FirmwareARB, FirmwareAGC} {
		b, err := loadFirmware(d.opts.FirmwareDir, n)
		if err != nil {
			return fmt.Errorf("sx1301 start: %w", err)
		}
		fw[n] = b
	}
	if err := d.resetPulse(ctx); err != nil {
		return err
	}
	if err := d.connect(); err != nil {
		return err
	}
	b := d.bus
	if err := b.softReset(); err != nil {
		return err
	}
	if err := b.setAll(regVal{GlobalEn, 0}, regVal{Clk32mEn, 0}, regVal{RadioAEn, 1}, regVal{RadioBEn, 1}); err != nil {
		return err
	}
	if err := d.sleep(ctx, radioSettle); err != nil {
		return err
	}
	if err := b.set(RadioRst, 1); err != nil {
		return err
	}
	if err := d.sleep(ctx, radioResetHold); err != nil {
		return err
	}
	if err := b.set(RadioRst, 0); err != nil {
		return err
	}
	for ch := uint8(0); ch < 2; ch++ {
		if err := d.setupRadio(ctx, ch); err != nil {
			return err
		}
	}
	if err := b.setAll(regVal{GpioMode, 31}, regVal{GpioSelectOutput, 2}, regVal{GlobalEn, 1}, regVal{Clk32mEn, 1}); err != nil {
		return err
	}
	if err := d.calibrate(ctx, fw[FirmwareCal]); err != nil {
		return err
	}
	if err := b.setAll(d.constants()...); err != nil {
		return err
	}
	if err := b.setAll(driftRegs(d.opts.Plan.Radios[0].Freq)...); err != nil {
		return err
	}
	if err := b.setAll(ifRegs(&d.opts.Plan)...); err != nil {
		return err
	}
	if err := d.loadMCU(mcuARB, FirmwareARB, fw[FirmwareARB]); err != nil {
		return err
	}
	if err := d.loadMCU(mcuAGC, FirmwareAGC, fw[FirmwareAGC]); err != nil {
		return err
	}
	if err := d.startAGC(ctx); err != nil {
		return err
	}
	if err := b.set(GpsEn, 1); err != nil {
		return err
	}
	d.setChip()
	return nil
}

// resetPulse drives the board's active-high reset line: high 100 ms, low,
// 100 ms settle (sx1301.md §5.1).
func (d *Dev) resetPulse(ctx context.Context) error {
	if d.pins.Reset == nil {
		return nil
	}
	if err := d.pins.Reset.Out(gpio.High); err != nil {
		return fmt.Errorf("sx1301 start: reset line: %w", err)
	}
	if err := d.sleep(ctx, resetPulse); err != nil {
		return err
	}
	if err := d.pins.Reset.Out(gpio.Low); err != nil {
		return fmt.Errorf("sx1301 start: reset line: %w", err)
	}
	return d.sleep(ctx, resetPulse)
}

// connect probes for an FPGA, checks VERSION and selects page 0
// (sx1301.md §1.2, lgw_connect).
func (d *Dev) connect() error {
	b := d.bus
	d.bus.page = -1
	// The mux-mode-1 probe [0x01 0x01 0x00] reads addresses 1 and 2 of a
	// plain SX1301; an FPGA answers its version in the third byte.
	w, r := []byte{0x01, 0x01, 0x00}, make([]byte, 3)
	if err := b.conn.Tx(w, r); err != nil {
		return fmt.Errorf("sx1301 start: FPGA probe: %w", err)
	}
	for _, v := range fpgaVersions {
		if r[2] == v {
			return fmt.Errorf("sx1301 start: an FPGA (version %d, SPI mux mode 1) answers in front of the SX1301; "+
				"FPGA boards (Semtech AP2) are not supported: %w", v, ErrVersion)
		}
	}
	v, err := b.readByte(Version.Addr())
	if err != nil {
		return fmt.Errorf("sx1301 start: %w", err)
	}
	if v != ChipVersion {
		return fmt.Errorf("sx1301 start: VERSION register reads %d (0x%02x), want %d: no SX1301 on this SPI port, "+
			"or it is held in reset: %w", v, v, ChipVersion, ErrVersion)
	}
	return b.selectPage(0)
}

// calCommand is the calibration command byte (sx1301.md §2 step 9).
func (d *Dev) calCommand() int32 {
	var c int32
	on := func(ch int) bool { return d.opts.Plan.Radios[ch].Freq != 0 }
	tx := func(ch int) bool { return on(ch) && ch < d.opts.TxChains }
	for ch := 0; ch < 2; ch++ {
		if on(ch) {
			c |= 1 << ch
		}
		if tx(ch) {
			c |= 4 << ch
		}
	}
	c |= 0x10
	if d.opts.Radio == SX1255 {
		c |= 0x20
	}
	return c
}

// calibrate runs the calibration firmware on the AGC MCU and reads the TX
// DC offset tables it leaves in AGC RAM.
func (d *Dev) calibrate(ctx context.Context, fw []byte) error {
	b := d.bus
	if err := d.loadMCU(mcuAGC, FirmwareCal, fw); err != nil {
		return fmt.Errorf("%w: %w", err, ErrFirmware)
	}
	cmd := d.calCommand()
	if err := b.setAll(regVal{ForceHostRadioCtrl, 0}, regVal{RadioSelect, cmd}, regVal{McuRst1, 0}); err != nil {
		return err
	}
	if err := d.checkVersion(true, "calibration", CalVersion); err != nil {
		return err
	}
	// Page 3 starts the calibration; the MCU owns the register file until
	// EMERGENCY_FORCE_HOST_CTRL is 1 again (pitfalls 8, 9).
	if err := b.setAll(regVal{PageReg, 3}, regVal{EmergencyForceHostCtrl, 0}); err != nil {
		return err
	}
	if err := d.sleep(ctx, calibrationRun); err != nil {
		return err
	}
	if err := b.set(EmergencyForceHostCtrl, 1); err != nil {
		return err
	}
	st, err := b.get(McuAgcStatus)
	if err != nil {
		return err
	}
	d.calStat = byte(st)
	switch {
	case st&0x80 == 0:
		return fmt.Errorf("sx1301 start: calibration did not finish within %s (MCU_AGC_STATUS 0x%02x): %w", calibrationRun, st, ErrCalibration)
	case st&0x01 == 0:
		return fmt.Errorf("sx1301 start: calibration could not access the SX1301 (MCU_AGC_STATUS 0x%02x): %w", st, ErrCalibration)
	}
	d.calWarnings(byte(st), cmd)
	for i := 0; i < 8; i++ {
		for k, base := range []byte{0xA0, 0xA8, 0xB0, 0xB8} {
			v, err := d.mcuRAM(true, base+byte(i))
			if err != nil {
				return err
			}
			d.txDC[k/2][k%2][i] = int8(v)
		}
	}
	return nil
}

// calWarnings logs the calibration steps that failed for enabled radios
// (only a failure to reach the SX1301 is fatal).
func (d *Dev) calWarnings(st byte, cmd int32) {
	checks := []struct {
		need int32
		bit  byte
		what string
	}{{1, 0x02, "radio A access"}, {2, 0x04, "radio B access"}, {1, 0x08, "radio A RX image rejection"},
		{2, 0x10, "radio B RX image rejection"}, {4, 0x20, "radio A TX DC offset"}, {8, 0x40, "radio B TX DC offset"}}
	for _, c := range checks {
		if cmd&c.need != 0 && st&c.bit == 0 {
			d.log.Warn("sx1301 calibration step failed", zap.String("step", c.what), zap.String("status", fmt.Sprintf("0x%02x", st)))
		}
	}
}

func (d *Dev) checkVersion(agc bool, name string, want byte) error {
	v, err := d.mcuRAM(agc, fwVersionAddr)
	if err != nil {
		return err
	}
	if v != want {
		return fmt.Errorf("sx1301 start: %s firmware reports version %d, want %d: %w", name, v, want, ErrFirmware)
	}
	return nil
}

// constants are the fixed register adjustments of lgw_constant_adjust
// (sx1301.md §2 step 10), in the reference order.
func (d *Dev) constants() []regVal {
	p1, p2 := int32(3), int32(4) // public sync word 0x34
	if d.opts.PrivateSyncWord {
		p1, p2 = 1, 2
	}
	return []regVal{
		{RssiBbFilterAlpha, 6}, {RssiDecFilterAlpha, 7}, {RssiChannFilterAlpha, 7},
		{RssiBbDefaultValue, 23}, {RssiChannDefaultValue, 85}, {RssiDecDefaultValue, 66},
		{DecGainOffset, 7}, {ChanGainOffset, 6}, {SnrAvgCst, 3},
		{FrameSynchPeak1Pos, p1}, {FrameSynchPeak2Pos, p2},
		{MbwssfFrameSynchPeak1Pos, p1}, {MbwssfFrameSynchPeak2Pos, p2},
		{AdjustModemStartOffsetRdx4, 1}, {AdjustModemStartOffsetSf12Rdx4, 4094}, {CorrMacGain, 7},
		{FskRxInvert, 1}, {FskModemInvertIq, 1}, {FskRssiLength, 4}, {FskPktMode, 1}, {FskCrcEn, 1},
		{FskDcfreeEnc, 2}, {FskErrorOsrTol, 10}, {FskPktLength, 255}, {FskPatternTimeoutCfg, 128},
		{TxStartDelay, txStartDelayDefault}, {TxSwapIq, 1},
		{TxFrameSynchPeak1Pos, p1}, {TxFrameSynchPeak2Pos, p2},
		{FskTxGaussianSelectBt, 2},
	}
}

// startAGC releases both MCUs, checks their versions and feeds the AGC
// firmware its start-up parameters through the RADIO_SELECT mailbox
// (sx1301.md §2 steps 16-22).
func (d *Dev) startAGC(ctx context.Context) error {
	b := d.bus
	if err := b.setAll(regVal{ForceHostRadioCtrl, 0}, regVal{ForceHostFeCtrl, 0}, regVal{ForceDecFilterGain, 0},
		regVal{RadioSelect, 0}, regVal{McuRst0, 0}, regVal{McuRst1, 0}); err != nil {
		return err
	}
	if err := d.checkVersion(true, "AGC", AGCVersion); err != nil {
		return err
	}
	if err := d.checkVersion(false, "ARB", ARBVersion); err != nil {
		return err
	}
	if err := d.sleep(ctx, mailboxWait); err != nil {
		return err
	}
	if err := d.expectAGC("initialisation", 0x10); err != nil {
		return err
	}
	for i, g := range d.opts.TxGains {
		v := int32(g.Mix) + 16*dacGain + 64*int32(g.PA)
		if err := d.mailbox(ctx, fmt.Sprintf("TX gain entry %d", i), v, byte(0x30+i)); err != nil {
			return err
		}
	}
	if len(d.opts.TxGains) < 16 {
		if err := d.mailbox(ctx, "TX gain table end", agcCmdAbort, 0x30); err != nil {
			return err
		}
	}
	// The AGC restores the two PLL-word MSBs the TX header reuses as
	// filter flags: 3 for every SX1257 frequency above 768 MHz and SX1255
	// above 384 MHz, all the boards in scope.
	if err := d.mailbox(ctx, "TX frequency MSBs", 3, 0x33); err != nil {
		return err
	}
	if err := d.mailbox(ctx, "channel select option", 0, 0x30); err != nil {
		return err
	}
	return d.mailbox(ctx, "radio select", radioSelect(&d.opts.Plan), 0x40)
}

// mailbox sends one AGC transaction: WAIT, the value, then the status the
// firmware must answer, each after 1 ms.
func (d *Dev) mailbox(ctx context.Context, step string, v int32, want byte) error {
	for _, x := range []int32{agcCmdWait, v} {
		if err := d.bus.set(RadioSelect, x); err != nil {
			return err
		}
		if err := d.sleep(ctx, mailboxWait); err != nil {
			return err
		}
	}
	return d.expectAGC(step, want)
}

func (d *Dev) expectAGC(step string, want byte) error {
	st, err := d.bus.get(McuAgcStatus)
	if err != nil {
		return err
	}
	if byte(st) != want {
		return fmt.Errorf("sx1301 start: AGC %s: MCU_AGC_STATUS 0x%02x, want 0x%02x: %w", step, st, want, ErrAGC)
	}
	return nil
}
