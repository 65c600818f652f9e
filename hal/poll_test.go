package hal_test

import (
	"testing"
	"time"

	"github.com/lgwagent/lgw/hal"
)

func TestRxPollBacksOffAndReturns(t *testing.T) {
	ms := time.Millisecond
	for _, tc := range []struct {
		name     string
		poll     hal.RxPoll
		received []bool
		want     []time.Duration
	}{
		{"defaults", hal.RxPoll{}, []bool{false, false, false, false, true, false},
			[]time.Duration{10 * ms, 20 * ms, 40 * ms, 40 * ms, 10 * ms, 20 * ms}},
		{"traffic keeps it fast", hal.RxPoll{}, []bool{true, true, true}, []time.Duration{10 * ms, 10 * ms, 10 * ms}},
		{"custom", hal.RxPoll{Fast: 5 * ms, Slow: 15 * ms}, []bool{false, false, false, true},
			[]time.Duration{5 * ms, 10 * ms, 15 * ms, 5 * ms}},
		{"slow below fast", hal.RxPoll{Fast: 50 * ms, Slow: 1 * ms}, []bool{false, false}, []time.Duration{50 * ms, 50 * ms}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.poll
			for i, r := range tc.received {
				if got := p.Next(r); got != tc.want[i] {
					t.Fatalf("step %d (received %v): %v, want %v", i, r, got, tc.want[i])
				}
			}
		})
	}
}
