package hal

import "time"

// Receive polling defaults. The SX1302's RX buffer holds 4096 bytes; its
// 16 LoRa demodulators and the FSK modem together fill it at most at
// about 40 kB/s (all modems receiving back-to-back 255-byte frames), so a
// 40 ms pause leaves it under half full even then, and any non-empty read
// returns the loop to 10 ms.
const (
	DefaultPollFast = 10 * time.Millisecond
	DefaultPollSlow = 40 * time.Millisecond
)

// RxPoll paces the one loop that reads a concentrator: Fast while reads
// return packets, doubling the pause after each empty read up to Slow.
// The zero value uses the defaults. Not safe for concurrent use.
type RxPoll struct {
	Fast, Slow time.Duration
	cur        time.Duration
}

// Next returns the pause before the next read, given whether the last
// read returned packets.
func (p *RxPoll) Next(received bool) time.Duration {
	fast, slow := p.Fast, p.Slow
	if fast <= 0 {
		fast = DefaultPollFast
	}
	if slow < fast {
		slow = max(fast, DefaultPollSlow)
	}
	switch {
	case received || p.cur == 0:
		p.cur = fast
	default:
		p.cur = min(2*p.cur, slow)
	}
	return p.cur
}
