package emulated

import (
	"fmt"
	"os"

	"github.com/lgwagent/lgw/board"
	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/hal/sim"
)

func simBoard() *board.Board {
	return &board.Board{
		Name:        "sim",
		Description: "simulated concentrator (no hardware): traffic file, simulated GPS",
		Chip:        "sim",
		TxGains:     []hal.TxGain{{Power: 12}, {Power: 14}, {Power: 16}, {Power: 20}, {Power: 27}},
		TxFreq:      hal.FreqRange{Min: 100e6, Max: 1000e6},
	}
}

func openSim(p board.Params, b *board.Board) (board.Hardware, error) {
	s, err := sim.New(sim.Config{
		Clock:   p.Clock,
		PPM:     p.Sim.PPM,
		TxFreq:  []hal.FreqRange{b.TxFreq, b.TxFreq},
		TxGains: b.TxGains,
		GPS: sim.GPSConfig{
			Enabled: p.Sim.GPS, Jitter: p.Sim.GPSJitter, Seed: 1,
			Latitude: p.Sim.Latitude, Longitude: p.Sim.Longitude, Altitude: p.Sim.Altitude,
		},
	})
	if err != nil {
		return board.Hardware{}, err
	}
	if p.Sim.Traffic != "" {
		f, err := os.Open(p.Sim.Traffic)
		if err != nil {
			return board.Hardware{}, fmt.Errorf("traffic file: %w", err)
		}
		defer f.Close()
		ups, err := sim.ParseTraffic(f)
		if err != nil {
			return board.Hardware{}, fmt.Errorf("traffic file %s: %w", p.Sim.Traffic, err)
		}
		// The traffic's times count from the start, a little after now.
		s.AddTraffic(ups)
	}
	hw := board.Hardware{Concentrator: s}
	if p.Sim.GPS {
		hw.GPS = s.GPS()
	}
	return hw, nil
}
