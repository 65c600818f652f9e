package scheduler

import "github.com/lgwagent/lgw/hal"

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
