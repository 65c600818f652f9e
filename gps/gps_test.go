package gps

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	lwgps "github.com/brocaar/lorawan/gps"

	"github.com/lgwagent/lgw/gps/gpstest"
	"github.com/lgwagent/lgw/hal"
)

var (
	sentence = gpstest.Sentence
	rmc      = gpstest.RMC
)

// latches returns a LatchFunc that gives the values in turn.
func latches(vals ...hal.Count) LatchFunc {
	i := 0
	return func() (hal.Count, error) {
		if i >= len(vals) {
			return 0, errors.New("no more latches")
		}
		v := vals[i]
		i++
		return v, nil
	}
}

func drain(r *Receiver) []hal.GPSFix {
	var out []hal.GPSFix
	for {
		select {
		case f := <-r.fixes:
			out = append(out, f)
		default:
			return out
		}
	}
}

func TestPairsEachSecondWithItsPulse(t *testing.T) {
	r := New(nil, latches(1000000, 2000001, 2000001, 4000003), nil)
	lines := []string{
		sentence("GPGGA,120000.00,4851.3960,N,00221.1320,E,1,08,0.9,35.0,M,47.0,M,,"),
		rmc("120000.00", "211126", "A"),
		sentence("GPZDA,120000.00,21,11,2026,00,00"), // same second: paired once
		rmc("120001.00", "211126", "A"),
		rmc("120002.00", "211126", "A"), // latch did not move: stale
		rmc("120003.00", "211126", "V"), // receiver has no fix
		rmc("120004.00", "211126", "A"),
		rmc("120004.50", "211126", "A"), // not the top of a second
		"$GPRMC,garbage*00",
	}
	for _, l := range lines {
		r.HandleLine(l)
	}
	fixes := drain(r)
	if len(fixes) != 3 {
		t.Fatalf("got %d fixes, want 3: %+v", len(fixes), fixes)
	}
	want := []struct {
		utc string
		pps hal.Count
	}{{"2026-11-21T12:00:00Z", 1000000}, {"2026-11-21T12:00:01Z", 2000001}, {"2026-11-21T12:00:04Z", 4000003}}
	for i, w := range want {
		utc, _ := time.Parse(time.RFC3339, w.utc)
		if fixes[i].Time != lwgps.Time(utc).TimeSinceGPSEpoch() || fixes[i].PPSCount != w.pps {
			t.Errorf("fix %d = %v/%d, want %s/%d", i, fixes[i].Time, fixes[i].PPSCount, w.utc, w.pps)
		}
	}
	if !fixes[0].HasPos || fixes[0].Altitude != 35 || fixes[0].Latitude < 48.85 || fixes[0].Latitude > 48.86 {
		t.Errorf("position %+v", fixes[0])
	}
	st := r.Stats()
	if st.Fixes != 3 || st.Stale != 1 || st.Invalid != 1 || st.Bad != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestSerialEndToEnd(t *testing.T) {
	master, slave := gpstest.OpenPTY(t)
	port, err := OpenSerial(slave, 9600)
	if err != nil {
		t.Fatal(err)
	}
	r := New(port, latches(5000000, 6000000), nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	text := strings.Join([]string{rmc("235959.00", "311226", "A"), rmc("000000.00", "010127", "A")}, "\r\n") + "\r\n"
	if _, err := master.WriteString(text); err != nil {
		t.Fatal(err)
	}
	var got []hal.GPSFix
	for len(got) < 2 {
		select {
		case f := <-r.Fixes():
			got = append(got, f)
		case <-time.After(5 * time.Second):
			t.Fatalf("got %d fixes through the serial port", len(got))
		}
	}
	if got[1].Time-got[0].Time != time.Second || got[1].PPSCount != 6000000 {
		t.Fatalf("fixes across the new year: %+v", got)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if _, ok := <-r.Fixes(); ok {
		t.Fatal("fixes channel not closed")
	}
}

func TestOpenSerialErrors(t *testing.T) {
	if _, err := OpenSerial("/dev/does-not-exist", 9600); err == nil || !strings.Contains(err.Error(), "/dev/does-not-exist") {
		t.Fatalf("missing port: %v", err)
	}
	if _, err := OpenSerial("/dev/null", 1234); err == nil || !strings.Contains(err.Error(), "baud 1234") {
		t.Fatalf("bad baud: %v", err)
	}
	if _, err := OpenSerial("/dev/null", 9600); err == nil {
		t.Fatal("/dev/null accepted as a serial port")
	}
}
