// Package gps reads a GPS receiver's NMEA sentences and pairs the time of
// each second with the concentrator counter latched at that second's PPS
// pulse, giving the hal.GPSFix values the scheduler's time reference is
// built from.
//
// A receiver sends, shortly after each PPS pulse, sentences stamped with
// the UTC time of that pulse (RMC, ZDA) and its position (GGA). For every
// new valid second, Receiver reads the PPS latch; a latch that has not
// moved since the previous second means the pulse did not reach the chip
// (a loose wire, or the latch frozen as sx1302_hal #135 describes), and
// that second gives no fix: a fix pairs a time with a pulse, or nothing.
package gps

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	nmea "github.com/adrianmo/go-nmea"
	lwgps "github.com/brocaar/lorawan/gps"
	"go.uber.org/zap"

	"github.com/lgwagent/lgw/hal"
)

// LatchFunc reads the counter latched at the last PPS pulse
// (hal.Concentrator.PPSCounter).
type LatchFunc func() (hal.Count, error)

// Stats counts what the receiver saw.
type Stats struct {
	// Sentences parsed; Bad sentences refused (checksum, syntax).
	Sentences, Bad uint64
	// Fixes delivered; Stale seconds whose PPS latch had not moved;
	// Invalid seconds the receiver flagged as without a fix; Dropped
	// fixes nobody read in time.
	Fixes, Stale, Invalid, Dropped uint64
}

// Receiver turns NMEA lines into fixes. Use New, then Run.
type Receiver struct {
	src   io.Reader
	latch LatchFunc
	log   *zap.Logger
	fixes chan hal.GPSFix

	sentences, bad, nfix, stale, invalid, dropped atomic.Uint64

	mu       sync.Mutex
	lastSec  time.Time
	lastPPS  hal.Count
	havePPS  bool
	lat, lon float64
	alt      float64
	hasPos   bool
}

// New returns a receiver reading NMEA from src and the PPS latch through
// latch.
func New(src io.Reader, latch LatchFunc, log *zap.Logger) *Receiver {
	if log == nil {
		log = zap.NewNop()
	}
	return &Receiver{src: src, latch: latch, log: log, fixes: make(chan hal.GPSFix, 8)}
}

// Fixes returns the channel fixes arrive on (hal.GPS). It is closed when
// Run returns.
func (r *Receiver) Fixes() <-chan hal.GPSFix { return r.fixes }

// Stats returns the counters.
func (r *Receiver) Stats() Stats {
	return Stats{Sentences: r.sentences.Load(), Bad: r.bad.Load(), Fixes: r.nfix.Load(),
		Stale: r.stale.Load(), Invalid: r.invalid.Load(), Dropped: r.dropped.Load()}
}

// Run reads lines until the source ends or ctx is cancelled (then it
// closes the source if it is an io.Closer, to unblock the read).
func (r *Receiver) Run(ctx context.Context) error {
	defer close(r.fixes)
	if c, ok := r.src.(io.Closer); ok {
		stop := context.AfterFunc(ctx, func() { _ = c.Close() })
		defer stop()
	}
	sc := bufio.NewScanner(r.src)
	sc.Buffer(make([]byte, 256), 4096)
	for sc.Scan() {
		r.HandleLine(sc.Text())
	}
	if ctx.Err() != nil {
		return nil
	}
	if err := sc.Err(); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("gps: read: %w", err)
	}
	return nil
}

// HandleLine processes one NMEA sentence.
func (r *Receiver) HandleLine(line string) {
	line = strings.TrimSpace(line)
	if !strings.HasPrefix(line, "$") {
		return
	}
	s, err := nmea.Parse(line)
	if err != nil {
		r.bad.Add(1)
		r.log.Debug("gps: bad sentence", zap.String("line", line), zap.Error(err))
		return
	}
	r.sentences.Add(1)
	switch m := s.(type) {
	case nmea.RMC:
		if m.Validity != "A" {
			r.invalid.Add(1)
			return
		}
		if !m.Time.Valid || !m.Date.Valid {
			return
		}
		t := time.Date(2000+m.Date.YY, time.Month(m.Date.MM), m.Date.DD, m.Time.Hour, m.Time.Minute, m.Time.Second, 0, time.UTC)
		r.second(t, m.Time.Millisecond)
	case nmea.ZDA:
		if !m.Time.Valid || m.Year < 1980 {
			return
		}
		t := time.Date(int(m.Year), time.Month(m.Month), int(m.Day), m.Time.Hour, m.Time.Minute, m.Time.Second, 0, time.UTC)
		r.second(t, m.Time.Millisecond)
	case nmea.GGA:
		if m.FixQuality == "" || m.FixQuality == nmea.Invalid {
			return
		}
		r.mu.Lock()
		r.lat, r.lon, r.alt, r.hasPos = m.Latitude, m.Longitude, m.Altitude, true
		r.mu.Unlock()
	}
}

// second pairs the UTC second t with the PPS latch, once per second.
func (r *Receiver) second(t time.Time, ms int) {
	if ms != 0 {
		return // not the top of a second: no pulse to pair with
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !t.After(r.lastSec) {
		return // RMC and ZDA of the same second: pair once
	}
	r.lastSec = t
	pps, err := r.latch()
	if err != nil {
		r.log.Warn("gps: read PPS latch", zap.Error(err))
		return
	}
	if r.havePPS && pps == r.lastPPS {
		r.stale.Add(1)
		r.log.Debug("gps: PPS latch did not move; no pulse this second", zap.Time("utc", t))
		return
	}
	r.lastPPS, r.havePPS = pps, true
	fix := hal.GPSFix{Time: lwgps.Time(t).TimeSinceGPSEpoch(), PPSCount: pps,
		Latitude: r.lat, Longitude: r.lon, Altitude: r.alt, HasPos: r.hasPos}
	select {
	case r.fixes <- fix:
		r.nfix.Add(1)
	default:
		r.dropped.Add(1)
	}
}

var _ hal.GPS = (*Receiver)(nil)
