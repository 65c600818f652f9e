package hal

import "time"

// PollBackoff is how much longer than the fast period an idle receive
// loop may wait. The SX1302's RX buffer holds 4096 bytes; its 16 LoRa
// demodulators, the service channel and a 250 kbit/s FSK channel together
// fill it at most at about 70 kB/s, so 40 ms (4 × 10 ms) of pause leaves
// it under 3 KiB even then, and any non-empty read returns the loop to
// the fast period.
const PollBackoff = 4

// NextPoll paces the one loop that reads a concentrator: the fast period
// after a read that returned packets (and for the first read, last = 0),
// else twice the last pause, at most PollBackoff × fast.
func NextPoll(fast, last time.Duration, received bool) time.Duration {
	if received || last <= 0 {
		return fast
	}
	return min(2*last, PollBackoff*fast)
}
