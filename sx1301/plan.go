package sx1301

import (
	"fmt"

	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/hal/chanplan"
	"github.com/lgwagent/lgw/region"
)

// Plan is the receive channel plan (package chanplan): two radios, 8
// multi-SF LoRa BW125 chains (IF0-7, SF7-SF12 on the SX1301), the LoRa
// "stand-alone" chain (IF8: one SF at 125, 250 or 500 kHz) and the FSK
// chain (IF9, 125 kHz as the reference configurations set it).
type Plan = chanplan.Plan

// IFChannel is one IF chain: the radio feeding it and its offset.
type IFChannel = chanplan.IFChannel

// Limits is what an SX1301 with SX125x radios receives (sx1301.md §1.7,
// lgw_rxif_setconf): |IF| + BW/2 within half the radio bandwidth the
// reference allows per channel bandwidth (925, 1000, 1100 kHz), the
// stand-alone modem takes SF7-SF12 only, FSK 500 bit/s to 250 kbit/s.
var Limits = chanplan.Limits{
	Chip:       "SX1301",
	MaxEdge:    map[hal.Bandwidth]uint32{hal.BW125: 925000 / 2, hal.BW250: 1000000 / 2, hal.BW500: 1100000 / 2},
	ServiceSF:  [2]uint8{7, 12},
	FSKBitRate: [2]uint32{500, 250000},
}

// PlanFor returns the region's default channel plan placed on the radios
// under the SX1301's limits (chanplan.ForRegion, chanplan.Resolve).
func PlanFor(r *region.Region) (Plan, error) {
	s, err := chanplan.ForRegion(r, 0)
	if err != nil {
		return Plan{}, err
	}
	return chanplan.Resolve(s, Limits)
}

// multiSFMask is the SF mask of the multi-SF chains: SF7 to SF12 (bit n =
// SF n+6), all the SX1301 demodulates.
const multiSFMask = 0x7E

// FSK settings the reference programs (3-byte sync word 0xC194C1; channel
// bandwidth code 3 = 125 kHz).
const (
	fskSyncWord     = 0xC194C1
	fskSyncWordSize = 3
	fskBandwidth    = hal.BW125
)

// radioRange is the frequency range a radio type tunes (sx1301.md §5.2:
// SX1257 for 862-1020 MHz, SX1255 for 400-510 MHz).
func radioRange(t RadioType) hal.FreqRange {
	if t == SX1255 {
		return hal.FreqRange{Min: 400e6, Max: 510e6}
	}
	return hal.FreqRange{Min: 862e6, Max: 1020e6}
}

// ValidatePlan checks a plan against what an SX1301 with radios of type t
// can do, naming the first thing it cannot.
func ValidatePlan(p *Plan, t RadioType) error {
	if err := p.Validate(Limits); err != nil {
		return fmt.Errorf("sx1301 plan: %w", err)
	}
	for i, r := range p.Radios {
		if r.Freq != 0 && !radioRange(t).Contains(r.Freq) {
			return fmt.Errorf("sx1301 plan: radio[%d] at %d Hz is outside the %s range %s", i, r.Freq, t, radioRange(t))
		}
	}
	return nil
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
func radioSelect(p *Plan) int32 {
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
func ifRegs(p *Plan) []regVal {
	var rv []regVal
	for i, c := range p.MultiSF {
		rv = append(rv, regVal{IfFreq0 + Reg(i), ifReg(ifOf(c))})
	}
	for i, c := range p.MultiSF {
		v := int32(0)
		if c.Enable {
			v = multiSFMask
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
			regVal{FskChBwExpo, bwCode(fskBandwidth)}, regVal{FskModemEnable, 1})
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
