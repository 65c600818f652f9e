package sx1302

import (
	"fmt"
	"sort"

	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/region"
)

// Radio is one RF chain's receive centre frequency; 0 disables it.
type Radio struct{ Freq uint32 }

// IFChannel is one IF chain: the radio feeding it and its offset from the
// radio's centre.
type IFChannel struct {
	Enable bool
	Radio  uint8
	IF     int32
}

// Plan is the concentrator's channel plan: two radios, 8 multi-SF LoRa
// BW125 chains, the LoRa service chain (one SF and bandwidth) and the FSK
// chain (bringup §2.4 F/G).
type Plan struct {
	Radios  [2]Radio
	MultiSF [8]IFChannel
	Service IFChannel
	// ServiceRate is the service chain's LoRa data rate.
	ServiceRate hal.DataRate
	FSK         IFChannel
	// FSKBitRate is the FSK chain's bit rate.
	FSKBitRate uint32
}

// maxIF is the largest |IF| + BW/2 the radios pass (bringup §2.4 F).
const maxIF = 800000

// Validate checks the IF ranges and the radios they use.
func (p *Plan) Validate() error {
	if p.Radios[0].Freq == 0 {
		return fmt.Errorf("sx1302 plan: radio 0 frequency is required")
	}
	check := func(name string, c IFChannel, bw uint32) error {
		if !c.Enable {
			return nil
		}
		if c.Radio > 1 || p.Radios[c.Radio].Freq == 0 {
			return fmt.Errorf("sx1302 plan: %s uses radio %d, which is not enabled", name, c.Radio)
		}
		a := c.IF
		if a < 0 {
			a = -a
		}
		if int64(a)+int64(bw/2) > maxIF {
			return fmt.Errorf("sx1302 plan: %s IF %d Hz: |IF| + BW/2 must be at most 800 kHz", name, c.IF)
		}
		return nil
	}
	for i, c := range p.MultiSF {
		if err := check(fmt.Sprintf("multi-SF chain %d", i), c, 125000); err != nil {
			return err
		}
	}
	if p.Service.Enable {
		if p.ServiceRate.Modulation != hal.LoRa {
			return fmt.Errorf("sx1302 plan: service chain needs a LoRa data rate")
		}
		if err := p.ServiceRate.Validate(); err != nil {
			return fmt.Errorf("sx1302 plan: service chain: %w", err)
		}
		if err := check("service chain", p.Service, uint32(p.ServiceRate.Bandwidth)); err != nil {
			return err
		}
	}
	if p.FSK.Enable && (p.FSKBitRate < 500 || p.FSKBitRate > 250000) {
		return fmt.Errorf("sx1302 plan: fsk bit rate %d: want 500 to 250000", p.FSKBitRate)
	}
	return check("FSK chain", p.FSK, 125000)
}

// Frequency returns the channel frequency of an IF chain (0-9).
func (p *Plan) Frequency(ifChain uint8) (uint32, uint8, bool) {
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

// PlanFor returns the channel plan lgw uses in a region: EU868 is the
// common 8-channel plan (867.1-868.5 MHz, service channel SF7BW250 at
// 868.3 MHz, FSK 50 kbit/s at 868.8 MHz); US915 and AU915 use sub-band 2
// (channels 8-15 and 65); other regions place their default uplink
// channels on the radios.
func PlanFor(r *region.Region) (Plan, error) {
	switch r.Name() {
	case region.EU868:
		// Radios at 867.5 and 868.5 MHz, as the reference configuration,
		// so that the FSK channel fits radio B.
		return placePlan([2]uint32{867500000, 868500000},
			[]uint32{867100000, 867300000, 867500000, 867700000, 867900000, 868100000, 868300000, 868500000},
			868300000, hal.LoRaRate(7, hal.BW250, hal.CR4_5), 868800000, 50000)
	case region.US915:
		return groupPlan([]uint32{903900000, 904100000, 904300000, 904500000, 904700000, 904900000, 905100000, 905300000},
			904600000, hal.LoRaRate(8, hal.BW500, hal.CR4_5), 0, 0)
	case region.AU915:
		return groupPlan([]uint32{917200000, 917400000, 917600000, 917800000, 918000000, 918200000, 918400000, 918600000},
			917900000, hal.LoRaRate(8, hal.BW500, hal.CR4_5), 0, 0)
	}
	b := r.Band()
	var fs []uint32
	for _, i := range b.GetEnabledUplinkChannelIndices() {
		c, err := b.GetUplinkChannel(i)
		if err == nil && len(fs) < 8 {
			fs = append(fs, c.Frequency)
		}
	}
	if len(fs) == 0 {
		return Plan{}, fmt.Errorf("sx1302 plan: region %s has no uplink channels", r.Name())
	}
	return groupPlan(fs, 0, hal.DataRate{}, 0, 0)
}

// groupPlan puts up to 8 BW125 channels on two radios (each covering
// 1.475 MHz of channel centres), then the service and FSK channels on
// whichever radio reaches them.
func groupPlan(freqs []uint32, svc uint32, svcRate hal.DataRate, fsk, fskRate uint32) (Plan, error) {
	var p Plan
	fs := append([]uint32(nil), freqs...)
	sort.Slice(fs, func(i, j int) bool { return fs[i] < fs[j] })
	var groups [2][]uint32
	g := 0
	for _, f := range fs {
		if len(groups[g]) > 0 && f-groups[g][0] > 2*(maxIF-62500) {
			g++
			if g > 1 {
				return Plan{}, fmt.Errorf("sx1302 plan: channels %v do not fit two radios", freqs)
			}
		}
		groups[g] = append(groups[g], f)
	}
	// The reference plans centre radio A on the lower group and radio B
	// on the upper one.
	n := 0
	for r, grp := range groups {
		if len(grp) == 0 {
			continue
		}
		p.Radios[r].Freq = (grp[0] + grp[len(grp)-1]) / 2
		for _, f := range grp {
			p.MultiSF[n] = IFChannel{Enable: true, Radio: uint8(r), IF: int32(int64(f) - int64(p.Radios[r].Freq))}
			n++
		}
	}
	return placeExtra(p, svc, svcRate, fsk, fskRate)
}

// placePlan puts channels on radios with fixed centres, each on the first
// radio that reaches it.
func placePlan(radios [2]uint32, freqs []uint32, svc uint32, svcRate hal.DataRate, fsk, fskRate uint32) (Plan, error) {
	var p Plan
	p.Radios[0].Freq, p.Radios[1].Freq = radios[0], radios[1]
	for i, f := range freqs {
		c, ok := place(&p, f, 125000)
		if !ok || i >= 8 {
			return Plan{}, fmt.Errorf("sx1302 plan: channel %d Hz does not fit the radios", f)
		}
		p.MultiSF[i] = c
	}
	return placeExtra(p, svc, svcRate, fsk, fskRate)
}

// place finds the first radio reaching a channel of bandwidth bw at f.
func place(p *Plan, f, bw uint32) (IFChannel, bool) {
	for r := range p.Radios {
		if p.Radios[r].Freq == 0 {
			continue
		}
		off := int64(f) - int64(p.Radios[r].Freq)
		if off < 0 && -off+int64(bw/2) <= maxIF || off >= 0 && off+int64(bw/2) <= maxIF {
			return IFChannel{Enable: true, Radio: uint8(r), IF: int32(off)}, true
		}
	}
	return IFChannel{}, false
}

// placeExtra adds the service and FSK channels where a radio reaches them.
func placeExtra(p Plan, svc uint32, svcRate hal.DataRate, fsk, fskRate uint32) (Plan, error) {
	if svc != 0 {
		p.Service, _ = place(&p, svc, uint32(svcRate.Bandwidth))
		p.ServiceRate = svcRate
	}
	if fsk != 0 {
		p.FSK, _ = place(&p, fsk, 125000)
		p.FSKBitRate = fskRate
	}
	return p, p.Validate()
}
