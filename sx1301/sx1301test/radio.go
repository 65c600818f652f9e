package sx1301test

import (
	"time"

	"github.com/lgwagent/lgw/sx1301"
)

// radio is an SX1257/SX1255 behind the SX1301's radio SPI master.
type radio struct {
	regs map[byte]byte
	// pllAt is when the RX PLL was started (mode register := 3).
	pllAt time.Time
}

// Radio crystal settling and reset needs (sx1301.md §2 step 4).
const (
	radioSettle = 500 * time.Millisecond
	pllLockTime = time.Millisecond
)

// radioPower handles RADIO_A_EN, RADIO_B_EN and RADIO_RST (page 2, 43).
func (c *Chip) radioPower(old, v byte) error {
	now := c.cfg.Clock.Now()
	if old&3 == 0 && v&3 != 0 {
		c.radioOn = now
	}
	if old&4 != 0 && v&4 == 0 {
		c.radioReset = now
		for i := range c.radios {
			c.radios[i] = radio{regs: map[byte]byte{}}
		}
	}
	return nil
}

// radioAnswers reports whether radio ch is powered, out of a reset
// pulse given after its crystal settled, and not faulted.
func (c *Chip) radioAnswers(ch int) bool {
	v := c.regs[2][sx1301.RadioAEn.Addr()]
	return v&(1<<ch) != 0 && v&4 == 0 && !c.radioOn.IsZero() && !c.radioReset.IsZero() &&
		c.radioReset.Sub(c.radioOn) >= radioSettle && c.cfg.DeadRadio != ch+1
}

// radioFrame runs the radio SPI transaction latched when CS rises.
func (c *Chip) radioFrame(ch int) error {
	if !c.bit(sx1301.ForceHostRadioCtrl) {
		return c.misuse("radio %c SPI access while the MCU owns the radios (FORCE_HOST_RADIO_CTRL = 0)", 'A'+ch)
	}
	addrReg, dataReg, backReg := sx1301.SpiRadioAAddr, sx1301.SpiRadioAData, sx1301.SpiRadioADataReadback
	if ch == 1 {
		addrReg, dataReg, backReg = sx1301.SpiRadioBAddr, sx1301.SpiRadioBData, sx1301.SpiRadioBDataReadback
	}
	a, d := byte(c.get(addrReg)), byte(c.get(dataReg))
	if !c.radioAnswers(ch) {
		c.regs[2][backReg.Addr()] = 0
		return nil
	}
	rd := &c.radios[ch]
	reg := a & 0x7f
	if a&0x80 != 0 {
		if xosc := map[sx1301.RadioType]byte{sx1301.SX1257: 0x26, sx1301.SX1255: 0x28}; reg == 0x26 || reg == 0x28 {
			if reg != xosc[c.cfg.Radio] {
				return c.misuse("radio %c: register 0x%02x is not the XOSC register of an %s", 'A'+ch, reg, c.cfg.Radio)
			}
		}
		rd.regs[reg] = d
		if reg == 0 {
			rd.pllAt = time.Time{}
			if d == 3 {
				rd.pllAt = c.cfg.Clock.Now()
			}
		}
		return nil
	}
	var v byte
	switch reg {
	case 0x07:
		v = 0x21
	case 0x11:
		if !rd.pllAt.IsZero() && c.cfg.Clock.Now().Sub(rd.pllAt) >= pllLockTime {
			v = 0x02
		}
	default:
		v = rd.regs[reg]
	}
	c.regs[2][backReg.Addr()] = v
	return nil
}

// radioFreq is radio ch's RX frequency from its PLL word, 0 when it is
// not running.
func (c *Chip) radioFreq(ch int) uint32 {
	rd := &c.radios[ch]
	if rd.regs[0] != 3 {
		return 0
	}
	w := uint64(rd.regs[1])<<16 | uint64(rd.regs[2])<<8 | uint64(rd.regs[3])
	return wordFreq(c.cfg.Radio, w)
}

// wordFreq converts a PLL word to Hz, rounded.
func wordFreq(t sx1301.RadioType, w uint64) uint32 {
	shift := uint(19)
	if t == sx1301.SX1255 {
		shift = 20
	}
	return uint32((w*32000000 + 1<<(shift-1)) >> shift)
}

// RadioRegs returns radio ch's register values (for tests).
func (c *Chip) RadioRegs(ch int) map[byte]byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[byte]byte{}
	for k, v := range c.radios[ch].regs {
		out[k] = v
	}
	return out
}
