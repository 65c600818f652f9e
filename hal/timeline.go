package hal

import (
	"strconv"
	"sync"
	"time"
)

// Count is the concentrator's free-running 32-bit microsecond counter, the
// "tmst" of the Semtech protocols. It wraps every 2^32 µs (71.6 minutes).
type Count uint32

// String returns the decimal value.
func (c Count) String() string { return strconv.FormatUint(uint64(c), 10) }

// Micros is a point on the unwrapped 64-bit microsecond timeline that lgw
// schedules on. Its low 32 bits are the Count.
type Micros int64

// CounterPeriod is the span of the 32-bit µs counter.
const CounterPeriod Micros = 1 << 32

// Count returns the counter value at m.
func (m Micros) Count() Count { return Count(uint32(m)) }

// Duration returns m as a time.Duration (µs since the timeline origin).
func (m Micros) Duration() time.Duration { return time.Duration(m) * time.Microsecond }

// Add returns m moved by d, truncated to whole microseconds.
func (m Micros) Add(d time.Duration) Micros { return m + Micros(d/time.Microsecond) }

// Sub returns m-o as a duration.
func (m Micros) Sub(o Micros) time.Duration { return time.Duration(m-o) * time.Microsecond }

// MicrosOf returns d in whole microseconds.
func MicrosOf(d time.Duration) Micros { return Micros(d / time.Microsecond) }

// Timeline widens 32-bit counter readings onto the 64-bit Micros timeline.
//
// Observe takes readings of the instantaneous counter, which only moves
// forward; each one is placed in the epoch nearest the previous reading, so
// readings must come at least once every 2^31 µs (35.8 minutes): drivers
// read the counter every few seconds. Widen places other values (packet
// timestamps, PPS latches, transmission targets) within ±2^31 µs of the
// latest reading without moving it. The first reading lands in epoch 0.
// A Timeline is safe for concurrent use; the zero value is ready.
type Timeline struct {
	mu      sync.Mutex
	last    Micros
	started bool
}

// Observe widens a reading of the instantaneous counter and makes it the
// reference for later calls. A reading slightly older than the reference
// (concurrent readers) is widened without moving the reference back.
func (t *Timeline) Observe(c Count) Micros {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.started {
		t.started = true
		t.last = Micros(c)
		return t.last
	}
	m := nearest(t.last, c)
	if m > t.last {
		t.last = m
	}
	return m
}

// Widen places c in the epoch nearest the latest observed reading.
// Before any reading it returns c in epoch 0.
func (t *Timeline) Widen(c Count) Micros {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.started {
		return Micros(c)
	}
	return nearest(t.last, c)
}

// Last returns the latest observed reading and whether there was one.
func (t *Timeline) Last() (Micros, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.last, t.started
}

// nearest returns the Micros whose low 32 bits are c, closest to ref.
func nearest(ref Micros, c Count) Micros {
	delta := int32(uint32(c) - uint32(ref))
	return ref + Micros(delta)
}
