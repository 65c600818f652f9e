package sx1301test

import (
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/lgwagent/lgw/sx1301"
)

// image is what an MCU program RAM holds.
type image int

const (
	imageNone image = iota
	imageCal
	imageAGC
	imageARB
)

func (i image) String() string {
	return [...]string{"no image", "calibration", "AGC", "ARB"}[i]
}

// mcuState is one MCU's host-visible behaviour.
type mcuState struct {
	running image
	ram     [256]byte
	// calibration: calArmed once page 3 is written, calibrating while the
	// MCU owns the register file, calStatus its result.
	calArmed, calibrating bool
	calStart              time.Time
	calCmd                byte
	// AGC mailbox: waiting after AGC_CMD_WAIT, phase of the start-up
	// dialogue, the status the host reads and when it becomes visible.
	waiting              bool
	waitAt               time.Time
	phase                int
	status, nextStatus   byte
	statusAt             time.Time
	lut                  []lutEntry
	freqMSB, radioSelect byte
}

// lutEntry is a TX gain entry the AGC firmware was given.
type lutEntry struct{ PA, Mix, DAC byte }

// AGC start-up phases.
const (
	phaseLUT = iota
	phaseFreqMSB
	phaseChanSelect
	phaseRadioSelect
	phaseRunning
)

// knownImages maps image hashes to what they are: Semtech's v5.0.1
// images and this package's synthetic placeholders.
func knownImages() map[string]image {
	kind := map[string]image{sx1301.FirmwareCal: imageCal, sx1301.FirmwareAGC: imageAGC, sx1301.FirmwareARB: imageARB}
	m := map[string]image{}
	for _, im := range sx1301.FirmwareImages() {
		m[im.SHA256] = kind[im.Name]
		s := sha256.Sum256(SyntheticFirmware(im.Name))
		m[hex.EncodeToString(s[:])] = kind[im.Name]
	}
	return m
}

// SyntheticFirmware returns a placeholder image for an installed name. It
// is not Semtech's firmware: only this emulator runs it.
func SyntheticFirmware(name string) []byte {
	b := make([]byte, sx1301.FirmwareLen)
	seed := byte(len(name))
	for _, ch := range []byte(name) {
		seed = seed*31 + ch
	}
	for i := range b {
		b[i] = byte(i*13) ^ seed
	}
	return b
}

// promSel returns which program RAMs the host owns (MCU_SELECT_MUX_x 0).
func (c *Chip) promSel() (arb, agc bool) {
	v := c.regs[0][sx1301.McuRst0.Addr()]
	return v&0x04 == 0, v&0x08 == 0
}

func (c *Chip) writeProm(v byte) error {
	arb, agc := c.promSel()
	if !arb && !agc {
		return c.misuse("MCU_PROM_DATA written while both program RAMs belong to the MCUs (MCU_SELECT_MUX_0/1 = 1)")
	}
	rst := c.regs[0][sx1301.McuRst0.Addr()]
	for i, own := range []bool{arb, agc} {
		if !own {
			continue
		}
		if rst&(1<<i) == 0 {
			return c.misuse("MCU %d program RAM written while the MCU runs (MCU_RST_%d = 0)", i, i)
		}
		c.prom[i][c.promAddr] = v
		c.promWritten[i]++
	}
	c.promAddr = (c.promAddr + 1) % sx1301.FirmwareLen
	return nil
}

// readProm returns the pipelined byte: each read answers the byte
// fetched by the previous one (golden README, model choices).
func (c *Chip) readProm() byte {
	arb, agc := c.promSel()
	sel := 1
	if arb && !agc {
		sel = 0
	}
	out := c.promLatch
	c.promLatch = c.prom[sel][c.promAddr]
	if c.cfg.CorruptReadback && c.promAddr == 16 {
		c.promLatch ^= 0x01
	}
	c.promAddr = (c.promAddr + 1) % sx1301.FirmwareLen
	return out
}

// mcuControl handles MCU_RST_x and MCU_SELECT_MUX_x (page 0, 106).
func (c *Chip) mcuControl(old, v byte) error {
	for i := 0; i < 2; i++ {
		rst := byte(1 << i)
		switch {
		case old&rst == 0 && v&rst != 0:
			c.mcus[i] = mcuState{}
			c.promWritten[i] = 0
		case old&rst != 0 && v&rst == 0:
			if err := c.release(i, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// release starts MCU i on the image in its program RAM.
func (c *Chip) release(i int, v byte) error {
	if v&(4<<i) == 0 {
		return c.misuse("MCU %d released while the host still owns its program RAM (MCU_SELECT_MUX_%d = 0)", i, i)
	}
	if c.promWritten[i] < sx1301.FirmwareLen {
		return c.misuse("MCU %d released with %d of %d program bytes written", i, c.promWritten[i], sx1301.FirmwareLen)
	}
	s := sha256.Sum256(c.prom[i][:])
	im := knownImages()[hex.EncodeToString(s[:])]
	m := &c.mcus[i]
	*m = mcuState{running: im}
	now := c.cfg.Clock.Now()
	switch {
	case im == imageNone:
		return c.misuse("MCU %d released on an unknown program image", i)
	case i == 0 && im != imageARB, i == 1 && im == imageARB:
		return c.misuse("MCU %d released on the %s image", i, im)
	case im == imageARB:
		m.ram[0x20] = c.cfg.ARBVersion
	case im == imageCal:
		if c.bit(sx1301.ForceHostRadioCtrl) {
			return c.misuse("calibration firmware released while FORCE_HOST_RADIO_CTRL = 1")
		}
		m.calCmd = byte(c.get(sx1301.RadioSelect))
		m.ram[0x20] = c.cfg.CalVersion
	case im == imageAGC:
		for _, r := range []sx1301.Reg{sx1301.ForceHostRadioCtrl, sx1301.ForceHostFeCtrl, sx1301.ForceDecFilterGain} {
			if c.bit(r) {
				return c.misuse("AGC firmware released while %s = 1", r)
			}
		}
		if rs := c.get(sx1301.RadioSelect); rs == 1 || rs == 2 {
			return c.misuse("AGC firmware released with RADIO_SELECT = %d (must not be 1 or 2)", rs)
		}
		m.ram[0x20] = c.cfg.AGCVersion
		m.nextStatus, m.statusAt = 0x10, now.Add(time.Millisecond)
	}
	return nil
}

// mcuDebug refreshes the MCU RAM debug ports after an address write.
func (c *Chip) mcuDebug() {
	c.regs[2][sx1301.DbgAgcMcuRamData.Addr()] = c.mcus[1].ram[c.regs[2][sx1301.DbgAgcMcuRamAddr.Addr()]]
	c.regs[2][sx1301.DbgArbMcuRamData.Addr()] = c.mcus[0].ram[c.regs[2][sx1301.DbgArbMcuRamAddr.Addr()]]
}

// agcStatus is MCU_AGC_STATUS: the calibration result, or the AGC's
// answer once its processing time has passed.
func (c *Chip) agcStatus() byte {
	m := &c.mcus[1]
	if !m.statusAt.IsZero() && !c.cfg.Clock.Now().Before(m.statusAt) {
		m.status, m.statusAt = m.nextStatus, time.Time{}
	}
	return m.status
}

// hostCtrl handles EMERGENCY_FORCE_HOST_CTRL: 0 hands the register file to
// the calibration, 1 takes it back and ends it.
func (c *Chip) hostCtrl(old, v byte) error {
	m := &c.mcus[1]
	now := c.cfg.Clock.Now()
	switch {
	case old&1 != 0 && v&1 == 0:
		if m.running != imageCal || !m.calArmed {
			return c.misuse("EMERGENCY_FORCE_HOST_CTRL := 0 without a calibration started (calibration firmware released, page 3 written)")
		}
		m.calibrating, m.calStart = true, now
	case old&1 == 0 && v&1 != 0 && m.calibrating:
		m.calibrating = false
		if c.cfg.HangCalibration || now.Sub(m.calStart) < 2*time.Second {
			m.status = 0x00
			return nil
		}
		c.finishCalibration(m)
	}
	return nil
}

// finishCalibration sets the calibration result and writes what the
// calibration firmware leaves behind (model values, golden README).
func (c *Chip) finishCalibration(m *mcuState) {
	ok := [2]bool{c.radioAnswers(0), c.radioAnswers(1)}
	st := byte(0x81)
	for ch := 0; ch < 2; ch++ {
		if !ok[ch] {
			continue
		}
		st |= 2 << ch
		if m.calCmd&(1<<ch) != 0 {
			st |= 8 << ch
		}
		if m.calCmd&(4<<ch) != 0 {
			st |= 0x20 << ch
			for i := 0; i < 8; i++ {
				m.ram[0xA0+16*ch+i] = byte(2*i + 1)
				m.ram[0xA8+16*ch+i] = byte(-(2*i + 1))
			}
		}
	}
	m.status = st
	c.put(sx1301.IqMismatchAAmpCoeff, 3)
	c.put(sx1301.IqMismatchAPhiCoeff, 62)
	c.put(sx1301.IqMismatchBAmpCoeff, 63)
	c.put(sx1301.IqMismatchBPhiCoeff, 2)
}

// mailbox runs the AGC start-up dialogue on RADIO_SELECT (sx1301.md §2
// steps 19-22): WAIT, then a value at least 1 ms later, answered 1 ms
// after the value.
func (c *Chip) mailbox(v byte) error {
	m := &c.mcus[1]
	if m.running != imageAGC {
		return nil
	}
	now := c.cfg.Clock.Now()
	if m.phase == phaseRunning {
		return c.misuse("RADIO_SELECT := %d after the AGC start-up dialogue ended", v)
	}
	if !m.waiting {
		if v != 16 {
			return c.misuse("AGC mailbox value %d without AGC_CMD_WAIT (16) first", v)
		}
		m.waiting, m.waitAt = true, now
		return nil
	}
	if d := now.Sub(m.waitAt); d < time.Millisecond {
		return c.misuse("AGC mailbox value %d written %s after WAIT; the firmware needs 1 ms", v, d)
	}
	m.waiting = false
	var st byte
	switch m.phase {
	case phaseLUT:
		if v == 17 {
			st, m.phase = 0x30, phaseFreqMSB
			break
		}
		e := lutEntry{PA: v >> 6, Mix: v & 15, DAC: v >> 4 & 3}
		if e.DAC != 3 || e.Mix < 8 {
			return c.misuse("TX gain entry %d: mix %d, DAC %d (the calibration covers mix 8..15 at DAC 3)", len(m.lut), e.Mix, e.DAC)
		}
		st = 0x30 + byte(len(m.lut))
		m.lut = append(m.lut, e)
		if len(m.lut) == 16 {
			m.phase = phaseFreqMSB
		}
	case phaseFreqMSB:
		st, m.freqMSB, m.phase = 0x30|v&3, v&3, phaseChanSelect
	case phaseChanSelect:
		st, m.phase = 0x30+v, phaseRadioSelect
	case phaseRadioSelect:
		st, m.radioSelect, m.phase = 0x40, v, phaseRunning
	}
	m.nextStatus, m.statusAt = st, now.Add(time.Millisecond)
	return nil
}

// agcReady reports that the AGC finished its start-up dialogue and the
// ARB runs: the chip receives and transmits.
func (c *Chip) agcReady() bool {
	return c.mcus[1].running == imageAGC && c.mcus[1].phase == phaseRunning && c.mcus[0].running == imageARB
}
