package scheduler

import "github.com/lgwagent/lgw/hal"

// CheckTx checks a packet's frequency and power against the board and the
// region (with the power policy) as Schedule would, without queueing it,
// so that a caller can refuse bad input at once (a ValidationException)
// instead of in a later report. The error is a *RefusalError (TX_FREQ or
// TX_POWER).
func (s *Scheduler) CheckTx(p hal.TxPacket) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.checkTxLocked(&p)
}
