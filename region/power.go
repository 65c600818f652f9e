package region

import (
	"fmt"
	"time"

	"github.com/lgwagent/lgw/hal"
)

// txLimits are the regional TX frequency range and the default maximum
// radiated power (dBm: ERP in EU868 and RU864, EIRP elsewhere), from
// spec-classb-multicast.md §5.2 and §5.3 (RP002 default max EIRP, raised to
// the gateway default of brocaar's GetDownlinkTXPower where that is higher,
// as for KR920). The AS923 variants' ranges follow their frequency offsets
// (AS923-2 -1.8 MHz, -3 -6.6 MHz, -4 -5.9 MHz; §1.5). EU868 and RU864 limit
// power per sub-band instead (SubBands).
var txLimits = map[Name]struct {
	rng   hal.FreqRange
	power int8
}{
	EU868:   {hal.FreqRange{Min: 863000000, Max: 870000000}, 14},
	US915:   {hal.FreqRange{Min: 902000000, Max: 928000000}, 30},
	AU915:   {hal.FreqRange{Min: 915000000, Max: 928000000}, 30},
	AS923_1: {hal.FreqRange{Min: 915000000, Max: 928000000}, 16},
	AS923_2: {hal.FreqRange{Min: 920000000, Max: 923000000}, 16},
	AS923_3: {hal.FreqRange{Min: 915000000, Max: 921000000}, 16},
	AS923_4: {hal.FreqRange{Min: 917000000, Max: 920000000}, 16},
	KR920:   {hal.FreqRange{Min: 920900000, Max: 923300000}, 23},
	IN865:   {hal.FreqRange{Min: 865000000, Max: 867000000}, 30},
	RU864:   {hal.FreqRange{Min: 864000000, Max: 870000000}, 14},
	CN470:   {hal.FreqRange{Min: 470000000, Max: 510000000}, 19},
}

// TxFreqRange returns the frequency range the region allows transmissions
// in.
func (r *Region) TxFreqRange() hal.FreqRange { return txLimits[r.name].rng }

// CheckTxFreq reports an error when a channel of bandwidth bw (Hz) centred
// on freq does not lie wholly inside the region's range or, in regions
// with sub-bands, inside one sub-band.
func (r *Region) CheckTxFreq(freq, bw uint32) error {
	lo, hi := freq-bw/2, freq+bw/2
	rng := r.TxFreqRange()
	if !rng.Contains(lo) || !rng.Contains(hi) {
		return fmt.Errorf("%.6f MHz (%d kHz wide) is outside %s (%s)", float64(freq)/1e6, bw/1000, r.name, rng)
	}
	if sbs := r.SubBands(); sbs != nil {
		if _, ok := r.SubBandOf(freq, bw); !ok {
			return fmt.Errorf("%.6f MHz (%d kHz wide) is not inside one %s sub-band", float64(freq)/1e6, bw/1000, r.name)
		}
	}
	return nil
}

// MaxTxPower returns the largest radiated power (dBm) the region allows
// at freq: the sub-band's limit in EU868 and RU864 (27 dBm ERP in EU868's
// 869.4-869.65 MHz, 14 dBm elsewhere; §5.2), the regional maximum
// otherwise.
func (r *Region) MaxTxPower(freq uint32) int8 {
	if sb, ok := r.SubBandOf(freq, 0); ok {
		return sb.MaxPower
	}
	return txLimits[r.name].power
}

// DwellLimit returns the longest transmission the region allows at freq
// (0: no limit). AS923 applies the 400 ms dwell time to downlinks (the
// DownlinkDwellTime the regional parameters give it; §5.1, §5.3); US915 to
// the 125 kHz hopping channels below 915 MHz (FCC frequency-hopping
// rules), not to its 500 kHz downlink channels; AU915 likewise in its
// 125 kHz uplink channels below 923 MHz when dwell is imposed.
func (r *Region) DwellLimit(freq uint32, bw hal.Bandwidth) time.Duration {
	const dwell = 400 * time.Millisecond
	switch r.name {
	case AS923_1, AS923_2, AS923_3, AS923_4:
		return dwell
	case US915:
		if freq < 915000000 && bw == hal.BW125 {
			return dwell
		}
	case AU915:
		if freq < 923000000 && bw == hal.BW125 {
			return dwell
		}
	}
	return 0
}
