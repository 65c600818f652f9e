package sim

import (
	"time"

	lwgps "github.com/brocaar/lorawan/gps"

	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/hal"
)

// GPSConfig configures the simulated GPS receiver: a PPS pulse on every
// whole UTC second of the clock, the counter latched at each pulse, and a
// fix with the GPS time of the pulse delivered FixDelay later.
type GPSConfig struct {
	Enabled bool
	// Jitter spreads each latched counter uniformly within ±Jitter.
	Jitter time.Duration
	// Seed makes the jitter reproducible.
	Seed uint64
	// Outages are spans, measured from the simulator's creation, without
	// pulses or fixes.
	Outages []Outage
	// FixDelay is how long after the pulse its fix arrives (default 100 ms).
	FixDelay time.Duration
	// Latitude, Longitude in degrees and Altitude in metres of the fix.
	Latitude, Longitude, Altitude float64
}

// Outage is a span without GPS, from From to To after the simulator's
// creation.
type Outage struct{ From, To time.Duration }

type gps struct {
	s     *Sim
	cfg   GPSConfig
	fixes chan hal.GPSFix
	timer clock.Timer
	// dropped counts fixes nobody read in time.
	dropped int
}

func newGPS(s *Sim, cfg GPSConfig) *gps {
	if cfg.FixDelay == 0 {
		cfg.FixDelay = 100 * time.Millisecond
	}
	return &gps{s: s, cfg: cfg, fixes: make(chan hal.GPSFix, 16)}
}

// Fixes returns the channel the fixes arrive on. It is never closed.
func (g *gps) Fixes() <-chan hal.GPSFix { return g.fixes }

// pulse reports whether there is a pulse at the whole second t.
func (g *gps) pulse(t time.Time) bool {
	if !g.cfg.Enabled {
		return false
	}
	since := t.Sub(g.s.origin)
	if since < 0 {
		return false
	}
	for _, o := range g.cfg.Outages {
		if since >= o.From && since < o.To {
			return false
		}
	}
	return true
}

// latch returns the counter latched at the pulse at whole second t.
func (g *gps) latch(t time.Time) hal.Micros {
	m := g.s.micros(t)
	if g.cfg.Jitter <= 0 {
		return m
	}
	j := hal.MicrosOf(g.cfg.Jitter)
	r := splitmix(g.cfg.Seed ^ uint64(t.Unix()))
	return m + hal.Micros(int64(r%uint64(2*j+1))) - j
}

// latchLocked returns the latch of the last pulse at or before now, or 0
// before the first pulse.
func (g *gps) latchLocked(now time.Time) hal.Micros {
	t := now.Truncate(time.Second)
	for ; !t.Before(g.s.origin); t = t.Add(-time.Second) {
		if g.pulse(t) {
			return g.latch(t)
		}
	}
	return 0
}

// nextPulseAfterLocked returns the counter at the first pulse edge at or
// after counter value after and not later than now.
func (g *gps) nextPulseAfterLocked(after, now hal.Micros) (hal.Micros, bool) {
	from := g.s.timeOf(after)
	t := from.Truncate(time.Second)
	if t.Before(from) {
		t = t.Add(time.Second)
	}
	end := g.s.timeOf(now)
	for ; !t.After(end); t = t.Add(time.Second) {
		if g.pulse(t) {
			return g.s.micros(t), true
		}
	}
	return 0, false
}

func (g *gps) start() {
	if !g.cfg.Enabled {
		return
	}
	g.arm()
}

func (g *gps) stop() {
	if g.timer != nil {
		g.timer.Stop()
		g.timer = nil
	}
}

// arm sets the timer for the fix of the next pulse.
func (g *gps) arm() {
	now := g.s.clk.Now()
	next := now.Add(-g.cfg.FixDelay).Truncate(time.Second).Add(time.Second)
	g.timer = g.s.clk.AfterFunc(next.Add(g.cfg.FixDelay).Sub(now), func() { g.deliver(next) })
}

func (g *gps) deliver(pulse time.Time) {
	g.s.mu.Lock()
	defer g.s.mu.Unlock()
	if !g.s.started {
		return
	}
	if g.pulse(pulse) {
		fix := hal.GPSFix{
			Time:     lwgps.Time(pulse).TimeSinceGPSEpoch(),
			PPSCount: g.latch(pulse).Count(),
			Latitude: g.cfg.Latitude, Longitude: g.cfg.Longitude, Altitude: g.cfg.Altitude,
			HasPos: true,
		}
		select {
		case g.fixes <- fix:
		default:
			g.dropped++
		}
	}
	g.arm()
}

// splitmix is a small stateless mixer for reproducible jitter.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
