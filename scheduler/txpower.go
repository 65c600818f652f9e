package scheduler

import (
	"time"

	"github.com/lgwagent/lgw/hal"
)

// TxPower returns the power p would be emitted at: the board gain-table
// entry at or below the request, or the clamped power under the clamp
// policy. It returns the *RefusalError (TX_FREQ, TX_POWER) Schedule would
// give. Adapters use it to warn a network server of a power it did not
// get (the UDP protocol's TX_ACK warning).
func (s *Scheduler) TxPower(p hal.TxPacket) (int8, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.checkTxLocked(&p)
	return p.Power, err
}

// GPSTimeOf returns the GPS time (since the GPS epoch) at which the
// counter read c, when the time reference is valid. c is placed on the
// scheduler's timeline, so it must be within half a counter period
// (±35 min) of now, as a just-received packet's count is.
func (s *Scheduler) GPSTimeOf(c hal.Count) (time.Duration, bool) {
	s.mu.Lock()
	m := s.tl.Widen(c)
	s.mu.Unlock()
	g, err := s.ref.MicrosToGPS(m)
	return g, err == nil
}
