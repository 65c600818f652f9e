package region

import (
	"errors"
	"testing"

	"github.com/lgwagent/lgw/hal"
)

func TestLookup(t *testing.T) {
	for _, n := range Names {
		r, err := Lookup(string(n))
		if err != nil {
			t.Fatalf("Lookup(%s): %v", n, err)
		}
		if r.Name() != n {
			t.Errorf("Name() = %s, want %s", r.Name(), n)
		}
	}
	_, err := Lookup("EU969")
	var ue *UnknownError
	if !errors.As(err, &ue) || ue.Name != "EU969" {
		t.Fatalf("Lookup(EU969): got %v, want UnknownError", err)
	}
}

func TestMaxPayloadAndDataRate(t *testing.T) {
	tests := []struct {
		region  Name
		dr      int
		wantN   int
		wantDR  string
		wantErr bool
	}{
		{US915, 8, 33, "SF12BW500", false},
		{EU868, 0, 51, "SF12BW125", false},
		{EU868, 5, 242, "SF7BW125", false},
		{EU868, 7, 242, "50000", false},
		{US915, 13, 242, "SF7BW500", false},
		{AU915, 8, 33, "SF12BW500", false},
		{EU868, 16, 0, "", true},
	}
	for _, tc := range tests {
		r, err := Lookup(string(tc.region))
		if err != nil {
			t.Fatal(err)
		}
		n, err := r.MaxPayload(tc.dr)
		if (err != nil) != tc.wantErr {
			t.Fatalf("%s DR%d MaxPayload err = %v", tc.region, tc.dr, err)
		}
		if err != nil {
			continue
		}
		if n != tc.wantN {
			t.Errorf("%s DR%d N = %d, want %d", tc.region, tc.dr, n, tc.wantN)
		}
		d, err := r.DataRate(tc.dr)
		if err != nil {
			t.Fatal(err)
		}
		if d.Datr() != tc.wantDR {
			t.Errorf("%s DR%d = %s, want %s", tc.region, tc.dr, d.Datr(), tc.wantDR)
		}
		back, err := r.DataRateIndex(d)
		if err != nil || back != tc.dr {
			t.Errorf("%s DataRateIndex(%s) = %d, %v; want %d", tc.region, d.Datr(), back, err, tc.dr)
		}
	}
	eu, _ := Lookup("EU868")
	if f, dr := eu.RX2(); f != 869525000 || dr != 0 {
		t.Errorf("EU868 RX2 = %d DR%d", f, dr)
	}
	_ = hal.BW125
}
