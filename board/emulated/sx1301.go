package emulated

import (
	"fmt"
	"os"
	"path/filepath"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/board"
	"github.com/lgwagent/lgw/hal/sim"
	"github.com/lgwagent/lgw/region"
	"github.com/lgwagent/lgw/sx1301"
	"github.com/lgwagent/lgw/sx1301/sx1301test"
)

func init() { board.Register(sx1301Emulated, openSX1301Emulated) }

func sx1301Emulated() *board.Board {
	pr := board.SX1301Reference(region.EU868)
	return &board.Board{Name: "sx1301-emulated", Chip: "sx1301", RSSIOffset: pr.RSSIOffset,
		Description: "the real SX1301 driver on the SPI-level chip emulator (no hardware; SX1255 radios in CN470); sim.traffic is injected",
		TxGains:     board.SX1301HalGains(pr.TxGains), TxFreq: pr.TxFreq, MaxSPISpeed: 8000000}
}

// openSX1301Emulated runs the real SX1301 driver on the emulator, with
// the reference design's calibration for the region's band. Semtech's
// firmware is not shipped: when FirmwareDir lacks the SX1301 images,
// synthetic placeholders (which only the emulator accepts) are written to
// a temporary directory, and the log says so.
func openSX1301Emulated(p board.Params, _ *board.Board) (board.Hardware, error) {
	if p.Region == nil {
		return board.Hardware{}, fmt.Errorf("a region is required for the channel plan")
	}
	pr := board.SX1301Reference(p.Region.Name())
	opts, err := board.SX1301Opts(p, pr)
	if err != nil {
		return board.Hardware{}, err
	}
	chip := sx1301test.New(sx1301test.Config{Clock: p.Clock, Log: p.Log, Radio: pr.Radio, RSSIOffset: opts.RSSIOffset, PPS: true})
	var tmp string
	dir := opts.FirmwareDir
	if dir == "" {
		dir = sx1301.DefaultFirmwareDir
	}
	if _, err := os.Stat(filepath.Join(dir, sx1301.FirmwareAGC)); err != nil {
		if tmp, err = os.MkdirTemp("", "lgw-emulated-fw-"); err != nil {
			return board.Hardware{}, err
		}
		if err := sx1301test.WriteSyntheticFirmware(tmp); err != nil {
			os.RemoveAll(tmp)
			return board.Hardware{}, err
		}
		p.Log.Warn("sx1301-emulated: no SX1301 firmware installed; using synthetic placeholder images (emulator only)",
			zap.String("firmware_dir", dir), zap.String("placeholder_dir", tmp))
		opts.FirmwareDir = tmp
	}
	cleanup := func() error {
		if tmp != "" {
			return os.RemoveAll(tmp)
		}
		return nil
	}
	if p.Sim.Traffic != "" {
		f, err := os.Open(p.Sim.Traffic)
		if err != nil {
			cleanup()
			return board.Hardware{}, fmt.Errorf("traffic file: %w", err)
		}
		ups, err := sim.ParseTraffic(f)
		f.Close()
		if err != nil {
			cleanup()
			return board.Hardware{}, fmt.Errorf("traffic file %s: %w", p.Sim.Traffic, err)
		}
		chip.AddTraffic(ups)
	}
	d, err := sx1301.New(chip, sx1301.Pins{}, opts, p.Clock, p.Log)
	if err != nil {
		cleanup()
		return board.Hardware{}, err
	}
	return board.Hardware{Concentrator: d, Close: cleanup}, nil
}
