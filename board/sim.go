package board

import (
	"fmt"
	"os"
	"time"

	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/hal/sim"
)

// SimParams configures the simulated concentrator.
type SimParams struct {
	// Traffic is a JSON-lines file of uplinks to inject.
	Traffic string
	// PPM is the crystal error.
	PPM float64
	// GPS turns on the simulated GPS, with PPS jitter GPSJitter.
	GPS       bool
	GPSJitter time.Duration
	// Latitude, Longitude, Altitude of the simulated GPS fix.
	Latitude, Longitude, Altitude float64
}

func simBoard() *Board {
	return &Board{
		Name:        "sim",
		Description: "simulated concentrator (no hardware): traffic file, simulated GPS",
		Chip:        "sim",
		TxGains:     []hal.TxGain{{Power: 12}, {Power: 14}, {Power: 16}, {Power: 20}, {Power: 27}},
		TxFreq:      hal.FreqRange{Min: 100e6, Max: 1000e6},
		open:        openSim,
	}
}

func openSim(p Params, b *Board) (Hardware, error) {
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
		return Hardware{}, err
	}
	if p.Sim.Traffic != "" {
		f, err := os.Open(p.Sim.Traffic)
		if err != nil {
			return Hardware{}, fmt.Errorf("traffic file: %w", err)
		}
		defer f.Close()
		ups, err := sim.ParseTraffic(f)
		if err != nil {
			return Hardware{}, fmt.Errorf("traffic file %s: %w", p.Sim.Traffic, err)
		}
		// The traffic's times count from the start, a little after now.
		s.AddTraffic(ups)
	}
	hw := Hardware{Concentrator: s}
	if p.Sim.GPS {
		hw.GPS = s.GPS()
	}
	return hw, nil
}
