package chanplan

import (
	"fmt"

	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/region"
)

// DefaultSubBand is the US915/AU915 sub-band used when none is configured
// (channels 8-15 and 65, as most networks use).
const DefaultSubBand = 2

// ForRegion returns the region's default channel plan. EU868 is the
// reference 8-channel plan (867.1-868.5 MHz, service channel SF7BW250 at
// 868.3 MHz, FSK 50 kbit/s at 868.8 MHz); US915 and AU915 use subBand
// (1-8; 0 means DefaultSubBand): eight 125 kHz channels and the 500 kHz
// channel of that sub-band, SF8; other regions use their default uplink
// channels (at most eight). subBand is refused outside US915/AU915.
func ForRegion(r *region.Region, subBand int) (Spec, error) {
	switch r.Name() {
	case region.US915:
		return subBandSpec(subBand, 902300000, 903000000)
	case region.AU915:
		return subBandSpec(subBand, 915200000, 915900000)
	}
	if subBand != 0 {
		return Spec{}, &Error{Item: "sub_band", Msg: fmt.Sprintf("%d: sub-bands exist in US915 and AU915 only, not %s", subBand, r.Name())}
	}
	if r.Name() == region.EU868 {
		return Spec{
			Channels: channels(867100000, 867300000, 867500000, 867700000, 867900000, 868100000, 868300000, 868500000),
			Service:  &Service{Channel: Channel{Freq: 868300000, Radio: Auto}, SpreadingFactor: 7, Bandwidth: hal.BW250},
			FSK:      &FSK{Channel: Channel{Freq: 868800000, Radio: Auto}, BitRate: 50000},
		}, nil
	}
	b := r.Band()
	var fs []uint32
	for _, i := range b.GetEnabledUplinkChannelIndices() {
		c, err := b.GetUplinkChannel(i)
		if err == nil && len(fs) < MultiSFChains {
			fs = append(fs, c.Frequency)
		}
	}
	if len(fs) == 0 {
		return Spec{}, fmt.Errorf("chanplan: region %s has no uplink channels", r.Name())
	}
	return Spec{Channels: channels(fs...)}, nil
}

// subBandSpec returns sub-band n of a 64+8 channel plan whose 125 kHz
// channel 0 is at first and 500 kHz channel 64 at first500 (1.6 MHz
// apart per sub-band, 200 kHz between 125 kHz channels).
func subBandSpec(n int, first, first500 uint32) (Spec, error) {
	if n == 0 {
		n = DefaultSubBand
	}
	if n < 1 || n > 8 {
		return Spec{}, &Error{Item: "sub_band", Msg: fmt.Sprintf("%d: want 1 to 8", n)}
	}
	base := first + uint32(n-1)*1600000
	fs := make([]uint32, MultiSFChains)
	for i := range fs {
		fs[i] = base + uint32(i)*200000
	}
	return Spec{
		Channels: channels(fs...),
		Service:  &Service{Channel: Channel{Freq: first500 + uint32(n-1)*1600000, Radio: Auto}, SpreadingFactor: 8, Bandwidth: hal.BW500},
	}, nil
}

func channels(fs ...uint32) []Channel {
	cs := make([]Channel, len(fs))
	for i, f := range fs {
		cs[i] = Channel{Freq: f, Radio: Auto}
	}
	return cs
}
