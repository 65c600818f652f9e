package multicast

import (
	"errors"
	"testing"
	"time"

	"github.com/lgwagent/lgw/apierr"
	"github.com/lgwagent/lgw/region"
)

func fieldOf(err error) (apierr.Kind, string) {
	var e *apierr.Error
	if !errors.As(err, &e) {
		return "", ""
	}
	return e.Kind, e.Field
}

func TestRoundSessionTimeout(t *testing.T) {
	tests := []struct {
		class   string
		in, out int
		bad     bool
	}{
		{ClassC, 59, 0, true}, {ClassC, 60, 64, false}, {ClassC, 64, 64, false}, {ClassC, 65, 128, false},
		{ClassC, 32768, 32768, false}, {ClassC, 32769, 32768, false}, {ClassC, 64800, 32768, false},
		{ClassC, 64801, 0, true}, {ClassB, 100000, 131072, false}, {ClassB, 131073, 131072, false},
		{ClassB, 172800, 131072, false}, {ClassB, 172801, 0, true}, {ClassB, 60, 64, false},
	}
	for _, tc := range tests {
		got, err := RoundSessionTimeout(tc.class, tc.in)
		if tc.bad {
			if k, f := fieldOf(err); k != apierr.Validation || f != "LoRaWAN.SessionTimeout" {
				t.Errorf("%s %d: err %v, want validation of SessionTimeout", tc.class, tc.in, err)
			}
			continue
		}
		if err != nil || got != tc.out {
			t.Errorf("%s %d = %d, %v; want %d", tc.class, tc.in, got, err, tc.out)
		}
	}
}

func TestDefaultsAndChecks(t *testing.T) {
	tests := []struct {
		reg          region.Name
		class        string
		dr           int
		freq         uint32
		goodFreq     uint32
		badFreq      uint32
		badDR, empty int
	}{
		{region.EU868, ClassC, 0, 869525000, 868100000, 902300000, 8, 0},
		{region.EU868, ClassB, 0, 869525000, 869525000, 870100000, 16, 0},
		{region.US915, ClassC, 8, 923300000, 927500000, 923400000, 4, 0},
		{region.US915, ClassB, 8, 0, 923900000, 902300000, 0, 0},
		{region.AS923_1, ClassB, 3, 923400000, 923200000, 910000000, 8, 0},
		{region.KR920, ClassC, 0, 921900000, 922100000, 925000000, 6, 0},
		{region.IN865, ClassB, 4, 866550000, 866550000, 868000000, 6, 0},
	}
	for _, tc := range tests {
		r, err := region.Lookup(string(tc.reg))
		if err != nil {
			t.Fatal(err)
		}
		if got := DefaultDlDr(r, tc.class); got != tc.dr {
			t.Errorf("%s %s default DR %d, want %d", tc.reg, tc.class, got, tc.dr)
		}
		if f, err := DefaultDlFreq(r, tc.class, [4]byte{1, 2, 3, 4}); err != nil || f != tc.freq {
			t.Errorf("%s %s default freq %d, %v; want %d", tc.reg, tc.class, f, err, tc.freq)
		}
		if err := checkDlDr(r, tc.dr); err != nil {
			t.Errorf("%s DR%d refused: %v", tc.reg, tc.dr, err)
		}
		if k, f := fieldOf(checkDlDr(r, tc.badDR)); k != apierr.Validation || f != "LoRaWAN.DlDr" {
			t.Errorf("%s DR%d: want validation of DlDr", tc.reg, tc.badDR)
		}
		if err := checkDlFreq(r, tc.goodFreq); err != nil {
			t.Errorf("%s %d refused: %v", tc.reg, tc.goodFreq, err)
		}
		if k, f := fieldOf(checkDlFreq(r, tc.badFreq)); k != apierr.Validation || f != "LoRaWAN.DlFreq" {
			t.Errorf("%s %d accepted", tc.reg, tc.badFreq)
		}
	}
	eu, _ := region.Lookup("EU868")
	for _, f := range []uint32{99_000_000, 1_000_000_100, 868_100_050} {
		if checkDlFreq(eu, f) == nil {
			t.Errorf("freq %d accepted", f)
		}
	}
}

func TestPingSlotPeriodAndStart(t *testing.T) {
	for _, p := range []int{32, 64, 128, 256, 512, 1024, 2048, 4096} {
		if err := checkPingSlotPeriod(p); err != nil {
			t.Errorf("%d refused", p)
		}
	}
	for _, p := range []int{0, 16, 33, 100, 8192} {
		if k, f := fieldOf(checkPingSlotPeriod(p)); k != apierr.Validation || f != "LoRaWAN.PingSlotPeriod" {
			t.Errorf("%d accepted", p)
		}
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		s  string
		ok bool
	}{
		{"2026-01-01T00:29:59Z", false}, {"2026-01-01T00:30:00Z", true}, {"2026-01-03T00:00:00Z", true},
		{"2026-01-03T00:00:01Z", false}, {"tomorrow", false}, {"", false}, {"2026-01-01T02:30:00+02:00", true},
	}
	for _, tc := range tests {
		_, err := parseStartTime(tc.s, now, DefaultMinStartLead, DefaultMaxStartAhead)
		if (err == nil) != tc.ok {
			t.Errorf("%q: err %v, want ok=%v", tc.s, err, tc.ok)
		}
		if err != nil {
			if _, f := fieldOf(err); f != "LoRaWAN.SessionStartTime" {
				t.Errorf("%q: field %q", tc.s, f)
			}
		}
	}
}

func TestStoreCorrupt(t *testing.T) {
	b := encodeStore("groups", []byte(`{"a":1}`))
	if _, err := decodeStore("p", "groups", b); err != nil {
		t.Fatal(err)
	}
	b[len(b)-2] ^= 1
	var ce *CorruptError
	if _, err := decodeStore("p", "groups", b); !errors.As(err, &ce) {
		t.Fatalf("flipped bit: %v", err)
	}
	if _, err := decodeStore("p", "queue", encodeStore("groups", nil)); !errors.As(err, &ce) {
		t.Fatal("wrong kind accepted")
	}
}

// Every region's defaults pass the region's own checks.
func TestDefaultsValidEverywhere(t *testing.T) {
	for _, n := range region.Names {
		r, err := region.Lookup(string(n))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []string{ClassB, ClassC} {
			if err := checkDlDr(r, DefaultDlDr(r, c)); err != nil {
				t.Errorf("%s %s default DR: %v", n, c, err)
			}
			f, err := DefaultDlFreq(r, c, [4]byte{1, 2, 3, 4})
			if err != nil {
				t.Errorf("%s %s default freq: %v", n, c, err)
			}
			if f == 0 && (c == ClassC || !r.PingSlotsHop()) {
				t.Errorf("%s %s: default freq 0 outside hopping class B", n, c)
			}
			if f != 0 {
				if err := checkDlFreq(r, f); err != nil {
					t.Errorf("%s %s default freq %d: %v", n, c, f, err)
				}
			}
		}
	}
}
