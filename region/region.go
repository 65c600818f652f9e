// Package region holds the regional parameters lgw enforces and defaults
// from, by the region names of the configuration. It builds on
// brocaar/lorawan's band tables and adds what they lack.
package region

import (
	"fmt"
	"strings"

	"github.com/brocaar/lorawan"
	"github.com/brocaar/lorawan/band"

	"github.com/lgwagent/lgw/hal"
)

// Name is a region name as the configuration and the API spell it.
type Name string

// Region names.
const (
	EU868   Name = "EU868"
	US915   Name = "US915"
	AU915   Name = "AU915"
	AS923_1 Name = "AS923-1"
	AS923_2 Name = "AS923-2"
	AS923_3 Name = "AS923-3"
	AS923_4 Name = "AS923-4"
	KR920   Name = "KR920"
	IN865   Name = "IN865"
	RU864   Name = "RU864"
	CN470   Name = "CN470"
)

// Names lists every supported region, in the order the docs give them.
var Names = []Name{EU868, US915, AU915, AS923_1, AS923_2, AS923_3, AS923_4, KR920, IN865, RU864, CN470}

// NamesString returns the names joined for error messages.
func NamesString() string {
	s := make([]string, len(Names))
	for i, n := range Names {
		s[i] = string(n)
	}
	return strings.Join(s, ", ")
}

var bandNames = map[Name]band.Name{
	EU868: band.EU868, US915: band.US915, AU915: band.AU915,
	AS923_1: band.AS923, AS923_2: band.AS923_2, AS923_3: band.AS923_3, AS923_4: band.AS923_4,
	KR920: band.KR920, IN865: band.IN865, RU864: band.RU864, CN470: band.CN470,
}

// Region is one region's parameters. Use Lookup.
type Region struct {
	name         Name
	band         band.Band
	repeaterBand band.Band
}

// UnknownError says a region name is not supported.
type UnknownError struct{ Name string }

// Error implements error.
func (e *UnknownError) Error() string {
	return fmt.Sprintf("region %q is not supported (allowed: %s)", e.Name, NamesString())
}

// Lookup returns the region of a name.
func Lookup(name string) (*Region, error) {
	bn, ok := bandNames[Name(name)]
	if !ok {
		return nil, &UnknownError{Name: name}
	}
	b, err := band.GetConfig(bn, false, lorawan.DwellTimeNoLimit)
	if err != nil {
		return nil, fmt.Errorf("region %s: %w", name, err)
	}
	rb, err := band.GetConfig(bn, true, lorawan.DwellTimeNoLimit)
	if err != nil {
		return nil, fmt.Errorf("region %s: %w", name, err)
	}
	return &Region{name: Name(name), band: b, repeaterBand: rb}, nil
}

// Name returns the region's name.
func (r *Region) Name() Name { return r.name }

// String returns the name.
func (r *Region) String() string { return string(r.name) }

// Band returns the brocaar/lorawan band behind the region.
func (r *Region) Band() band.Band { return r.band }

// DataRate returns the radio settings of data rate index dr (LoRa coding
// rate 4/5), or an error when the region has no such data rate or it is
// not LoRa or FSK.
func (r *Region) DataRate(dr int) (hal.DataRate, error) {
	d, err := r.band.GetDataRate(dr)
	if err != nil {
		return hal.DataRate{}, fmt.Errorf("region %s has no data rate %d: %w", r.name, dr, err)
	}
	switch d.Modulation {
	case band.LoRaModulation:
		return hal.LoRaRate(uint8(d.SpreadFactor), hal.Bandwidth(d.Bandwidth*1000), hal.CR4_5), nil
	case band.FSKModulation:
		return hal.FSKRate(uint32(d.BitRate), uint32(d.BitRate)/2), nil
	}
	return hal.DataRate{}, fmt.Errorf("region %s data rate %d is %s, which lgw does not transmit", r.name, dr, d.Modulation)
}

// DataRateIndex returns the downlink data rate index of radio settings.
func (r *Region) DataRateIndex(d hal.DataRate) (int, error) {
	bd := band.DataRate{Modulation: band.LoRaModulation, SpreadFactor: int(d.SpreadingFactor), Bandwidth: d.Bandwidth.KHz()}
	if d.Modulation == hal.FSK {
		bd = band.DataRate{Modulation: band.FSKModulation, BitRate: int(d.BitRate)}
	}
	i, err := r.band.GetDataRateIndex(false, bd)
	if err != nil {
		return 0, fmt.Errorf("region %s: %s is not a downlink data rate: %w", r.name, d.Datr(), err)
	}
	return i, nil
}

// MaxPayload returns N, the largest application payload (FRMPayload with
// no FOpts) at data rate dr: the non-repeater table of the latest regional
// parameters, except at US915/AU915 DR8 (SF12BW500), whose size grew in
// RP002-1.0.2. There a device of unknown revision may still enforce the
// older repeater-compatible 33 bytes, the figure the seed guide quotes
// (spec-classb-multicast.md §5.1), so lgw keeps to it. This gives the
// seeds' figures: 33 B at US915 DR8, 51 B at EU868 DR0, 242 B at the
// highest data rates.
func (r *Region) MaxPayload(dr int) (int, error) {
	m, err := r.band.GetMaxPayloadSizeForDataRateIndex("", "", dr)
	if err != nil {
		return 0, fmt.Errorf("region %s has no payload size for data rate %d: %w", r.name, dr, err)
	}
	if (r.name == US915 || r.name == AU915) && dr == 8 {
		old, err := r.repeaterBand.GetMaxPayloadSizeForDataRateIndex(band.LoRaWAN_1_0_3, band.RegParamRevB, dr)
		if err == nil && old.N < m.N {
			return old.N, nil
		}
	}
	return m.N, nil
}

// RX2 returns the region's RX2 frequency and data rate index.
func (r *Region) RX2() (freq uint32, dr int) {
	d := r.band.GetDefaults()
	return d.RX2Frequency, d.RX2DataRate
}
