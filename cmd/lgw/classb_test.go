package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func run(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	rc := cmdClassB(args, &out, &errb)
	return rc, out.String(), errb.String()
}

func TestClassBPingSlots(t *testing.T) {
	// spec-classb-multicast.md §1.3 and §1.5 vectors.
	rc, out, errs := run("pingslots", "--devaddr", "26011BDA", "--beacon-time", "1400000000", "--period", "1024", "--region", "US915", "--json")
	if rc != 0 {
		t.Fatalf("rc %d: %s", rc, errs)
	}
	var got struct {
		PingOffset int `json:"ping_offset"`
		Slots      []struct {
			Slot      int     `json:"slot"`
			Offset    float64 `json:"offset_s"`
			Frequency uint32  `json:"frequency"`
		} `json:"slots"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.PingOffset != 863 || len(got.Slots) != 4 || got.Slots[0].Offset != 28.01 || got.Slots[0].Frequency != 926900000 {
		t.Fatalf("got %+v", got)
	}
	rc, out, _ = run("pingslots", "--devaddr", "00000000", "--beacon-time", "0", "--period", "4096")
	if rc != 0 || !strings.Contains(out, "ping offset 2406") || !strings.Contains(out, "74.300") {
		t.Fatalf("rc %d out %s", rc, out)
	}
}

func TestClassBBeacon(t *testing.T) {
	rc, out, errs := run("beacon", "--region", "EU868", "--time", "1300000000", "--lat", "48.85", "--lon", "2.35", "--json")
	if rc != 0 {
		t.Fatalf("rc %d: %s", rc, errs)
	}
	var got struct {
		Frame     string `json:"frame"`
		Frequency uint32 `json:"frequency"`
		DR        int    `json:"dr"`
		Datr      string `json:"datr"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.Frame != "0000006d7c4d670d00be7945cdab012fa9" || got.Frequency != 869525000 || got.DR != 3 || got.Datr != "SF9BW125" {
		t.Fatalf("got %+v", got)
	}
	// §1.7: US915 beacon at 1400000000 on channel 4, 925.7 MHz, 23 bytes.
	rc, out, _ = run("beacon", "--region", "US915", "--time", "1400000000")
	if rc != 0 || !strings.Contains(out, "925.700 MHz") || !strings.Contains(out, "(23 bytes)") {
		t.Fatalf("rc %d out %s", rc, out)
	}
}

func TestClassBUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		nil, {"nope"}, {"beacon", "--time", "1"}, {"beacon", "--time", "128", "--region", "XX"},
		{"beacon", "--time", "128", "--lat", "91"}, {"pingslots", "--devaddr", "zz", "--beacon-time", "0", "--period", "32"},
		{"pingslots", "--devaddr", "01020304", "--beacon-time", "0", "--period", "33"}, {"beacon", "--bogus"},
		{"beacon", "--time", "128", "extra"},
	} {
		if rc, _, errs := run(args...); rc != 2 || errs == "" {
			t.Errorf("%v: rc %d stderr %q", args, rc, errs)
		}
	}
	if rc, _, _ := run("beacon", "-h"); rc != 0 {
		t.Errorf("-h: rc %d", rc)
	}
}
