package region

import (
	"fmt"
	"time"
)

// DutyCycleWindow is the sliding window duty cycles are measured over
// (ETSI EN 300 220: one hour).
const DutyCycleWindow = time.Hour

// SubBand is a regulatory sub-band with its duty cycle and power limit.
type SubBand struct {
	// Name is "863.0-865.0" and so on.
	Name string
	// Min and Max bound the sub-band in Hz.
	Min, Max uint32
	// DutyCycle is the fraction of time on air allowed over the window
	// (0.001, 0.01, 0.1).
	DutyCycle float64
	// MaxPower is the radiated power limit in dBm ERP.
	MaxPower int8
}

// String returns the name and duty cycle.
func (s SubBand) String() string {
	return fmt.Sprintf("%s MHz (%g%%)", s.Name, s.DutyCycle*100)
}

// Budget returns the time on air the sub-band allows per window.
func (s SubBand) Budget() time.Duration {
	return time.Duration(float64(DutyCycleWindow) * s.DutyCycle)
}

// EU868 sub-bands of ETSI EN 300 220 (spec-classb-multicast.md §5.2). The
// gaps between them are not used.
var eu868SubBands = []SubBand{
	{"863.0-865.0", 863000000, 865000000, 0.001, 14},
	{"865.0-868.0", 865000000, 868000000, 0.01, 14},
	{"868.0-868.6", 868000000, 868600000, 0.01, 14},
	{"868.7-869.2", 868700000, 869200000, 0.001, 14},
	{"869.4-869.65", 869400000, 869650000, 0.1, 27},
	{"869.7-870.0", 869700000, 870000000, 0.01, 14},
}

// RU864 as LoRaMac-node's RegionRU864 models it: one band 864-870 MHz at
// 1 % and 14 dBm ERP (16 dBm EIRP, §5.3). This is the device-side model,
// not a reading of the Russian regulation; refine when that is sourced.
var ru864SubBands = []SubBand{
	{"864.0-870.0", 864000000, 870000000, 0.01, 14},
}

// SubBands returns the region's duty-cycle sub-bands, or nil when the
// region has no duty-cycle rule.
func (r *Region) SubBands() []SubBand {
	switch r.name {
	case EU868:
		return eu868SubBands
	case RU864:
		return ru864SubBands
	}
	return nil
}

// SubBandOf returns the sub-band wholly containing a channel of bandwidth
// bw (Hz) centred on freq.
func (r *Region) SubBandOf(freq, bw uint32) (SubBand, bool) {
	lo, hi := freq-bw/2, freq+bw/2
	for _, s := range r.SubBands() {
		if lo >= s.Min && hi <= s.Max {
			return s, true
		}
	}
	return SubBand{}, false
}
