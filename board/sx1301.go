package board

import (
	"errors"

	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/hal/chanplan"
	"github.com/lgwagent/lgw/region"
	"github.com/lgwagent/lgw/sx1301"
)

// SX1301Profile is what an SX1301 board has in one band (sx1301.md §5):
// radio type, RSSI offset, TX gain table and TX range.
type SX1301Profile struct {
	Radio      sx1301.RadioType
	RSSIOffset float32
	TxGains    []sx1301.TxGain
	TxFreq     hal.FreqRange
}

// sx1301Board is an SX1301 board's wiring and per-band calibration.
type sx1301Board struct {
	name, desc string
	reset      string
	// speed is the fastest SPI clock the board is run at: 8 MHz is the
	// reference, RAK's own software stays at 2 MHz on their HATs.
	speed int
	// profile gives the band's calibration.
	profile func(region.Name) SX1301Profile
}

// TX gain tables (pa, mix, dig) -> dBm, DAC gain 3 (sx1301.md §5.3).
func lut(e ...[4]int) []sx1301.TxGain {
	out := make([]sx1301.TxGain, len(e))
	for i, x := range e {
		out[i] = sx1301.TxGain{PA: uint8(x[0]), Mix: uint8(x[1]), Dig: uint8(x[2]), Power: int8(x[3])}
	}
	return out
}

var (
	// lutRAK2245EU is RAK's EU868 table for the RAK831/RAK2245.
	lutRAK2245EU = lut([4]int{0, 9, 0, -6}, [4]int{0, 12, 0, -3}, [4]int{0, 15, 0, 0}, [4]int{1, 8, 1, 3}, [4]int{1, 9, 0, 6},
		[4]int{1, 11, 0, 10}, [4]int{1, 12, 1, 11}, [4]int{1, 12, 0, 12}, [4]int{2, 11, 1, 13}, [4]int{2, 11, 0, 14},
		[4]int{3, 8, 1, 16}, [4]int{3, 8, 0, 20}, [4]int{3, 12, 1, 23}, [4]int{3, 13, 0, 25}, [4]int{3, 13, 0, 26}, [4]int{3, 13, 0, 27})
	// lutRAK2247EU is RAK's EU868 table for the RAK833/RAK2247 (SPI).
	lutRAK2247EU = lut([4]int{0, 10, 0, -6}, [4]int{0, 14, 0, -3}, [4]int{1, 8, 3, 0}, [4]int{2, 9, 3, 3}, [4]int{1, 9, 1, 6},
		[4]int{2, 9, 0, 10}, [4]int{2, 10, 0, 11}, [4]int{2, 11, 0, 12}, [4]int{2, 12, 1, 13}, [4]int{2, 12, 0, 14},
		[4]int{3, 8, 1, 16}, [4]int{3, 10, 0, 20}, [4]int{3, 12, 0, 23}, [4]int{3, 14, 0, 25}, [4]int{3, 14, 0, 26}, [4]int{3, 14, 0, 27})
	// lutE286 is Semtech's AP1 (PCB_E286) table, up to 20 dBm.
	lutE286 = lut([4]int{0, 8, 0, -6}, [4]int{0, 10, 0, -3}, [4]int{0, 12, 0, 0}, [4]int{1, 8, 0, 3}, [4]int{1, 10, 0, 6},
		[4]int{1, 12, 0, 10}, [4]int{1, 13, 0, 11}, [4]int{2, 9, 0, 12}, [4]int{1, 15, 0, 13}, [4]int{2, 10, 0, 14},
		[4]int{2, 11, 0, 16}, [4]int{3, 9, 0, 20})
	// lutIMST is the iC880A table of IMST's Lite Gateway guide: no more
	// gain above about 20 dBm.
	lutIMST = lut([4]int{0, 8, 2, -6}, [4]int{0, 11, 3, -3}, [4]int{0, 10, 0, 0}, [4]int{0, 14, 1, 3}, [4]int{2, 8, 3, 6},
		[4]int{2, 8, 2, 10}, [4]int{2, 8, 1, 11}, [4]int{2, 9, 2, 12}, [4]int{2, 11, 3, 13}, [4]int{2, 10, 2, 14},
		[4]int{2, 11, 2, 16}, [4]int{2, 12, 0, 20}, [4]int{2, 12, 0, 23}, [4]int{2, 12, 0, 25}, [4]int{2, 12, 0, 26}, [4]int{2, 12, 0, 27})
	// lutRAK2245US and lutRAK2247US are RAK's tables for the 915 MHz
	// bands (US915, AU915, AS923, KR920; lora/rak7243 and
	// lora/rak2247_spi global_conf.us_902_928.json).
	lutRAK2245US = lut([4]int{0, 9, 0, -6}, [4]int{0, 11, 0, -3}, [4]int{0, 15, 0, 0}, [4]int{1, 8, 0, 3}, [4]int{1, 10, 0, 6},
		[4]int{1, 13, 1, 10}, [4]int{1, 14, 0, 11}, [4]int{2, 10, 0, 12}, [4]int{2, 10, 0, 13}, [4]int{2, 11, 1, 14},
		[4]int{2, 12, 0, 16}, [4]int{3, 9, 1, 20}, [4]int{3, 11, 1, 23}, [4]int{3, 12, 1, 25}, [4]int{3, 13, 1, 26}, [4]int{3, 13, 0, 27})
	lutRAK2247US = lut([4]int{0, 8, 0, -6}, [4]int{0, 10, 0, -3}, [4]int{0, 14, 0, 0}, [4]int{1, 8, 2, 3}, [4]int{1, 8, 1, 6},
		[4]int{1, 9, 1, 10}, [4]int{1, 9, 0, 11}, [4]int{2, 8, 0, 12}, [4]int{2, 9, 1, 13}, [4]int{2, 9, 0, 14},
		[4]int{2, 10, 0, 16}, [4]int{3, 8, 0, 20}, [4]int{3, 10, 0, 23}, [4]int{3, 12, 0, 25}, [4]int{3, 13, 0, 26}, [4]int{3, 13, 0, 27})
	// lutRAK2245CN and lutRAK2247CN are RAK's CN470 (SX1255) tables
	// (rak_common_for_gateway lora/rak7243 and lora/rak2247_spi
	// global_conf.cn_470_510.json).
	lutRAK2245CN = lut([4]int{0, 8, 0, -6}, [4]int{0, 9, 0, -3}, [4]int{0, 13, 0, 0}, [4]int{1, 8, 1, 3}, [4]int{1, 9, 0, 6},
		[4]int{2, 8, 1, 10}, [4]int{2, 8, 0, 11}, [4]int{2, 9, 1, 12}, [4]int{2, 9, 0, 13}, [4]int{2, 11, 2, 14},
		[4]int{2, 11, 0, 16}, [4]int{3, 9, 0, 20}, [4]int{3, 11, 0, 23}, [4]int{3, 15, 0, 25}, [4]int{3, 15, 0, 26}, [4]int{3, 15, 0, 27})
	lutRAK2247CN = lut([4]int{0, 8, 0, -6}, [4]int{0, 9, 0, -3}, [4]int{0, 12, 0, 0}, [4]int{1, 8, 0, 3}, [4]int{1, 8, 2, 6},
		[4]int{1, 8, 1, 10}, [4]int{1, 8, 0, 11}, [4]int{2, 9, 1, 12}, [4]int{2, 9, 0, 13}, [4]int{2, 10, 2, 14},
		[4]int{2, 10, 0, 16}, [4]int{3, 9, 0, 20}, [4]int{3, 12, 0, 23}, [4]int{3, 13, 0, 25}, [4]int{3, 13, 0, 26}, [4]int{3, 13, 0, 27})
	// lutHALDefault is libloragw's table when none is configured: used
	// for CN470 on the boards whose SX1255 tables are not among the facts.
	lutHALDefault = lut([4]int{2, 10, 0, 14}, [4]int{3, 14, 0, 27})
)

var (
	txSX1257 = hal.FreqRange{Min: 863e6, Max: 928e6}
	txSX1255 = hal.FreqRange{Min: 470e6, Max: 510e6}
)

// fixed is a profile that is the same in every SX1257 band; CN470 takes
// SX1255 radios with cn470Offset and the HAL's default table (no vendor
// table among the facts).
func fixed(rssi float32, gains []sx1301.TxGain, cn470Offset float32) func(region.Name) SX1301Profile {
	return bands(rssi, rssi, cn470Offset, gains, gains, lutHALDefault)
}

// bands is a vendor's per-band calibration: one table and offset for
// the 868 MHz bands (EU868, IN865, RU864), one for the 915 MHz bands
// (US915, AU915, AS923, KR920), SX1255 radios for CN470.
func bands(eu, us, cn float32, euGains, usGains, cnGains []sx1301.TxGain) func(region.Name) SX1301Profile {
	return func(n region.Name) SX1301Profile {
		switch n {
		case region.CN470:
			return SX1301Profile{Radio: sx1301.SX1255, RSSIOffset: cn, TxGains: cnGains, TxFreq: txSX1255}
		case region.EU868, region.IN865, region.RU864:
			return SX1301Profile{Radio: sx1301.SX1257, RSSIOffset: eu, TxGains: euGains, TxFreq: txSX1257}
		}
		return SX1301Profile{Radio: sx1301.SX1257, RSSIOffset: us, TxGains: usGains, TxFreq: txSX1257}
	}
}

var (
	// rak2245 is the RAK831/RAK2245 calibration (RAK's rak7243 configs).
	rak2245 = bands(-166, -166, -176, lutRAK2245EU, lutRAK2245US, lutRAK2245CN)
	// rak2247 is the RAK833/RAK2247 (SPI) calibration: −158 dB in the 868
	// bands, −159 dB in the 915 bands, −171 dB with SX1255 in CN470.
	rak2247 = bands(-158, -159, -171, lutRAK2247EU, lutRAK2247US, lutRAK2247CN)
)

// sx1301Boards lists the SX1301 boards (sx1301.md §5): all on
// /dev/spidev0.0, two radios with radio B supplying the clock, TX on
// radio A, no FPGA.
func sx1301Boards() []sx1301Board {
	return []sx1301Board{
		{"rak831", "RAK831 pilot gateway HAT (SX1301, SX1257): reset GPIO17", "GPIO17", 2000000, rak2245},
		{"rak2245", "RAK2245 Pi HAT (SX1301; SX1257, SX1255 on CN470): reset GPIO17", "GPIO17", 2000000, rak2245},
		{"rak2247-spi", "RAK2247 mPCIe, SPI variant, on RAK's adapter (SX1301): reset GPIO17", "GPIO17", 2000000, rak2247},
		{"rak833-spi", "RAK833 mPCIe, SPI variant, on RAK's adapter (SX1301): reset GPIO17", "GPIO17", 2000000, rak2247},
		{"pi-supply-lora-hat", "Pi Supply LoRa Gateway HAT with a RAK833-SPI: reset GPIO22", "GPIO22", 2000000, rak2247},
		{"ic880a-spi", "IMST iC880A-SPI wired by hand (TTN Zürich guide): reset GPIO25, set reset_line if wired otherwise", "GPIO25", 8000000, fixed(-166, sx1301.DefaultTxGains(), -166)},
		{"imst-lite", "IMST Lite Gateway (Pi + iC880A): reset GPIO5", "GPIO5", 8000000, fixed(-166, lutIMST, -166)},
		{"rhf0m301", "RisingHF RHF0M301 (SX1301, SX1257): reset GPIO7", "GPIO7", 8000000, fixed(-166, lutE286, -166)},
		{"generic-sx1301", "SX1301 board with SX1257 radios wired by hand (Semtech reference values): set spi_device, reset_line", "GPIO7", 8000000, SX1301Reference},
	}
}

// sx1301HardwareBoards turns the table into boards.
func sx1301HardwareBoards() []*Board {
	var out []*Board
	for _, sb := range sx1301Boards() {
		sb := sb
		pr := sb.profile(region.EU868)
		out = append(out, &Board{Name: sb.name, Description: sb.desc, Chip: "sx1301", RSSIOffset: pr.RSSIOffset,
			TxGains: SX1301HalGains(pr.TxGains), TxFreq: pr.TxFreq, MaxSPISpeed: sb.speed,
			open: func(p Params, b *Board) (Hardware, error) { return openSX1301(p, b, sb) }})
	}
	return out
}

// SX1301HalGains converts the driver's TX gain table to the board's.
func SX1301HalGains(g []sx1301.TxGain) []hal.TxGain {
	out := make([]hal.TxGain, len(g))
	for i, e := range g {
		out[i] = hal.TxGain{Power: e.Power}
	}
	return out
}

// SX1301Reference is the profile of Semtech's reference design in a
// band (generic-sx1301, sx1301-emulated).
func SX1301Reference(n region.Name) SX1301Profile {
	return fixed(-166, sx1301.DefaultTxGains(), -176)(n)
}

// SX1301Opts builds the driver options of a profile from the daemon's
// parameters: the configured (or the region's) channel plan under the
// SX1301's limits, the band's calibration, radio B as clock source.
func SX1301Opts(p Params, pr SX1301Profile) (sx1301.Opts, error) {
	if p.Region == nil {
		return sx1301.Opts{}, errors.New("a region is required for the channel plan")
	}
	plan, err := p.ChannelPlan(sx1301.Limits)
	if err != nil {
		return sx1301.Opts{}, err
	}
	off := pr.RSSIOffset
	if p.RSSIOffset != 0 {
		off = float32(p.RSSIOffset)
	}
	o := sx1301.Opts{FirmwareDir: p.FirmwareDir, Radio: pr.Radio, ClockSource: 1, Plan: plan, RSSIOffset: off,
		TxGains: pr.TxGains, TxFreq: pr.TxFreq}
	return o, o.Validate()
}

func openSX1301(p Params, b *Board, sb sx1301Board) (Hardware, error) {
	if p.Region == nil {
		return Hardware{}, errors.New("a region is required for the channel plan")
	}
	opts, err := SX1301Opts(p, sb.profile(p.Region.Name()))
	if err != nil {
		return Hardware{}, err
	}
	conn, closePort, err := openSPI("/dev/spidev0.0", p.SPIDevice, b.SPISpeed(p.SPISpeed))
	if err != nil {
		return Hardware{}, err
	}
	var pins sx1301.Pins
	if pins.Reset, err = pickLine(sb.reset, p.ResetLine, "reset_line"); err != nil {
		closePort()
		return Hardware{}, err
	}
	d, err := sx1301.New(conn, pins, opts, p.Clock, p.Log)
	if err != nil {
		closePort()
		return Hardware{}, err
	}
	hw := Hardware{Concentrator: d, Close: closePort}
	if p.GPSDevice != "" {
		if err := openGPS(p, d, &hw); err != nil {
			closePort()
			return Hardware{}, err
		}
	}
	return hw, nil
}

// SX1301ProfileOf returns an SX1301 board's calibration in a band; the
// reference design's for a name that is not an SX1301 board.
func SX1301ProfileOf(name string, n region.Name) SX1301Profile {
	for _, sb := range sx1301Boards() {
		if sb.name == name {
			return sb.profile(n)
		}
	}
	return SX1301Reference(n)
}

// CheckChannels resolves the channel plan of p (the configured one, or the
// region's) under the board's chip limits, so that `lgw config check`
// says what the chip cannot do (an SX1301 has no SF5/SF6 and narrower
// radios than an SX1302). Boards without hardware limits pass.
func (b *Board) CheckChannels(p Params) error {
	if p.Region == nil {
		return errors.New("a region is required for the channel plan")
	}
	switch b.Chip {
	case "sx1301":
		_, err := SX1301Opts(p, SX1301ProfileOf(b.Name, p.Region.Name()))
		return err
	case "sx1302":
		_, err := p.ChannelPlan(chanplan.SX1302)
		return err
	}
	return nil
}
