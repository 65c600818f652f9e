package chanplan

import (
	"fmt"
	"sort"

	"github.com/lgwagent/lgw/hal"
)

// Auto is a Spec radio index meaning "place automatically".
const Auto = -1

// Spec is a channel plan as the operator writes it: channel frequencies
// and, optionally, the radio centres and which radio feeds a channel.
type Spec struct {
	// Radios are the radio centre frequencies in Hz (index 0 = radio A,
	// the clock and TX radio). Empty: placed automatically.
	Radios []uint32
	// Channels are the multi-SF LoRa BW125 channels (at most 8).
	Channels []Channel
	// Service is the LoRa service channel (nil: none).
	Service *Service
	// FSK is the FSK channel (nil: none).
	FSK *FSK
}

// Channel is one multi-SF LoRa BW125 channel.
type Channel struct {
	// Freq is the channel centre in Hz.
	Freq uint32
	// Radio is 0 or 1, or Auto.
	Radio int
}

// Service is the LoRa service channel: one SF and bandwidth.
type Service struct {
	Channel
	SpreadingFactor uint8
	Bandwidth       hal.Bandwidth
}

// FSK is the FSK channel.
type FSK struct {
	Channel
	BitRate uint32
}

// item is one channel to place, with its plan slot.
type item struct {
	name  string
	freq  uint32
	bw    hal.Bandwidth
	radio int
	multi bool
	set   func(*Plan, IFChannel)
}

func (s *Spec) items() ([]item, error) {
	if len(s.Channels) > MultiSFChains {
		return nil, &Error{Item: fmt.Sprintf("channel[%d]", MultiSFChains), Msg: fmt.Sprintf("%d channels given: the concentrator has %d multi-SF chains", len(s.Channels), MultiSFChains)}
	}
	var its []item
	for i, c := range s.Channels {
		i := i
		its = append(its, item{fmt.Sprintf("channel[%d]", i), c.Freq, hal.BW125, c.Radio, true,
			func(p *Plan, ic IFChannel) { p.MultiSF[i] = ic }})
	}
	if s.Service != nil {
		its = append(its, item{"service_channel", s.Service.Freq, s.Service.Bandwidth, s.Service.Radio, false,
			func(p *Plan, ic IFChannel) { p.Service = ic }})
	}
	if s.FSK != nil {
		its = append(its, item{"fsk_channel", s.FSK.Freq, hal.BW125, s.FSK.Radio, false,
			func(p *Plan, ic IFChannel) { p.FSK = ic }})
	}
	for _, it := range its {
		if it.freq < 100e6 || it.freq > 1100e6 {
			return nil, &Error{Item: it.name, Msg: fmt.Sprintf("frequency %d Hz: want 100 to 1100 MHz", it.freq)}
		}
		if it.radio != Auto && (it.radio < 0 || it.radio > 1) {
			return nil, &Error{Item: it.name, Msg: fmt.Sprintf("radio %d: want 0 or 1", it.radio)}
		}
		if it.radio != Auto && len(s.Radios) == 0 {
			return nil, &Error{Item: it.name, Msg: fmt.Sprintf("radio %d given, but no radio frequencies ([[concentrator.radio]])", it.radio)}
		}
	}
	return its, nil
}

// Resolve places the channels on radios and checks the result against the
// chip's limits. With radios given, a channel without a radio goes to the
// nearest radio that passes it; without radios, see place.
func Resolve(s Spec, l Limits) (Plan, error) {
	var p Plan
	its, err := s.items()
	if err != nil {
		return p, err
	}
	if len(its) == 0 {
		return p, &Error{Item: "channel", Msg: "no channels"}
	}
	if s.Service != nil {
		p.ServiceRate = hal.LoRaRate(s.Service.SpreadingFactor, s.Service.Bandwidth, hal.CR4_5)
		if err := l.checkService(p.ServiceRate); err != nil {
			return p, err
		}
	}
	if s.FSK != nil {
		p.FSKBitRate = s.FSK.BitRate
		if err := l.checkFSK(p.FSKBitRate); err != nil {
			return p, err
		}
	}
	switch {
	case len(s.Radios) > 2:
		return p, &Error{Item: "radio[2]", Msg: "the concentrator has two radios"}
	case len(s.Radios) > 0:
		for i, f := range s.Radios {
			if f != 0 && (f < 100e6 || f > 1100e6) {
				return p, &Error{Item: fmt.Sprintf("radio[%d]", i), Msg: fmt.Sprintf("frequency %d Hz: want 100 to 1100 MHz", f)}
			}
			p.Radios[i].Freq = f
		}
	default:
		p.Radios = place(its, l)
	}
	for _, it := range its {
		ic, err := assign(&p, it, l)
		if err != nil {
			return p, err
		}
		it.set(&p, ic)
	}
	return p, p.Validate(l)
}

// assign puts one channel on its radio, or on the nearest radio passing it.
func assign(p *Plan, it item, l Limits) (IFChannel, error) {
	off := func(r int) int64 { return int64(it.freq) - int64(p.Radios[r].Freq) }
	if it.radio != Auto {
		if p.Radios[it.radio].Freq == 0 {
			return IFChannel{}, &Error{Item: it.name, Msg: fmt.Sprintf("radio %d is not enabled", it.radio)}
		}
		return IFChannel{Enable: true, Radio: uint8(it.radio), IF: int32(off(it.radio))}, nil
	}
	best := -1
	for r := range p.Radios {
		if p.Radios[r].Freq == 0 || abs64(off(r))+int64(it.bw/2) > int64(l.maxEdge(it.bw)) {
			continue
		}
		if best < 0 || abs64(off(r)) < abs64(off(best)) {
			best = r
		}
	}
	if best < 0 {
		return IFChannel{}, &Error{Item: it.name, Msg: fmt.Sprintf("%s (%s) is out of reach of both radios (%s, %s): |IF| + BW/2 must be at most %d kHz on the %s",
			mhz(it.freq), it.bw, mhz(p.Radios[0].Freq), mhz(p.Radios[1].Freq), l.maxEdge(it.bw)/1000, l.Chip)}
	}
	return IFChannel{Enable: true, Radio: uint8(best), IF: int32(off(best))}, nil
}

// place chooses the radio centres for channels given without radios, as
// Semtech's reference configurations do: the channels, in frequency order,
// are split into a lower group on radio A and an upper group on radio B
// at the split that keeps the farthest channel edge closest to its radio
// (ties: the split with the most even number of multi-SF channels, then
// the one with more channels on radio A); each radio is centred on its
// group's edges, rounded to 100 kHz when the group still fits. (EU868:
// 867.1-867.9 on A at 867.5 MHz; 868.1-868.5, the service channel and FSK
// 868.8 on B at 868.5 MHz. US915 sub-band 2: 903.9-904.5 and the 500 kHz
// channel on A at 904.3 MHz; 904.7-905.3 on B at 905.0 MHz.)
func place(its []item, l Limits) [2]Radio {
	s := append([]item(nil), its...)
	sort.SliceStable(s, func(i, j int) bool { return s[i].freq < s[j].freq })
	var best [2]Radio
	bestCost, bestImb := int64(-1), 0
	for k := 1; k <= len(s); k++ {
		c0, e0 := centre(s[:k], l)
		c1, e1 := centre(s[k:], l)
		cost := max(e0, e1)
		imb := multiCount(s[:k]) - multiCount(s[k:])
		if imb < 0 {
			imb = -imb
		}
		if bestCost < 0 || cost < bestCost || cost == bestCost && imb <= bestImb {
			best, bestCost, bestImb = [2]Radio{{c0}, {c1}}, cost, imb
		}
	}
	return best
}

func multiCount(s []item) int {
	n := 0
	for _, it := range s {
		if it.multi {
			n++
		}
	}
	return n
}

// centre returns the centre for a group (0 for none) and its farthest
// edge from it.
func centre(s []item, l Limits) (uint32, int64) {
	if len(s) == 0 {
		return 0, 0
	}
	lo, hi := int64(s[0].freq)-int64(s[0].bw/2), int64(0)
	for _, it := range s {
		lo = min(lo, int64(it.freq)-int64(it.bw/2))
		hi = max(hi, int64(it.freq)+int64(it.bw/2))
	}
	c := (lo + hi) / 2
	if r := (c + 50000) / 100000 * 100000; fits(s, r, l) {
		c = r
	}
	return uint32(c), max(c-lo, hi-c)
}

func fits(s []item, c int64, l Limits) bool {
	for _, it := range s {
		if abs64(int64(it.freq)-c)+int64(it.bw/2) > int64(l.maxEdge(it.bw)) {
			return false
		}
	}
	return true
}
