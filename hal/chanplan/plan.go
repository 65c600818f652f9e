// Package chanplan is the concentrator's receive channel plan, shared by
// the SX1302 and SX1301 drivers: two radios (RF chains), up to eight
// multi-SF LoRa BW125 channels, one LoRa service channel with a single SF
// and bandwidth, and one FSK channel. A Spec is what the operator asks for
// (frequencies, optionally radios); Resolve turns it into a Plan (radio
// centres and IF offsets) under a chip's Limits, placing radios the way
// Semtech's reference configurations place them when the Spec does not.
package chanplan

import (
	"fmt"

	"github.com/lgwagent/lgw/hal"
)

// Radio is one RF chain's receive centre frequency in Hz; 0 disables it.
type Radio struct{ Freq uint32 }

// IFChannel is one IF chain: the radio feeding it and its offset from the
// radio's centre in Hz.
type IFChannel struct {
	Enable bool
	Radio  uint8
	IF     int32
}

// MultiSFChains is the number of multi-SF LoRa chains of both chips.
const MultiSFChains = 8

// Plan is a resolved channel plan: radio centres and IF chains 0-7
// (multi-SF LoRa BW125), 8 (the LoRa service channel) and 9 (FSK).
type Plan struct {
	Radios  [2]Radio
	MultiSF [MultiSFChains]IFChannel
	Service IFChannel
	// ServiceRate is the service channel's LoRa data rate.
	ServiceRate hal.DataRate
	FSK         IFChannel
	// FSKBitRate is the FSK channel's bit rate in bit/s.
	FSKBitRate uint32
}

// Frequency returns the channel frequency and radio of IF chain 0-9.
func (p *Plan) Frequency(ifChain uint8) (uint32, uint8, bool) {
	var c IFChannel
	switch {
	case ifChain < MultiSFChains:
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

// Validate checks the plan against a chip's limits; the error names the
// channel and says why it does not fit.
func (p *Plan) Validate(l Limits) error {
	if p.Radios[0].Freq == 0 {
		return &Error{Item: "radio[0]", Msg: "frequency is required"}
	}
	check := func(item string, c IFChannel, bw hal.Bandwidth) error {
		if !c.Enable {
			return nil
		}
		if c.Radio > 1 || p.Radios[c.Radio].Freq == 0 {
			return &Error{Item: item, Msg: fmt.Sprintf("uses radio %d, which is not enabled", c.Radio)}
		}
		if edge := abs64(int64(c.IF)) + int64(bw/2); edge > int64(l.maxEdge(bw)) {
			f := int64(p.Radios[c.Radio].Freq) + int64(c.IF)
			return &Error{Item: item, Msg: fmt.Sprintf("%s is %d kHz from radio %d (%s): |IF| + BW/2 = %d kHz, the %s allows at most %d kHz",
				mhz(uint32(f)), c.IF/1000, c.Radio, mhz(p.Radios[c.Radio].Freq), edge/1000, l.Chip, l.maxEdge(bw)/1000)}
		}
		return nil
	}
	for i, c := range p.MultiSF {
		if err := check(fmt.Sprintf("channel[%d]", i), c, hal.BW125); err != nil {
			return err
		}
	}
	if p.Service.Enable {
		if err := l.checkService(p.ServiceRate); err != nil {
			return err
		}
		if err := check("service_channel", p.Service, p.ServiceRate.Bandwidth); err != nil {
			return err
		}
	}
	if p.FSK.Enable {
		if err := l.checkFSK(p.FSKBitRate); err != nil {
			return err
		}
	}
	return check("fsk_channel", p.FSK, hal.BW125)
}

// Error says which channel of a plan is wrong and why. Item is the
// configuration name under [concentrator]: "channel[2]", "service_channel",
// "fsk_channel", "radio[1]", "sub_band".
type Error struct {
	Item string
	Msg  string
}

// Error implements error.
func (e *Error) Error() string { return e.Item + ": " + e.Msg }

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// mhz formats a frequency in MHz ("868.1 MHz").
func mhz(f uint32) string {
	return fmt.Sprintf("%s MHz", trimZeros(fmt.Sprintf("%.6f", float64(f)/1e6)))
}

func trimZeros(s string) string {
	for len(s) > 0 && s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	if len(s) > 0 && s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	return s
}
