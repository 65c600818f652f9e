package config

import (
	"errors"
	"fmt"

	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/hal/chanplan"
	"github.com/lgwagent/lgw/region"
)

// RadioConf is one [[concentrator.radio]]: a radio's centre frequency.
type RadioConf struct {
	// Frequency is the centre frequency in Hz.
	Frequency uint32 `toml:"frequency"`
}

// ChannelConf is one [[concentrator.channel]]: a multi-SF LoRa BW125
// channel.
type ChannelConf struct {
	// Frequency is the channel centre in Hz.
	Frequency uint32 `toml:"frequency"`
	// Radio is 0 or 1 (needs [[concentrator.radio]]); absent: the
	// nearest radio, or radios placed automatically.
	Radio *int `toml:"radio"`
}

// ServiceChannelConf is [concentrator.service_channel]: the LoRa channel
// with one spreading factor and bandwidth.
type ServiceChannelConf struct {
	Frequency       uint32 `toml:"frequency"`
	Radio           *int   `toml:"radio"`
	SpreadingFactor uint8  `toml:"spreading_factor"`
	// Bandwidth in Hz: 125000, 250000 or 500000.
	Bandwidth uint32 `toml:"bandwidth"`
}

// FSKChannelConf is [concentrator.fsk_channel].
type FSKChannelConf struct {
	Frequency uint32 `toml:"frequency"`
	Radio     *int   `toml:"radio"`
	// BitRate in bit/s.
	BitRate uint32 `toml:"bit_rate"`
}

// ChannelSpec returns the receive channel plan the configuration asks
// for: the explicit [[concentrator.channel]] list (with the optional
// radios, service and FSK channels), or else the region's default plan
// (with concentrator.sub_band for US915/AU915). Errors name the key.
func (c *Config) ChannelSpec() (chanplan.Spec, error) {
	cc := &c.Concentrator
	r, err := region.Lookup(c.Gateway.Region)
	if err != nil {
		return chanplan.Spec{}, &Error{Key: "gateway.region", Msg: err.Error()}
	}
	if len(cc.Channels) == 0 {
		for _, k := range []struct {
			key string
			set bool
		}{{"radio", len(cc.Radios) > 0}, {"service_channel", cc.ServiceChannel != nil}, {"fsk_channel", cc.FSKChannel != nil}} {
			if k.set {
				return chanplan.Spec{}, &Error{Key: "concentrator." + k.key, Msg: "needs an explicit channel list ([[concentrator.channel]])"}
			}
		}
		s, err := chanplan.ForRegion(r, cc.SubBand)
		return s, planError(err)
	}
	if cc.SubBand != 0 {
		return chanplan.Spec{}, &Error{Key: "concentrator.sub_band", Msg: "give either sub_band or [[concentrator.channel]], not both"}
	}
	var s chanplan.Spec
	for _, r := range cc.Radios {
		s.Radios = append(s.Radios, r.Frequency)
	}
	for _, ch := range cc.Channels {
		s.Channels = append(s.Channels, chanplan.Channel{Freq: ch.Frequency, Radio: radioIndex(ch.Radio)})
	}
	if sc := cc.ServiceChannel; sc != nil {
		s.Service = &chanplan.Service{Channel: chanplan.Channel{Freq: sc.Frequency, Radio: radioIndex(sc.Radio)},
			SpreadingFactor: sc.SpreadingFactor, Bandwidth: hal.Bandwidth(sc.Bandwidth)}
	}
	if fc := cc.FSKChannel; fc != nil {
		s.FSK = &chanplan.FSK{Channel: chanplan.Channel{Freq: fc.Frequency, Radio: radioIndex(fc.Radio)}, BitRate: fc.BitRate}
	}
	return s, nil
}

// ChannelPlan resolves ChannelSpec under a chip's limits.
func (c *Config) ChannelPlan(l chanplan.Limits) (chanplan.Plan, error) {
	s, err := c.ChannelSpec()
	if err != nil {
		return chanplan.Plan{}, err
	}
	p, err := chanplan.Resolve(s, l)
	return p, planError(err)
}

func radioIndex(r *int) int {
	if r == nil {
		return chanplan.Auto
	}
	return *r
}

// planError turns a chanplan error into an Error naming the key.
func planError(err error) error {
	var pe *chanplan.Error
	if errors.As(err, &pe) {
		return &Error{Key: "concentrator." + pe.Item, Msg: pe.Msg}
	}
	if err != nil {
		return fmt.Errorf("concentrator channels: %w", err)
	}
	return nil
}
