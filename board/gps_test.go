package board

import (
	"context"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/gps/gpstest"
	"github.com/lgwagent/lgw/hal/sim"
)

// TestGPSDeviceGivesFixes opens the configured GPS port (a pty here) the
// way the SX1302 boards do, and reads fixes paired with the PPS latch.
func TestGPSDeviceGivesFixes(t *testing.T) {
	v := clock.NewVirtual(time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC))
	conc, err := sim.New(sim.Config{Clock: v, GPS: sim.GPSConfig{Enabled: true}})
	if err != nil {
		t.Fatal(err)
	}
	if err := conc.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer conc.Stop()
	master, slave := gpstest.OpenPTY(t)
	closed := false
	hw := Hardware{Concentrator: conc, Close: func() error { closed = true; return nil }}
	if err := openGPS(Params{GPSDevice: slave, Log: zap.NewNop()}, conc, &hw); err != nil {
		t.Fatal(err)
	}
	v.Advance(1100 * time.Millisecond) // a pulse at 1 s moves the latch
	if _, err := master.WriteString(gpstest.RMC("120001.00", "211126", "A") + "\r\n"); err != nil {
		t.Fatal(err)
	}
	select {
	case f := <-hw.GPS.Fixes():
		if f.PPSCount != 1000000 {
			t.Fatalf("fix latched %d, want the 1 s pulse", f.PPSCount)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no fix from the GPS port")
	}
	if err := hw.Close(); err != nil || !closed {
		t.Fatalf("Close: %v, board closed %v", err, closed)
	}
	if err := openGPS(Params{GPSDevice: "/dev/no-such-tty", Log: zap.NewNop()}, conc, &Hardware{}); err == nil {
		t.Fatal("a missing GPS port was accepted")
	}
}
