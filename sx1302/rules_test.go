package sx1302_test

import (
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/config"
	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/sx1302"
	"github.com/lgwagent/lgw/sx1302/sx1302test"
)

// reg reads a named register field from the emulator.
func reg(chip *sx1302test.Chip, name string) int {
	f := sx1302.Reg(name)
	v := int(chip.Peek(f.Addr()) & f.Mask() >> f.Offset())
	if f.Signed() && v >= 1<<(f.Width()-1) {
		v -= 1 << f.Width()
	}
	return v
}

// TestStartTuningRules starts plans no golden file covers and checks the
// plan-, SF- and bandwidth-dependent registers against the rules derived
// from the reference (written here independently of the driver).
func TestStartTuningRules(t *testing.T) {
	for _, tc := range []struct {
		name, toml string
	}{
		{"AS923-1 defaults", "[gateway]\nregion = \"AS923-1\""},
		{"AS923 eight channels", `[gateway]
region = "AS923-1"
[[concentrator.channel]]
frequency = 923200000
[[concentrator.channel]]
frequency = 923400000
[[concentrator.channel]]
frequency = 923600000
[[concentrator.channel]]
frequency = 923800000
[[concentrator.channel]]
frequency = 924000000
[[concentrator.channel]]
frequency = 924200000
[[concentrator.channel]]
frequency = 924400000
[[concentrator.channel]]
frequency = 924600000
[concentrator.service_channel]
frequency = 924500000
spreading_factor = 7
bandwidth = 250000
[concentrator.fsk_channel]
frequency = 924800000
bit_rate = 50000`},
		{"AU915 sub-band 1", "[gateway]\nregion = \"AU915\"\n[concentrator]\nsub_band = 1"},
		{"US915 sub-band 7", "[gateway]\nregion = \"US915\"\n[concentrator]\nsub_band = 7"},
		{"EU custom, service SF12 BW125", `[[concentrator.channel]]
frequency = 868100000
[[concentrator.channel]]
frequency = 868300000
[[concentrator.channel]]
frequency = 868500000
[concentrator.service_channel]
frequency = 869525000
spreading_factor = 12
bandwidth = 125000`},
		{"EU custom, service SF5 BW250", `[[concentrator.channel]]
frequency = 863500000
[[concentrator.channel]]
frequency = 864100000
[concentrator.service_channel]
frequency = 864500000
spreading_factor = 5
bandwidth = 250000`},
		{"EU custom, service SF12 BW250", `[[concentrator.channel]]
frequency = 868100000
[concentrator.service_channel]
frequency = 868300000
spreading_factor = 12
bandwidth = 250000
[concentrator.fsk_channel]
frequency = 868800000
bit_rate = 100000`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := config.Parse(tc.toml)
			if err != nil {
				t.Fatal(err)
			}
			plan, err := cfg.ChannelPlan(sx1302.Limits)
			if err != nil {
				t.Fatal(err)
			}
			v := clock.NewVirtual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
			chip := sx1302test.New(sx1302test.Config{Clock: v, Fail: t})
			dir := t.TempDir()
			if err := sx1302test.WriteSyntheticFirmware(dir); err != nil {
				t.Fatal(err)
			}
			dev, err := sx1302.New(chip, sx1302.Pins{}, sx1302.Opts{FirmwareDir: dir, Plan: plan}, v, zap.NewNop())
			if err != nil {
				t.Fatal(err)
			}
			if err := sx1302test.Pump(v, func() error { return dev.Start(t.Context()) }); err != nil {
				t.Fatal(err)
			}
			defer dev.Stop()
			checkTuning(t, chip, &plan)
		})
	}
}

func checkTuning(t *testing.T, chip *sx1302test.Chip, p *sx1302.Plan) {
	t.Helper()
	eq := func(name string, want int) {
		t.Helper()
		if got := reg(chip, name); got != want {
			t.Errorf("%s = %d, want %d", name, got, want)
		}
	}
	// Frequency-to-time drift: BW·2^20/f_radioA as mantissa·2^-exp with a
	// mantissa of 12 bits (2048-4095).
	drift := func(prefix string, bw hal.Bandwidth) {
		t.Helper()
		mant := reg(chip, prefix+"FREQ_TO_TIME0_FREQ_TO_TIME_DRIFT_MANT")<<8 | reg(chip, prefix+"FREQ_TO_TIME1_FREQ_TO_TIME_DRIFT_MANT")
		exp := reg(chip, prefix+"FREQ_TO_TIME2_FREQ_TO_TIME_DRIFT_EXP")
		exact := float64(bw) * (1 << 20) / float64(p.Radios[0].Freq)
		if mant < 2048 || mant > 4095 || float64(mant)/float64(int(1)<<exp) > exact || exact-float64(mant)/float64(int(1)<<exp) >= 1 {
			t.Errorf("%sdrift mantissa %d exponent %d for %v at radio A %d Hz (exact %.3f)", prefix, mant, exp, bw, p.Radios[0].Freq, exact)
		}
	}
	drift("RX_TOP_", hal.BW125)
	sel, en := 0, 0
	for i, c := range p.MultiSF {
		sel |= int(c.Radio) << i
		if c.Enable {
			en |= 1 << i
		}
		ifr := int(int64(c.IF) * 32 / 15625)
		got := reg(chip, "RX_TOP_FREQ_"+string(rune('0'+i))+"_MSB_IF_FREQ_"+string(rune('0'+i)))<<8 | reg(chip, "RX_TOP_FREQ_"+string(rune('0'+i))+"_LSB_IF_FREQ_"+string(rune('0'+i)))
		if got != ifr&0x1FFF {
			t.Errorf("chain %d IF register 0x%04x, want 0x%04x (%d Hz)", i, got, ifr&0x1FFF, c.IF)
		}
	}
	eq("RX_TOP_RADIO_SELECT_RADIO_SELECT", sel)
	eq("RX_TOP_CORRELATOR_EN_CORR_EN", en)
	eq("RX_TOP_CORR_CLOCK_ENABLE_CLK_EN", en)
	for sf := 5; sf <= 12; sf++ {
		ppm := 0
		if sf >= 11 {
			ppm = 1
		}
		eq("RX_TOP_MODEM_PPM_OFFSET"+map[bool]string{true: "1", false: "2"}[sf <= 8]+"_PPM_OFFSET_SF"+itoa(sf), ppm)
	}
	if !p.Service.Enable {
		eq("RX_TOP_LORA_SERVICE_FSK_TXRX_CFG1_MODEM_EN", 0)
		return
	}
	const s = "RX_TOP_LORA_SERVICE_FSK_"
	r := p.ServiceRate
	sf, bw := int(r.SpreadingFactor), r.Bandwidth
	drift(s, bw)
	ldro := sf >= 11 && bw == hal.BW125 || sf == 12 && bw == hal.BW250
	eq(s+"TXRX_CFG1_PPM_OFFSET", b2i(ldro))
	eq(s+"TXRX_CFG0_MODEM_SF", sf)
	eq(s+"TXRX_CFG0_MODEM_BW", map[hal.Bandwidth]int{hal.BW125: 4, hal.BW250: 5, hal.BW500: 6}[bw])
	pre, preamb, iEn, fine, p1 := 8, 6, 0, 0, 6
	switch {
	case sf <= 6:
		pre, preamb, fine, p1 = 12, 4, 1, 2
	case sf >= 11:
		preamb, iEn = 7, map[hal.Bandwidth]int{hal.BW125: 1, hal.BW250: 2, hal.BW500: 3}[bw]
	}
	eq(s+"TXRX_CFG6_PREAMBLE_SYMB_NB", pre)
	eq(s+"FINE_TIMING1_GAIN_P_PREAMB", preamb)
	eq(s+"FINE_TIMING2_GAIN_I_EN", iEn)
	eq(s+"TXRX_CFG2_FINE_SYNCH_EN", fine)
	eq(s+"FRAME_SYNCH0_PEAK1_POS", p1)
	eq(s+"LORA_SERVICE_RADIO_SEL_RADIO_SELECT", int(p.Service.Radio))
	if p.FSK.Enable {
		br := 32000000 / int(p.FSKBitRate)
		eq(s+"BIT_RATE_MSB_BIT_RATE", br>>8)
		eq(s+"BIT_RATE_LSB_BIT_RATE", br&0xFF)
		eq(s+"FSK_CFG_0_DCFREE_ENC", 2)
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func itoa(i int) string {
	if i >= 10 {
		return "1" + string(rune('0'+i-10))
	}
	return string(rune('0' + i))
}
