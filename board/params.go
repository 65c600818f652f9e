package board

import "time"

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
