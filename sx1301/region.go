package sx1301

import (
	"fmt"
	"sort"

	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/region"
)

// PlanFor returns the SX1301 channel plan lgw uses in a region: EU868 is
// the reference configuration of the golden data (radios at 867.5 and
// 868.5 MHz, 867.1-868.5 MHz, SF7BW250 at 868.3 MHz, FSK 50 kbit/s at
// 868.8 MHz); US915 and AU915 use sub-band 2 (channels 8-15 and 65);
// other regions put their default uplink channels on the two radios.
func PlanFor(r *region.Region) (Plan, error) {
	switch r.Name() {
	case region.EU868:
		p := groupPlan([]uint32{867100000, 867300000, 867500000, 867700000, 867900000, 868100000, 868300000, 868500000})
		// The reference order: 868.1-868.5 on radio B as IF0-2.
		p.Radios[0].Freq, p.Radios[1].Freq = 867500000, 868500000
		for i, f := range []uint32{868100000, 868300000, 868500000, 867100000, 867300000, 867500000, 867700000, 867900000} {
			p.MultiSF[i] = p.on(f, 125000)
		}
		p.Service, p.ServiceRate = p.on(868300000, 250000), hal.LoRaRate(7, hal.BW250, hal.CR4_5)
		p.FSK, p.FSKBitRate = p.on(868800000, 125000), 50000
		return p, p.Validate(SX1257)
	case region.US915:
		p := groupPlan([]uint32{903900000, 904100000, 904300000, 904500000, 904700000, 904900000, 905100000, 905300000})
		p.Service, p.ServiceRate = p.on(904600000, 500000), hal.LoRaRate(8, hal.BW500, hal.CR4_5)
		return p, p.Validate(SX1257)
	case region.AU915:
		p := groupPlan([]uint32{916800000, 917000000, 917200000, 917400000, 917600000, 917800000, 918000000, 918200000})
		p.Service, p.ServiceRate = p.on(917500000, 500000), hal.LoRaRate(8, hal.BW500, hal.CR4_5)
		return p, p.Validate(SX1257)
	}
	b := r.Band()
	var fs []uint32
	for _, i := range b.GetEnabledUplinkChannelIndices() {
		if c, err := b.GetUplinkChannel(i); err == nil && len(fs) < 8 {
			fs = append(fs, c.Frequency)
		}
	}
	if len(fs) == 0 {
		return Plan{}, fmt.Errorf("sx1301 plan: region %s has no uplink channels", r.Name())
	}
	p := groupPlan(fs)
	t := SX1257
	if fs[0] < 600e6 {
		t = SX1255
	}
	return p, p.Validate(t)
}

// on places a channel of bandwidth bw at f on the first radio that
// passes it; a zero IFChannel (disabled) when none does.
func (p *Plan) on(f, bw uint32) IFChannel {
	for r, rp := range p.Radios {
		off := int64(f) - int64(rp.Freq)
		if rp.Freq != 0 && max(off, -off)+int64(bw/2) <= ifLimit(bw) {
			return IFChannel{Enable: true, Radio: uint8(r), IF: int32(off)}
		}
	}
	return IFChannel{}
}

// groupPlan centres radio A on the channels, or, when they span more than
// the 800 kHz of centres one radio passes, radio A on the lower half (400 kHz
// above its lowest channel) and radio B on the upper half, as the
// reference configurations do.
func groupPlan(freqs []uint32) Plan {
	fs := append([]uint32(nil), freqs...)
	sort.Slice(fs, func(i, j int) bool { return fs[i] < fs[j] })
	groups := [2][]uint32{fs}
	if fs[len(fs)-1]-fs[0] > 800000 {
		groups = [2][]uint32{fs[:(len(fs)+1)/2], fs[(len(fs)+1)/2:]}
	}
	var p Plan
	n := 0
	for r, grp := range groups {
		if len(grp) == 0 {
			continue
		}
		p.Radios[r].Freq = (grp[0] + grp[len(grp)-1]) / 2
		if r == 0 && len(groups[1]) > 0 {
			// Radio A 400 kHz above its lowest channel: its upper edge
			// then also passes a 500 kHz channel between the groups.
			p.Radios[0].Freq = grp[0] + 400000
		}
		for _, f := range grp {
			if n < 8 {
				p.MultiSF[n] = IFChannel{Enable: true, Radio: uint8(r), IF: int32(int64(f) - int64(p.Radios[r].Freq))}
				n++
			}
		}
	}
	return p
}
