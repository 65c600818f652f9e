package hal

import (
	"testing"
	"time"
)

func TestTimelineObserve(t *testing.T) {
	const wrap = Micros(1) << 32
	tests := []struct {
		name     string
		readings []Count
		want     []Micros
	}{
		{"first reading in epoch 0", []Count{123}, []Micros{123}},
		{"forward", []Count{100, 200, 5000000}, []Micros{100, 200, 5000000}},
		{"across the wrap", []Count{0xFFFF0000, 0xFFFFFFFF, 0, 0x10}, []Micros{0xFFFF0000, 0xFFFFFFFF, wrap, wrap + 0x10}},
		{"two wraps", []Count{0xC0000000, 0x30000000, 0xA0000000, 0x10000000, 0x80000000, 0xF0000000, 0x10}, []Micros{0xC0000000, wrap + 0x30000000, wrap + 0xA0000000, 2*wrap + 0x10000000, 2*wrap + 0x80000000, 2*wrap + 0xF0000000, 3*wrap + 0x10}},
		{"late reading does not move back", []Count{0xFFFFFF00, 0x100, 0xFFFFFFF0, 0x200}, []Micros{0xFFFFFF00, wrap + 0x100, 0xFFFFFFF0, wrap + 0x200}},
		{"jump just under half a period", []Count{0, 0x7FFFFFFF, 0xFFFFFFFE}, []Micros{0, 0x7FFFFFFF, 0xFFFFFFFE}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var tl Timeline
			for i, c := range tc.readings {
				if got := tl.Observe(c); got != tc.want[i] {
					t.Fatalf("reading %d (%#x): got %#x, want %#x", i, uint32(c), int64(got), int64(tc.want[i]))
				}
			}
		})
	}
}

func TestTimelineWiden(t *testing.T) {
	const wrap = Micros(1) << 32
	tests := []struct {
		name string
		ref  []Count
		c    Count
		want Micros
	}{
		{"no reference", nil, 42, 42},
		{"packet just before the reference", []Count{1000}, 900, 900},
		{"packet before the wrap, reference after", []Count{0xFFFFFFF0, 0x20}, 0xFFFFFF00, 0xFFFFFF00},
		{"target after the wrap, reference before", []Count{0xFFFFFF00}, 0x500, wrap + 0x500},
		{"PPS latch one second old across the wrap", []Count{0xFFF00000, 0x00080000}, 0xFFFA0000, 0xFFFA0000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var tl Timeline
			for _, r := range tc.ref {
				tl.Observe(r)
			}
			before, _ := tl.Last()
			if got := tl.Widen(tc.c); got != tc.want {
				t.Fatalf("Widen(%#x): got %#x, want %#x", uint32(tc.c), int64(got), int64(tc.want))
			}
			if after, _ := tl.Last(); after != before {
				t.Fatalf("Widen moved the reference from %d to %d", before, after)
			}
		})
	}
}

func TestMicrosRoundTrip(t *testing.T) {
	tests := []struct {
		m    Micros
		want Count
	}{
		{0, 0},
		{CounterPeriod - 1, 0xFFFFFFFF},
		{CounterPeriod, 0},
		{3*CounterPeriod + 77, 77},
	}
	for _, tc := range tests {
		if got := tc.m.Count(); got != tc.want {
			t.Errorf("Micros(%d).Count() = %d, want %d", tc.m, got, tc.want)
		}
	}
	if got := Micros(5).Add(1500 * time.Microsecond); got != 1505 {
		t.Errorf("Add: got %d", got)
	}
	if got := Micros(2000).Sub(500); got != 1500*time.Microsecond {
		t.Errorf("Sub: got %v", got)
	}
}
