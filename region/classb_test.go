package region

import "testing"

// The class B and downlink facts the multicast rules used to keep in a
// table of their own (spec-classb-multicast.md §1.5, §5.3).
func TestClassBFacts(t *testing.T) {
	tests := []struct {
		name     Name
		min, max uint32
		pingDR   int
		hop      bool
	}{
		{EU868, 863_000_000, 870_000_000, 3, false},
		{US915, 902_000_000, 928_000_000, 8, true},
		{AU915, 915_000_000, 928_000_000, 8, true},
		{AS923_1, 915_000_000, 928_000_000, 3, false},
		{AS923_2, 920_000_000, 923_000_000, 3, false},
		{AS923_3, 915_000_000, 921_000_000, 3, false},
		{AS923_4, 917_000_000, 920_000_000, 3, false},
		{KR920, 920_900_000, 923_300_000, 3, false},
		{IN865, 865_000_000, 867_000_000, 4, false},
		{RU864, 864_000_000, 870_000_000, 3, false},
		{CN470, 470_000_000, 510_000_000, 2, true},
	}
	for _, tc := range tests {
		r := mustLookup(t, tc.name)
		if rng := r.TxFreqRange(); rng.Min != tc.min || rng.Max != tc.max {
			t.Errorf("%s: band %v", tc.name, rng)
		}
		if r.PingSlotDR() != tc.pingDR || r.PingSlotsHop() != tc.hop {
			t.Errorf("%s: ping-slot DR %d, hop %v", tc.name, r.PingSlotDR(), r.PingSlotsHop())
		}
	}
	us := mustLookup(t, US915)
	for f, ok := range map[uint32]bool{923_300_000: true, 927_500_000: true, 923_900_000: true, 923_400_000: false, 928_100_000: false} {
		if us.DownlinkChannel(f) != ok {
			t.Errorf("US915 %d Hz: downlink channel %v, want %v", f, !ok, ok)
		}
	}
	if eu := mustLookup(t, EU868); !eu.DownlinkChannel(869_525_000) || eu.FixedDownlinkChannels() {
		t.Error("EU868 has no fixed downlink plan")
	}
}
