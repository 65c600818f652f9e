package region

import (
	"encoding/hex"
	"testing"
	"time"

	"github.com/brocaar/lorawan"

	"github.com/lgwagent/lgw/hal"
)

func mustLookup(t *testing.T, n Name) *Region {
	t.Helper()
	r, err := Lookup(string(n))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// CRC vectors of spec-classb-multicast.md §1.6.
func TestCRC16Vectors(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want uint16
	}{
		{"0000000002cc", 0x7EA2},
		{"00012000008103", 0x55DE},
		{"0001200000810300", 0xD450},
		{"313233343536373839", 0x31C3},
	} {
		b, _ := hex.DecodeString(tc.in)
		if got := CRC16(b); got != tc.want {
			t.Errorf("CRC16(%s) = %#04x, want %#04x", tc.in, got, tc.want)
		}
	}
}

func TestBeaconFrames(t *testing.T) {
	eu := mustLookup(t, EU868)
	f, err := eu.Beacon()
	if err != nil {
		t.Fatal(err)
	}
	// §1.6 spec example: Time bytes 00 00 02 CC, Info 01 20 00 00 81 03.
	got, err := f.Encode(BeaconFrame{Time: 0xCC020000, Info: [6]byte{0x01, 0x20, 0x00, 0x00, 0x81, 0x03}})
	if err != nil {
		t.Fatal(err)
	}
	if want := "0000000002cca27e00012000008103de55"; hex.EncodeToString(got) != want {
		t.Errorf("EU868 spec example: got %x, want %s", got, want)
	}
	// sx1302-rxtx-timing.md §5 vectors (SF9, GPS 1300000000).
	info, err := LatLngInfo(48.85, 2.35)
	if err != nil {
		t.Fatal(err)
	}
	got, _ = f.Encode(BeaconFrame{Time: 1300000000, Info: info})
	if want := "0000006d7c4d670d00be7945cdab012fa9"; hex.EncodeToString(got) != want {
		t.Errorf("EU868 48.85/2.35: got %x, want %s", got, want)
	}
	got, _ = f.Encode(BeaconFrame{Time: 1300000000})
	if want := "0000006d7c4d670d000000000000000000"; hex.EncodeToString(got) != want {
		t.Errorf("EU868 0/0: got %x, want %s", got, want)
	}
	if _, err := f.Encode(BeaconFrame{Prec: 4}); err == nil {
		t.Error("prec 4 accepted")
	}
}

func TestBeaconFormats(t *testing.T) {
	for _, tc := range []struct {
		name Name
		size int
		datr string
	}{
		{EU868, 17, "SF9BW125"}, {US915, 23, "SF12BW500"}, {AU915, 23, "SF12BW500"}, {AS923_1, 17, "SF9BW125"},
		{CN470, 19, "SF10BW125"}, {KR920, 17, "SF9BW125"}, {IN865, 19, "SF8BW125"}, {RU864, 17, "SF9BW125"},
	} {
		f, err := mustLookup(t, tc.name).Beacon()
		if err != nil {
			t.Fatal(err)
		}
		if f.Size() != tc.size || f.DataRate.Datr() != tc.datr {
			t.Errorf("%s: size %d datr %s, want %d %s", tc.name, f.Size(), f.DataRate.Datr(), tc.size, tc.datr)
		}
		b, _ := f.Encode(BeaconFrame{Time: 1})
		if len(b) != tc.size {
			t.Errorf("%s: encoded %d bytes", tc.name, len(b))
		}
	}
}

func TestLatLngInfo(t *testing.T) {
	info, _ := LatLngInfo(90, -180)
	if want := "ffff7f000080"; hex.EncodeToString(info[:]) != want {
		t.Errorf("clamp: got %x, want %s", info, want)
	}
	if _, err := LatLngInfo(91, 0); err == nil {
		t.Error("latitude 91 accepted")
	}
	if _, err := LatLngInfo(0, -181); err == nil {
		t.Error("longitude -181 accepted")
	}
}

// Frequencies of spec-classb-multicast.md §1.5 and §1.7.
func TestBeaconAndPingFrequencies(t *testing.T) {
	bt := 1400000000 * time.Second
	us := mustLookup(t, US915)
	if f, _ := us.BeaconFrequency(bt); f != 925700000 {
		t.Errorf("US915 beacon at 1400000000: %d, want 925700000", f)
	}
	if f, _ := us.PingSlotFrequency(lorawan.DevAddr{0x26, 0x01, 0x1b, 0xda}, bt); f != 926900000 {
		t.Errorf("US915 ping 26011BDA: %d, want 926900000", f)
	}
	if f, _ := mustLookup(t, EU868).BeaconFrequency(bt); f != 869525000 {
		t.Errorf("EU868 beacon %d", f)
	}
	ru := mustLookup(t, RU864)
	if f, _ := ru.BeaconFrequency(bt); f != 869100000 {
		t.Errorf("RU864 beacon %d", f)
	}
	if f, _ := ru.PingSlotFrequency(lorawan.DevAddr{}, bt); f != 868900000 {
		t.Errorf("RU864 ping %d", f)
	}
	if f, _ := mustLookup(t, AS923_2).PingSlotFrequency(lorawan.DevAddr{}, bt); f != 921600000 {
		t.Errorf("AS923-2 ping %d", f)
	}
}

func TestBeaconTimeFor(t *testing.T) {
	for in, want := range map[time.Duration]time.Duration{
		0: 0, 127 * time.Second: 0, 128 * time.Second: 128 * time.Second, 1234567900 * time.Second: 1234567808 * time.Second,
		-time.Second: -128 * time.Second,
	} {
		if got := BeaconTimeFor(in); got != want {
			t.Errorf("BeaconTimeFor(%v) = %v, want %v", in, got, want)
		}
	}
}

func TestTxLimits(t *testing.T) {
	eu := mustLookup(t, EU868)
	for _, tc := range []struct {
		freq, bw uint32
		ok       bool
		power    int8
		dc       float64
	}{
		{869525000, 125000, true, 27, 0.1},
		{868100000, 125000, true, 14, 0.01},
		{864000000, 125000, true, 14, 0.001},
		{868650000, 125000, false, 14, 0}, // gap 868.6-868.7
		{869625000, 125000, false, 14, 0}, // straddles 869.65
		{862000000, 125000, false, 14, 0}, // below the region
		{923300000, 500000, false, 14, 0}, // US channel
	} {
		err := eu.CheckTxFreq(tc.freq, tc.bw)
		if (err == nil) != tc.ok {
			t.Errorf("EU868 %d: err %v, want ok=%v", tc.freq, err, tc.ok)
		}
		if tc.ok {
			if p := eu.MaxTxPower(tc.freq); p != tc.power {
				t.Errorf("EU868 %d: power %d, want %d", tc.freq, p, tc.power)
			}
			sb, _ := eu.SubBandOf(tc.freq, tc.bw)
			if sb.DutyCycle != tc.dc {
				t.Errorf("EU868 %d: duty cycle %v, want %v", tc.freq, sb.DutyCycle, tc.dc)
			}
		}
	}
	us := mustLookup(t, US915)
	if err := us.CheckTxFreq(923300000, 500000); err != nil {
		t.Error(err)
	}
	if us.SubBands() != nil || us.MaxTxPower(923300000) != 30 {
		t.Error("US915 limits")
	}
	if d := us.DwellLimit(923300000, hal.BW500); d != 0 {
		t.Errorf("US915 500 kHz dwell %v", d)
	}
	if d := us.DwellLimit(902300000, hal.BW125); d != 400*time.Millisecond {
		t.Errorf("US915 125 kHz dwell %v", d)
	}
	if d := mustLookup(t, AS923_1).DwellLimit(923200000, hal.BW125); d != 400*time.Millisecond {
		t.Errorf("AS923 dwell %v", d)
	}
	if d := eu.DwellLimit(869525000, hal.BW125); d != 0 {
		t.Errorf("EU868 dwell %v", d)
	}
	sb, _ := eu.SubBandOf(869525000, 125000)
	if sb.Budget() != 360*time.Second {
		t.Errorf("budget %v", sb.Budget())
	}
}
