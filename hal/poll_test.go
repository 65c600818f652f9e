package hal_test

import (
	"testing"
	"time"

	"github.com/lgwagent/lgw/hal"
)

func TestNextPollBacksOffAndReturns(t *testing.T) {
	ms := time.Millisecond
	for _, tc := range []struct {
		name     string
		fast     time.Duration
		received []bool
		want     []time.Duration
	}{
		{"idle backs off to 40 ms", 10 * ms, []bool{false, false, false, false, true, false},
			[]time.Duration{20 * ms, 40 * ms, 40 * ms, 40 * ms, 10 * ms, 20 * ms}},
		{"traffic keeps it fast", 10 * ms, []bool{true, true, true}, []time.Duration{10 * ms, 10 * ms, 10 * ms}},
		{"other period", 5 * ms, []bool{false, false, false, true}, []time.Duration{10 * ms, 20 * ms, 20 * ms, 5 * ms}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			last := tc.fast
			for i, r := range tc.received {
				last = hal.NextPoll(tc.fast, last, r)
				if last != tc.want[i] {
					t.Fatalf("step %d (received %v): %v, want %v", i, r, last, tc.want[i])
				}
			}
		})
	}
	if got := hal.NextPoll(10*ms, 0, false); got != 10*ms {
		t.Errorf("first poll: %v", got)
	}
}
