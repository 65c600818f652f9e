package chanplan_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/hal/chanplan"
	"github.com/lgwagent/lgw/region"
)

// want lists a plan as radio centres and channel (radio, IF) pairs.
type want struct {
	radios  [2]uint32
	multi   []chanplan.IFChannel
	service chanplan.IFChannel
	fsk     chanplan.IFChannel
}

func on(radio uint8, ifHz int32) chanplan.IFChannel {
	return chanplan.IFChannel{Enable: true, Radio: radio, IF: ifHz}
}

func spec(t *testing.T, name region.Name, subBand int) chanplan.Spec {
	t.Helper()
	r, err := region.Lookup(string(name))
	if err != nil {
		t.Fatal(err)
	}
	s, err := chanplan.ForRegion(r, subBand)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestResolvePlacesRadiosAsReference(t *testing.T) {
	for _, tc := range []struct {
		name string
		spec chanplan.Spec
		want want
	}{
		// Semtech global_conf.json.sx1250.EU868: 868.1 MHz on radio B at
		// -400 kHz, not on radio A at +600 kHz.
		{"EU868", spec(t, region.EU868, 0), want{[2]uint32{867500000, 868500000},
			[]chanplan.IFChannel{on(0, -400000), on(0, -200000), on(0, 0), on(0, 200000), on(0, 400000), on(1, -400000), on(1, -200000), on(1, 0)},
			on(1, -200000), on(1, 300000)}},
		// global_conf.json.sx1250.US915 (sub-band 2).
		{"US915 sub-band 2", spec(t, region.US915, 0), want{[2]uint32{904300000, 905000000},
			[]chanplan.IFChannel{on(0, -400000), on(0, -200000), on(0, 0), on(0, 200000), on(1, -300000), on(1, -100000), on(1, 100000), on(1, 300000)},
			on(0, 300000), chanplan.IFChannel{}}},
		{"US915 sub-band 1", spec(t, region.US915, 1), want{[2]uint32{902700000, 903400000},
			[]chanplan.IFChannel{on(0, -400000), on(0, -200000), on(0, 0), on(0, 200000), on(1, -300000), on(1, -100000), on(1, 100000), on(1, 300000)},
			on(0, 300000), chanplan.IFChannel{}}},
		// AU915 sub-band 2: channels 8-15 (916.8-918.2 MHz) and 65 (917.5 MHz).
		{"AU915 sub-band 2", spec(t, region.AU915, 2), want{[2]uint32{917200000, 917900000},
			[]chanplan.IFChannel{on(0, -400000), on(0, -200000), on(0, 0), on(0, 200000), on(1, -300000), on(1, -100000), on(1, 100000), on(1, 300000)},
			on(0, 300000), chanplan.IFChannel{}}},
		// AS923-1 defaults: 923.2 and 923.4 MHz, one on each radio.
		{"AS923-1", spec(t, region.AS923_1, 0), want{[2]uint32{923200000, 923400000},
			[]chanplan.IFChannel{on(0, 0), on(1, 0)}, chanplan.IFChannel{}, chanplan.IFChannel{}}},
		// An eight-channel AS923 plan, 923.2-924.6 MHz.
		{"AS923 eight channels", chanplan.Spec{Channels: chs(923200000, 923400000, 923600000, 923800000, 924000000, 924200000, 924400000, 924600000)},
			want{[2]uint32{923500000, 924300000},
				[]chanplan.IFChannel{on(0, -300000), on(0, -100000), on(0, 100000), on(0, 300000), on(1, -300000), on(1, -100000), on(1, 100000), on(1, 300000)},
				chanplan.IFChannel{}, chanplan.IFChannel{}}},
		// Explicit radios: each channel goes to the nearest radio.
		{"custom EU, radios given", chanplan.Spec{Radios: []uint32{868300000, 869300000},
			Channels: chs(868100000, 868300000, 868500000, 869525000),
			FSK:      &chanplan.FSK{Channel: chanplan.Channel{Freq: 868800000, Radio: chanplan.Auto}, BitRate: 50000}},
			want{[2]uint32{868300000, 869300000},
				[]chanplan.IFChannel{on(0, -200000), on(0, 0), on(0, 200000), on(1, 225000)},
				chanplan.IFChannel{}, on(0, 500000)}},
		{"radio forced", chanplan.Spec{Radios: []uint32{867500000, 868500000},
			Channels: []chanplan.Channel{{Freq: 868100000, Radio: 0}}},
			want{[2]uint32{867500000, 868500000}, []chanplan.IFChannel{on(0, 600000)}, chanplan.IFChannel{}, chanplan.IFChannel{}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := chanplan.Resolve(tc.spec, chanplan.SX1302)
			if err != nil {
				t.Fatal(err)
			}
			if p.Radios[0].Freq != tc.want.radios[0] || p.Radios[1].Freq != tc.want.radios[1] {
				t.Errorf("radios %d, %d; want %d, %d", p.Radios[0].Freq, p.Radios[1].Freq, tc.want.radios[0], tc.want.radios[1])
			}
			for i := range p.MultiSF {
				var w chanplan.IFChannel
				if i < len(tc.want.multi) {
					w = tc.want.multi[i]
				}
				if p.MultiSF[i] != w {
					t.Errorf("channel %d: %+v, want %+v", i, p.MultiSF[i], w)
				}
			}
			if p.Service != tc.want.service || p.FSK != tc.want.fsk {
				t.Errorf("service %+v fsk %+v; want %+v %+v", p.Service, p.FSK, tc.want.service, tc.want.fsk)
			}
		})
	}
}

func chs(fs ...uint32) []chanplan.Channel {
	c := make([]chanplan.Channel, len(fs))
	for i, f := range fs {
		c[i] = chanplan.Channel{Freq: f, Radio: chanplan.Auto}
	}
	return c
}

func TestResolveNamesTheChannelThatDoesNotFit(t *testing.T) {
	sx1301 := chanplan.Limits{Chip: "SX1301", MaxEdge: map[hal.Bandwidth]uint32{hal.BW125: 462500, hal.BW250: 500000, hal.BW500: 550000},
		ServiceSF: [2]uint8{7, 12}, FSKBitRate: [2]uint32{500, 250000}}
	for _, tc := range []struct {
		name   string
		spec   chanplan.Spec
		limits chanplan.Limits
		item   string
		why    string
	}{
		{"too far", chanplan.Spec{Radios: []uint32{867500000}, Channels: chs(867100000, 868500000)}, chanplan.SX1302,
			"channel[1]", "out of reach of both radios"},
		{"spread", chanplan.Spec{Channels: chs(863100000, 866000000, 869000000)}, chanplan.SX1302, "channel[", "at most 800 kHz"},
		{"forced radio", chanplan.Spec{Radios: []uint32{867500000, 868500000}, Channels: []chanplan.Channel{{Freq: 868400000, Radio: 0}}},
			chanplan.SX1302, "channel[0]", "868.4 MHz is 900 kHz from radio 0 (867.5 MHz)"},
		{"nine", chanplan.Spec{Channels: chs(1e9, 1e9, 1e9, 1e9, 1e9, 1e9, 1e9, 1e9, 1e9)}, chanplan.SX1302, "channel[8]", "8 multi-SF chains"},
		{"radio without radios", chanplan.Spec{Channels: []chanplan.Channel{{Freq: 868100000, Radio: 1}}}, chanplan.SX1302,
			"channel[0]", "no radio frequencies"},
		{"service SF5 on SX1301", chanplan.Spec{Channels: chs(868100000),
			Service: &chanplan.Service{Channel: chanplan.Channel{Freq: 868300000, Radio: chanplan.Auto}, SpreadingFactor: 5, Bandwidth: hal.BW125}},
			sx1301, "service_channel", "the SX1301 takes 7 to 12"},
		{"FSK rate", chanplan.Spec{Channels: chs(868100000), FSK: &chanplan.FSK{Channel: chanplan.Channel{Freq: 868800000, Radio: chanplan.Auto}, BitRate: 300000}},
			chanplan.SX1302, "fsk_channel", "bit rate 300000"},
		{"SX1301 narrower radios", chanplan.Spec{Radios: []uint32{867500000, 868500000}, Channels: chs(867000000)}, sx1301,
			"channel[0]", "at most 462 kHz on the SX1301"},
		{"no channels", chanplan.Spec{}, chanplan.SX1302, "channel", "no channels"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := chanplan.Resolve(tc.spec, tc.limits)
			var pe *chanplan.Error
			if !errors.As(err, &pe) || !strings.HasPrefix(pe.Item, tc.item) || !strings.Contains(pe.Msg, tc.why) {
				t.Fatalf("error %v; want %s: ...%s...", err, tc.item, tc.why)
			}
		})
	}
}

func TestForRegionSubBand(t *testing.T) {
	eu, _ := region.Lookup(string(region.EU868))
	if _, err := chanplan.ForRegion(eu, 2); err == nil || !strings.Contains(err.Error(), "sub_band") {
		t.Errorf("sub_band in EU868: %v", err)
	}
	us, _ := region.Lookup(string(region.US915))
	if _, err := chanplan.ForRegion(us, 9); err == nil || !strings.Contains(err.Error(), "sub_band: 9") {
		t.Errorf("sub_band 9: %v", err)
	}
	s, err := chanplan.ForRegion(us, 8)
	if err != nil || s.Channels[0].Freq != 913500000 || s.Channels[7].Freq != 914900000 || s.Service.Freq != 914200000 {
		t.Errorf("sub-band 8: %+v %v", s, err)
	}
	for _, n := range region.Names {
		r, _ := region.Lookup(string(n))
		s, err := chanplan.ForRegion(r, 0)
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		if _, err := chanplan.Resolve(s, chanplan.SX1302); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
}
