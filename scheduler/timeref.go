package scheduler

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	lwgps "github.com/brocaar/lorawan/gps"

	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/hal"
)

// Time-reference tuning. The reference packet forwarder takes the raw
// slope of one 1 s interval and trusts it for 30 s
// (sx1302-rxtx-timing.md §3.3-3.5); lgw fits a line over a sliding window
// of pulses instead, so a GPS time 128 s ahead maps to the counter within
// a couple of µs.
const (
	// minSamples is how many pulses a fit needs before it is valid.
	minSamples = 4
	// maxPPM bounds the crystal error; a pulse implying more is refused.
	maxPPM = 200
	// outlierBase is the residual (µs) beyond which a pulse is an
	// outlier, plus outlierPerSecond µs per second since the last pulse.
	outlierBase      = 20.0
	outlierPerSecond = 1.0
	// resetAfter consecutive outliers mean the counter or GPS time
	// stepped: the fit restarts from the new pulses.
	resetAfter = 3
)

// ErrNoTimeRef: the time reference is not valid (no GPS lock, or stale).
var ErrNoTimeRef = errors.New("time reference not valid")

// TimeRef maps the concentrator counter to GPS time: a least-squares line
// of counter against GPS time over a sliding window of PPS pulses, its
// slope being the crystal's drift. It is valid while it has enough pulses
// and the last accepted one is no older than the holdover; in holdover the
// line extrapolates with the fitted drift. Safe for concurrent use.
type TimeRef struct {
	clk      clock.Clock
	window   int
	holdover time.Duration

	mu       sync.Mutex
	samples  []refSample // oldest first
	outliers int
	rejected int
	lastAt   time.Time
	// Fit: counter = m0 + a + b·(gps - g0 in s), with g0/m0 the last
	// sample.
	g0   time.Duration
	m0   hal.Micros
	a, b float64
}

type refSample struct {
	gps time.Duration
	m   hal.Micros
}

func newTimeRef(clk clock.Clock, window int, holdover time.Duration) *TimeRef {
	return &TimeRef{clk: clk, window: window, holdover: holdover}
}

// Add records a PPS pulse: its GPS time and its latched counter on the
// 64-bit timeline. It returns an error when the pulse is refused as an
// outlier or out of order.
func (r *TimeRef) Add(gps time.Duration, m hal.Micros) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if n := len(r.samples); n > 0 {
		last := r.samples[n-1]
		dg := gps - last.gps
		if dg <= 0 {
			r.rejected++
			return fmt.Errorf("pulse at GPS %v is not after the last one (%v)", gps, last.gps)
		}
		// The pulse must agree with the fit (or, before one, with a
		// crystal within maxPPM).
		var err error
		if n >= minSamples {
			res := float64(m-r.m0) - r.predictLocked(gps)
			limit := outlierBase + outlierPerSecond*dg.Seconds()
			if math.Abs(res) > limit {
				err = fmt.Errorf("pulse at GPS %v is %.1f µs off the fit (limit %.1f µs)", gps, res, limit)
			}
		} else {
			ppm := (float64(m-last.m)/float64(dg/time.Microsecond) - 1) * 1e6
			if math.Abs(ppm) > maxPPM {
				err = fmt.Errorf("pulse at GPS %v implies %.0f ppm (limit %d)", gps, ppm, maxPPM)
			}
		}
		if err != nil {
			r.rejected++
			r.outliers++
			if r.outliers < resetAfter {
				return err
			}
			r.samples = r.samples[:0]
		}
	}
	r.outliers = 0
	r.samples = append(r.samples, refSample{gps: gps, m: m})
	if len(r.samples) > r.window {
		r.samples = append(r.samples[:0], r.samples[len(r.samples)-r.window:]...)
	}
	r.lastAt = r.clk.Now()
	r.fitLocked()
	return nil
}

// fitLocked fits counter against GPS time over the samples, relative to
// the last one so the float64 arithmetic stays exact to far below 1 µs.
func (r *TimeRef) fitLocked() {
	n := len(r.samples)
	last := r.samples[n-1]
	r.g0, r.m0 = last.gps, last.m
	if n == 1 {
		r.a, r.b = 0, 1e6
		return
	}
	var sx, sy float64
	for _, s := range r.samples {
		sx += (s.gps - r.g0).Seconds()
		sy += float64(s.m - r.m0)
	}
	mx, my := sx/float64(n), sy/float64(n)
	var sxx, sxy float64
	for _, s := range r.samples {
		dx, dy := (s.gps-r.g0).Seconds()-mx, float64(s.m-r.m0)-my
		sxx += dx * dx
		sxy += dx * dy
	}
	r.b = sxy / sxx
	r.a = my - r.b*mx
}

func (r *TimeRef) predictLocked(gps time.Duration) float64 {
	return r.a + r.b*(gps-r.g0).Seconds()
}

func (r *TimeRef) validLocked() bool {
	return len(r.samples) >= minSamples && r.clk.Now().Sub(r.lastAt) <= r.holdover
}

// Valid reports whether the reference can be used: enough pulses, the
// last one within the holdover.
func (r *TimeRef) Valid() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.validLocked()
}

// Age returns the time since the last accepted pulse (0 before any).
func (r *TimeRef) Age() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.samples) == 0 {
		return 0
	}
	return r.clk.Now().Sub(r.lastAt)
}

// PPM returns the fitted crystal error in parts per million (positive: the
// counter runs fast).
func (r *TimeRef) PPM() float64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.samples) < 2 {
		return 0
	}
	return r.b - 1e6
}

// Samples returns the number of pulses in the fit and the number refused
// so far.
func (r *TimeRef) Samples() (inFit, refused int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.samples), r.rejected
}

// GPSToMicros returns the counter, on the 64-bit timeline, at a GPS time.
func (r *TimeRef) GPSToMicros(gps time.Duration) (hal.Micros, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.validLocked() {
		return 0, ErrNoTimeRef
	}
	return r.m0 + hal.Micros(math.Round(r.predictLocked(gps))), nil
}

// MicrosToGPS returns the GPS time at a counter value on the 64-bit
// timeline, to the nanosecond.
func (r *TimeRef) MicrosToGPS(m hal.Micros) (time.Duration, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.validLocked() {
		return 0, ErrNoTimeRef
	}
	s := (float64(m-r.m0) - r.a) / r.b
	return r.g0 + time.Duration(math.Round(s*1e9)), nil
}

// GPSToUTC converts a duration since the GPS epoch to UTC (leap seconds
// from brocaar/lorawan's gps table).
func GPSToUTC(gps time.Duration) time.Time {
	return time.Time(lwgps.NewTimeFromTimeSinceGPSEpoch(gps)).UTC()
}

// UTCToGPS converts UTC to a duration since the GPS epoch.
func UTCToGPS(t time.Time) time.Duration { return lwgps.Time(t).TimeSinceGPSEpoch() }
