// Package scheduler is lgw's TX queue: it admits transmissions against
// regional and board limits, keeps them per RF chain on the 64-bit counter
// timeline, hands each to the concentrator at its start minus the lead by
// a timer, checks what the chip did, and ends every item in exactly one
// Result. It also keeps the GPS time reference and sends class B beacons.
package scheduler

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/lgwagent/lgw/hal"
)

// Class is the kind of a transmission; it orders priorities (beacons
// first, then class A, class B, class C).
type Class uint8

// Transmission classes, by decreasing priority.
const (
	Beacon Class = iota
	ClassA
	ClassB
	ClassC
)

// String names the class.
func (c Class) String() string {
	switch c {
	case Beacon:
		return "beacon"
	case ClassA:
		return "A"
	case ClassB:
		return "B"
	case ClassC:
		return "C"
	}
	return "Class(" + strconv.Itoa(int(c)) + ")"
}

// Code is the outcome of a transmission: SENT, or why it was refused or
// failed. The MQTT downlink reports carry it as params.status.
type Code string

// Result codes. Each refusal has its own code.
const (
	Sent            Code = "SENT"
	TooLate         Code = "TOO_LATE"
	TooEarly        Code = "TOO_EARLY"
	CollisionPacket Code = "COLLISION_PACKET"
	CollisionBeacon Code = "COLLISION_BEACON"
	QueueFull       Code = "QUEUE_FULL"
	TxFreq          Code = "TX_FREQ"
	TxPower         Code = "TX_POWER"
	PayloadSize     Code = "PAYLOAD_SIZE"
	DutyCycle       Code = "DUTY_CYCLE"
	DwellTime       Code = "DWELL_TIME"
	GPSUnlocked     Code = "GPS_UNLOCKED"
	TxFailed        Code = "TX_FAILED"
	// Cancelled: the caller withdrew the item (Cancel) before it was
	// handed to the chip.
	Cancelled Code = "CANCELLED"
)

// Sentinel errors, one per refusal code, for errors.Is.
var (
	ErrTooLate         = &codeSentinel{TooLate}
	ErrTooEarly        = &codeSentinel{TooEarly}
	ErrCollisionPacket = &codeSentinel{CollisionPacket}
	ErrCollisionBeacon = &codeSentinel{CollisionBeacon}
	ErrQueueFull       = &codeSentinel{QueueFull}
	ErrTxFreq          = &codeSentinel{TxFreq}
	ErrTxPower         = &codeSentinel{TxPower}
	ErrPayloadSize     = &codeSentinel{PayloadSize}
	ErrDutyCycle       = &codeSentinel{DutyCycle}
	ErrDwellTime       = &codeSentinel{DwellTime}
	ErrGPSUnlocked     = &codeSentinel{GPSUnlocked}
	ErrTxFailed        = &codeSentinel{TxFailed}
	ErrCancelled       = &codeSentinel{Cancelled}
)

type codeSentinel struct{ code Code }

func (c *codeSentinel) Error() string { return string(c.code) }

// ErrLateHandoff marks a TX_FAILED item that reached the chip too late for
// its start, or whose trigger the chip missed, and that was never emitted:
// the frame never went on air, so a caller whose protocol allows it may
// send it again with the same frame counter.
var ErrLateHandoff = errors.New("late hand-off, never emitted")

// RefusalError is a refusal or failure with its code and the numbers
// behind it ("starts in 4ms, minimum lead 10ms").
type RefusalError struct {
	Code   Code
	Detail string
	// Cause, when set, is a finer reason (ErrLateHandoff).
	Cause error
}

// Error implements error.
func (e *RefusalError) Error() string { return string(e.Code) + ": " + e.Detail }

// Unwrap returns the Cause.
func (e *RefusalError) Unwrap() error { return e.Cause }

// Is matches the code's sentinel.
func (e *RefusalError) Is(target error) bool {
	s, ok := target.(*codeSentinel)
	return ok && s.code == e.Code
}

// Refuse returns a RefusalError.
func Refuse(c Code, format string, args ...any) *RefusalError {
	return &RefusalError{Code: c, Detail: fmt.Sprintf(format, args...)}
}

// CodeOf returns the code of err: Sent for nil, the RefusalError's code,
// or TxFailed for any other error.
func CodeOf(err error) Code {
	if err == nil {
		return Sent
	}
	var r *RefusalError
	if errors.As(err, &r) {
		return r.Code
	}
	var s *codeSentinel
	if errors.As(err, &s) {
		return s.code
	}
	return TxFailed
}

// TimingMode says how a request gives its start.
type TimingMode uint8

// Timing modes.
const (
	// AtCount starts at a counter value (class A: the network server
	// gives the tmst).
	AtCount TimingMode = iota
	// AtGPSTime starts at a GPS time (class B ping slots); it needs a
	// valid time reference.
	AtGPSTime
	// ASAP starts at the earliest free time that passes every check within
	// [NotBefore, NotAfter] (class C). "Immediate" is ASAP with zero
	// bounds: now plus the lead.
	ASAP
)

// String names the mode.
func (m TimingMode) String() string {
	switch m {
	case AtCount:
		return "tmst"
	case AtGPSTime:
		return "gps"
	case ASAP:
		return "asap"
	}
	return "TimingMode(" + strconv.Itoa(int(m)) + ")"
}

// Timing is when a transmission should start.
type Timing struct {
	Mode TimingMode
	// Count is the counter value of the start (AtCount).
	Count hal.Count
	// GPSTime is the start as a duration since the GPS epoch (AtGPSTime).
	GPSTime time.Duration
	// NotBefore and NotAfter bound an ASAP start (zero: now plus the lead,
	// and the maximum advance).
	NotBefore, NotAfter time.Time
}

// Request is a transmission to schedule.
type Request struct {
	// Ref is the caller's identifier, returned in the Result (MessageId).
	Ref string
	// Class orders priorities and duty-cycle ceilings.
	Class Class
	// Packet is what to send; the scheduler sets its Trigger.
	Packet hal.TxPacket
	// Timing is when.
	Timing Timing
	// Origin says who asked, for the queue listing ("multicast:group-1",
	// "mqtt", "cli").
	Origin string
	// Done receives the item's one Result once it is accepted, never with
	// the scheduler's lock held and never before Schedule has returned nil
	// for it. It runs on the scheduler's timer goroutine for items the
	// timer ends (sent, failed, dropped), and on the goroutine of the call
	// that ends the item otherwise: Cancel (CANCELLED), or a later Schedule
	// that displaces it (COLLISION_*). So a caller must not hold, around
	// Schedule or Cancel, a lock that its Done takes; Done must not block.
	Done func(Result)
}

// Result is how a transmission ended.
type Result struct {
	Ref string
	// Origin is the Request's.
	Origin string
	Code   Code
	// Err explains a code other than Sent.
	Err error
	// Start is the emission start on the 64-bit timeline, Count the same
	// as the chip counter (tmst).
	Start hal.Micros
	Count hal.Count
	// GPSTime is the emission start since the GPS epoch and UTC the same
	// in UTC, when the time reference was valid (HasTime).
	GPSTime time.Duration
	UTC     time.Time
	HasTime bool
	// Packet is what was (or would have been) sent, with the effective
	// power, RF chain and trigger.
	Packet hal.TxPacket
}
