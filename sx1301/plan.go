package sx1301

import (
	"fmt"

	"github.com/lgwagent/lgw/hal"
)

// RadioPlan is one RF chain's receive centre frequency; 0 disables it.
type RadioPlan struct{ Freq uint32 }

// IFChannel is one IF chain: the radio feeding it and its offset from the
// radio's centre.
type IFChannel struct {
	Enable bool
	Radio  uint8
	IF     int32
}

// Plan is the SX1301's channel plan (sx1301.md §1.7): two radios, 8
// multi-SF LoRa BW125 chains (SF7..SF12), the LoRa "stand-alone" chain
// (IF8: one SF at 125, 250 or 500 kHz) and the FSK chain (IF9).
type Plan struct {
	Radios  [2]RadioPlan
	MultiSF [8]IFChannel
	// SFMask is the spreading factors the multi-SF chains demodulate, bit n
	// = SF n (default SF7..SF12, all the SX1301 can do).
	SFMask      uint16
	Service     IFChannel
	ServiceRate hal.DataRate
	FSK         IFChannel
	// FSKBitRate is the FSK chain's bit rate; FSKBandwidth its channel
	// bandwidth (default 125 kHz).
	FSKBitRate   uint32
	FSKBandwidth hal.Bandwidth
}

// AllSF is the multi-SF mask of SF7..SF12.
const AllSF uint16 = 0x1F80

// FSK sync word the reference driver programs by default (3 bytes).
const (
	fskSyncWord     = 0xC194C1
	fskSyncWordSize = 3
)

// ifLimit is half the usable radio bandwidth for a channel bandwidth: an
// IF chain must satisfy |IF| + BW/2 <= ifLimit (sx1301.md §1.7).
func ifLimit(bw uint32) int64 {
	switch bw {
	case 250000:
		return 1000000 / 2
	case 500000:
		return 1100000 / 2
	}
	return 925000 / 2
}

func (p *Plan) sfMask() uint16 {
	if p.SFMask == 0 {
		return AllSF
	}
	return p.SFMask
}

func (p *Plan) fskBW() hal.Bandwidth {
	if p.FSKBandwidth == 0 {
		return hal.BW125
	}
	return p.FSKBandwidth
}

// radioRange is the frequency range a radio type tunes (sx1301.md §5.2:
// SX1257 for 862-1020 MHz, SX1255 for 400-510 MHz).
func radioRange(t RadioType) hal.FreqRange {
	if t == SX1255 {
		return hal.FreqRange{Min: 400e6, Max: 510e6}
	}
	return hal.FreqRange{Min: 862e6, Max: 1020e6}
}

// Validate checks the plan against what an SX1301 with radios of type t
// can do, naming the first thing it cannot.
func (p *Plan) Validate(t RadioType) error {
	if p.Radios[0].Freq == 0 {
		return fmt.Errorf("sx1301 plan: radio 0 frequency is required (it sets the timing drift registers)")
	}
	for i, r := range p.Radios {
		if r.Freq != 0 && !radioRange(t).Contains(r.Freq) {
			return fmt.Errorf("sx1301 plan: radio %d at %d Hz is outside the %s range %s", i, r.Freq, t, radioRange(t))
		}
	}
	if m := p.sfMask(); m&^AllSF != 0 {
		return fmt.Errorf("sx1301 plan: multi-SF spreading factors 0x%x: the SX1301 demodulates SF7 to SF12 only (no SF5/SF6)", m)
	}
	check := func(name string, c IFChannel, bw uint32) error {
		if !c.Enable {
			return nil
		}
		if c.Radio > 1 || p.Radios[c.Radio].Freq == 0 {
			return fmt.Errorf("sx1301 plan: %s uses radio %d, which is not enabled", name, c.Radio)
		}
		a := int64(c.IF)
		if a < 0 {
			a = -a
		}
		if a+int64(bw/2) > ifLimit(bw) {
			return fmt.Errorf("sx1301 plan: %s IF %d Hz: |IF| + BW/2 must be at most %d Hz", name, c.IF, ifLimit(bw))
		}
		return nil
	}
	for i, c := range p.MultiSF {
		if err := check(fmt.Sprintf("multi-SF chain %d", i), c, 125000); err != nil {
			return err
		}
	}
	if p.Service.Enable {
		d := p.ServiceRate
		if d.Modulation != hal.LoRa {
			return fmt.Errorf("sx1301 plan: service chain needs a LoRa data rate")
		}
		if d.SpreadingFactor < 7 || d.SpreadingFactor > 12 {
			return fmt.Errorf("sx1301 plan: service chain SF%d: the SX1301 demodulates SF7 to SF12 only", d.SpreadingFactor)
		}
		if !d.Bandwidth.Valid() {
			return fmt.Errorf("sx1301 plan: service chain bandwidth %d Hz: want 125, 250 or 500 kHz", d.Bandwidth)
		}
		if err := check("service chain", p.Service, uint32(d.Bandwidth)); err != nil {
			return err
		}
	}
	if p.FSK.Enable {
		if p.FSKBitRate < 500 || p.FSKBitRate > 250000 {
			return fmt.Errorf("sx1301 plan: fsk bit rate %d: want 500 to 250000", p.FSKBitRate)
		}
		if bwCode(p.fskBW()) == 0 {
			return fmt.Errorf("sx1301 plan: fsk bandwidth %d Hz: want 125, 250 or 500 kHz", p.fskBW())
		}
	}
	return check("FSK chain", p.FSK, uint32(p.fskBW()))
}

// bwCode is the HAL's bandwidth code (BW_500KHZ 1, 250 2, 125 3), which
// FSK_CH_BW_EXPO takes directly.
func bwCode(b hal.Bandwidth) int32 {
	switch b {
	case hal.BW500:
		return 1
	case hal.BW250:
		return 2
	case hal.BW125:
		return 3
	}
	return 0
}

// Channel returns the frequency and radio of an IF chain (0-9).
func (p *Plan) Channel(ifChain uint8) (freq uint32, radio uint8, ok bool) {
	var c IFChannel
	switch {
	case ifChain < 8:
		c = p.MultiSF[ifChain]
	case ifChain == 8:
		c = p.Service
	case ifChain == 9:
		c = p.FSK
	default:
		return 0, 0, false
	}
	if !c.Enable {
		return 0, 0, false
	}
	return uint32(int64(p.Radios[c.Radio].Freq) + int64(c.IF)), c.Radio, true
}

// ifReg converts an IF in Hz to the IF_FREQ register: if × 32 / 15625,
// truncated toward zero (pitfall 3).
func ifReg(hz int32) int32 { return int32(int64(hz) * 32 / 15625) }

func ifOf(c IFChannel) int32 {
	if !c.Enable {
		return 0
	}
	return c.IF
}

// radioSelect is the IF0..7 to radio B bit mask the AGC firmware takes.
func (p *Plan) radioSelect() int32 {
	var v int32
	for i, c := range p.MultiSF {
		if c.Enable && c.Radio == 1 {
			v |= 1 << i
		}
	}
	return v
}

// driftRegs are FREQ_TO_TIME_DRIFT and MBWSSF_FREQ_TO_TIME_DRIFT from
// radio A's frequency (sx1301.md §2 step 11).
func driftRegs(f0 uint32) []regVal {
	d := func(shift uint) int32 { return int32(min(63, 4096000000/(f0>>shift))) }
	return []regVal{{FreqToTimeDrift, d(1)}, {MbwssfFreqToTimeDrift, d(3)}}
}

// ldro reports the low-data-rate (PPM offset) rule: SF11/12 at 125 kHz,
// SF12 at 250 kHz.
func ldro(sf uint8, bw hal.Bandwidth) bool {
	return (bw == hal.BW125 && sf >= 11) || (bw == hal.BW250 && sf == 12)
}

// ifRegs are the IF chain and modem registers of the plan, in the
// reference order (sx1301.md §2 steps 12-14).
func (p *Plan) ifRegs() []regVal {
	var rv []regVal
	for i, c := range p.MultiSF {
		rv = append(rv, regVal{IfFreq0 + Reg(i), ifReg(ifOf(c))})
	}
	mask := int32(p.sfMask() >> 6)
	for i, c := range p.MultiSF {
		v := int32(0)
		if c.Enable {
			v = mask
		}
		rv = append(rv, regVal{Corr0DetectEn + Reg(i), v})
	}
	rv = append(rv, regVal{PpmOffset, 0x60}, regVal{ConcentratorModemEnable, 1},
		regVal{IfFreq8, ifReg(ifOf(p.Service))})
	if p.Service.Enable {
		d := p.ServiceRate
		rv = append(rv, regVal{MbwssfRadioSelect, int32(p.Service.Radio)}, regVal{MbwssfModemBw, 3 - bwCode(d.Bandwidth)},
			regVal{MbwssfRateSf, int32(d.SpreadingFactor)}, regVal{MbwssfPpmOffset, b2i(ldro(d.SpreadingFactor, d.Bandwidth))},
			regVal{MbwssfModemEnable, 1})
	} else {
		rv = append(rv, regVal{MbwssfModemEnable, 0})
	}
	sync := uint64(fskSyncWord) << (8 * (8 - fskSyncWordSize))
	rv = append(rv, regVal{IfFreq9, ifReg(ifOf(p.FSK))}, regVal{FskPsize, fskSyncWordSize - 1},
		regVal{FskTxPsize, fskSyncWordSize - 1}, regVal{FskRefPatternLsb, int32(uint32(sync))},
		regVal{FskRefPatternMsb, int32(uint32(sync >> 32))})
	if p.FSK.Enable {
		rv = append(rv, regVal{FskRadioSelect, int32(p.FSK.Radio)}, regVal{FskBrRatio, int32(32000000 / p.FSKBitRate)},
			regVal{FskChBwExpo, bwCode(p.fskBW())}, regVal{FskModemEnable, 1})
	} else {
		rv = append(rv, regVal{FskModemEnable, 0})
	}
	return rv
}

func b2i(b bool) int32 {
	if b {
		return 1
	}
	return 0
}
