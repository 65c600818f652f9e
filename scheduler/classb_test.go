package scheduler

import (
	"testing"
	"time"

	"github.com/brocaar/lorawan"

	"github.com/lgwagent/lgw/region"
)

// Vectors of spec-classb-multicast.md §1.3.
func TestPingOffsetVectors(t *testing.T) {
	for _, tc := range []struct {
		bt     int64
		addr   lorawan.DevAddr
		period int
		off    int
		first  time.Duration
	}{
		{0, lorawan.DevAddr{}, 4096, 2406, 74300 * time.Millisecond},
		{0, lorawan.DevAddr{}, 1024, 358, 12860 * time.Millisecond},
		{0, lorawan.DevAddr{}, 32, 6, 2300 * time.Millisecond},
		{1400000000, lorawan.DevAddr{0x26, 0x01, 0x1b, 0xda}, 4096, 2911, 89450 * time.Millisecond},
		{1400000000, lorawan.DevAddr{0x26, 0x01, 0x1b, 0xda}, 1024, 863, 28010 * time.Millisecond},
		{1356000000, lorawan.DevAddr{0xfc, 0x00, 0xac, 0x11}, 4096, 1152, 36680 * time.Millisecond},
	} {
		bt := time.Duration(tc.bt) * time.Second
		off, err := PingOffset(tc.addr, bt, tc.period)
		if err != nil {
			t.Fatal(err)
		}
		if off != tc.off {
			t.Errorf("%d %s %d: offset %d, want %d", tc.bt, tc.addr, tc.period, off, tc.off)
		}
		if got := slotTime(bt, off) - bt; got != tc.first {
			t.Errorf("%d %s %d: first slot %v, want %v", tc.bt, tc.addr, tc.period, got, tc.first)
		}
	}
}

func TestPingSlotsAndNext(t *testing.T) {
	us, _ := region.Lookup("US915")
	bt := 1400000000 * time.Second / region.BeaconPeriod * region.BeaconPeriod
	addr := lorawan.DevAddr{0x26, 0x01, 0x1b, 0xda}
	off, slots, err := PingSlotsIn(addr, bt, 32, us)
	if err != nil {
		t.Fatal(err)
	}
	if len(slots) != 128 || slots[0].Index != off || slots[1].Index != off+32 {
		t.Fatalf("slots: %d, first %+v", len(slots), slots[0])
	}
	if _, _, err := PingSlotsIn(addr, bt+time.Second, 32, us); err == nil {
		t.Error("unaligned beacon time accepted")
	}
	last := slots[len(slots)-1]
	if last.Time-bt > 125*time.Second {
		t.Errorf("last slot at %v", last.Time-bt)
	}
	// Next slot after the last one is in the next beacon period.
	n, err := NextPingSlot(addr, last.Time+time.Millisecond, 32, us)
	if err != nil {
		t.Fatal(err)
	}
	if n.BeaconTime != bt+region.BeaconPeriod || n.Time <= last.Time {
		t.Errorf("next: %+v", n)
	}
	n, _ = NextPingSlot(addr, slots[3].Time, 32, us)
	if n.Time != slots[3].Time {
		t.Errorf("at a slot start: got %v want %v", n.Time, slots[3].Time)
	}
	for _, p := range []int{0, 16, 33, 8192} {
		if _, err := PingOffset(addr, bt, p); err == nil {
			t.Errorf("period %d accepted", p)
		}
	}
}
