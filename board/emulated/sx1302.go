package emulated

import (
	"fmt"
	"os"
	"path/filepath"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/board"
	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/hal/sim"
	"github.com/lgwagent/lgw/sx1302"
	"github.com/lgwagent/lgw/sx1302/sx1302test"
)

func sx1302Emulated() *board.Board {
	return &board.Board{Name: "sx1302-emulated", Chip: "sx1302", RSSIOffset: -215.4,
		Description: "the real SX1302 driver on the SPI-level chip emulator (no hardware); sim.traffic is injected",
		TxGains:     board.HalGains(sx1302.DefaultTxGains()), TxFreq: hal.FreqRange{Min: 863e6, Max: 928e6}}
}

// openSX1302Emulated runs the real driver on the emulator. Semtech's
// firmware is not shipped: when FirmwareDir has no images, synthetic
// placeholders (which only the emulator accepts) are written to a
// temporary directory, and the log says so.
func openSX1302Emulated(p board.Params, b *board.Board) (board.Hardware, error) {
	opts, err := board.SX1302Opts(p, b)
	if err != nil {
		return board.Hardware{}, err
	}
	chip := sx1302test.New(sx1302test.Config{Clock: p.Clock, Log: p.Log, RSSIOffset: opts.RSSIOffset, Temperature: opts.Temperature})
	var tmp string
	dir := opts.FirmwareDir
	if dir == "" {
		dir = sx1302.DefaultFirmwareDir
	}
	if _, err := os.Stat(filepath.Join(dir, sx1302.FirmwareAGC)); err != nil {
		tmp, err = os.MkdirTemp("", "lgw-emulated-fw-")
		if err != nil {
			return board.Hardware{}, err
		}
		if err := sx1302test.WriteSyntheticFirmware(tmp); err != nil {
			os.RemoveAll(tmp)
			return board.Hardware{}, err
		}
		p.Log.Warn("sx1302-emulated: no firmware installed; using synthetic placeholder images (emulator only)",
			zap.String("firmware_dir", dir), zap.String("placeholder_dir", tmp))
		opts.FirmwareDir = tmp
	}
	if p.Sim.Traffic != "" {
		f, err := os.Open(p.Sim.Traffic)
		if err != nil {
			return board.Hardware{}, fmt.Errorf("traffic file: %w", err)
		}
		ups, err := sim.ParseTraffic(f)
		f.Close()
		if err != nil {
			return board.Hardware{}, fmt.Errorf("traffic file %s: %w", p.Sim.Traffic, err)
		}
		chip.AddTraffic(ups)
	}
	d, err := sx1302.New(chip, sx1302.Pins{}, opts, p.Clock, p.Log)
	if err != nil {
		return board.Hardware{}, err
	}
	return board.Hardware{Concentrator: d, Close: func() error {
		if tmp != "" {
			return os.RemoveAll(tmp)
		}
		return nil
	}}, nil
}
