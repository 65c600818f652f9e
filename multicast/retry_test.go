package multicast_test

import (
	"errors"
	"testing"
	"time"

	"github.com/brocaar/lorawan"
	"github.com/brocaar/lorawan/gps"

	"github.com/lgwagent/lgw/multicast"
	"github.com/lgwagent/lgw/region"
	"github.com/lgwagent/lgw/scheduler"
)

// newRetryEnv is newEnv with a manager sending a frame the chip never
// emitted again up to retries times.
func newRetryEnv(t *testing.T, retries int) *env {
	t.Helper()
	e := newEnv(t, t.TempDir(), nil)
	e.m.Stop()
	e.openWith(t, func(c *multicast.Config) { c.LateRetries = retries })
	return e
}

// TestLateHandoffRetry runs the manager on the real scheduler and the
// simulator on virtual time. The simulator misses the trigger of the first
// sends, as a chip does when the host programs it too late: the scheduler
// sees the transmission still armed after its start, aborts it and reports
// TX_FAILED marked ErrLateHandoff. The manager sends that frame again,
// same counter, up to Config.LateRetries times, and the report gives the
// number of attempts.
func TestLateHandoffRetry(t *testing.T) {
	tests := []struct {
		name         string
		missed       int // triggers the chip misses (-1: all)
		retries      int
		want         scheduler.Code
		wantAttempts int
	}{
		{name: "sent on the second attempt", missed: 1, retries: 3, want: scheduler.Sent, wantAttempts: 2},
		{name: "sent on the last allowed attempt", missed: 2, retries: 2, want: scheduler.Sent, wantAttempts: 3},
		{name: "retries used up", missed: -1, retries: 2, want: scheduler.TxFailed, wantAttempts: 3},
		{name: "no retries configured", missed: -1, retries: 0, want: scheduler.TxFailed, wantAttempts: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newRetryEnv(t, tc.retries)
			e.group(t, "g", multicast.ClassC, "EU868")
			start := t0.Add(31 * time.Minute)
			e.session(t, "g", start, 600, ip(5))
			e.sim.MissTriggers(tc.missed)
			id, err := send(e.m, "g", []byte("firmware block"), 201)
			if err != nil {
				t.Fatal(err)
			}
			e.runUntil(t, start.Add(5*time.Second))
			if len(e.reps) != 1 {
				t.Fatalf("%d reports, want 1: %+v", len(e.reps), e.reps)
			}
			r := e.reps[0]
			if r.MessageId != id || r.Result.Code != tc.want || r.Attempts != tc.wantAttempts {
				t.Fatalf("report %s %s after %d attempts (%v), want %s after %d", r.MessageId, r.Result.Code, r.Attempts,
					r.Result.Err, tc.want, tc.wantAttempts)
			}
			air := e.sim.AirLog()
			if tc.want != scheduler.Sent {
				if !errors.Is(r.Result.Err, scheduler.ErrLateHandoff) || len(air) != 0 {
					t.Fatalf("err %v, %d emissions; want ErrLateHandoff and nothing on air", r.Result.Err, len(air))
				}
				return
			}
			// One emission, with the frame counter the first attempt took.
			if len(air) != 1 {
				t.Fatalf("%d emissions", len(air))
			}
			fcnt, _, payload := decode(t, air[0].Payload)
			if fcnt != r.FCnt || fcnt != 0 || string(payload) != "firmware block" {
				t.Fatalf("emitted fcnt %d %q, report fcnt %d; want the first counter, 0", fcnt, payload, r.FCnt)
			}
		})
	}
}

// A class B frame the chip never emitted goes again, same counter, in a
// later ping slot of its session.
func TestLateHandoffRetryClassB(t *testing.T) {
	e := newRetryEnv(t, 3)
	e.group(t, "b", multicast.ClassB, "EU868")
	start := t0.Add(31 * time.Minute)
	if _, err := e.m.StartMulticastGroupSession(ctx, multicast.StartSessionInput{Id: "b", LoRaWAN: multicast.SessionLoRaWAN{
		SessionStartTime: start.Format(time.RFC3339), SessionTimeout: ip(1000), PingSlotPeriod: ip(128)}}); err != nil {
		t.Fatal(err)
	}
	e.sim.MissTriggers(1)
	if _, err := send(e.m, "b", []byte("block 1"), 2); err != nil {
		t.Fatal(err)
	}
	e.runUntil(t, start.Add(10*time.Minute))
	if len(e.reps) != 1 {
		t.Fatalf("%d reports", len(e.reps))
	}
	r := e.reps[0]
	if r.Result.Code != scheduler.Sent || r.Attempts != 2 {
		t.Fatalf("report %s after %d attempts (%v), want SENT after 2", r.Result.Code, r.Attempts, r.Result.Err)
	}
	air := e.sim.AirLog()
	if len(air) != 1 {
		t.Fatalf("%d emissions", len(air))
	}
	fcnt, _, payload := decode(t, air[0].Payload)
	if fcnt != r.FCnt || fcnt != 0 || string(payload) != "block 1" {
		t.Fatalf("emitted fcnt %d %q, report fcnt %d; want the first counter, 0", fcnt, payload, r.FCnt)
	}
	// The first attempt had the session's first ping slot; the frame went
	// out in a later one.
	eu, err := region.Lookup("EU868")
	if err != nil {
		t.Fatal(err)
	}
	firstBeacon := (gps.Time(start).TimeSinceGPSEpoch() + region.BeaconPeriod - 1).Truncate(region.BeaconPeriod)
	first, err := scheduler.NextPingSlot(lorawan.DevAddr{1, 2, 3, 4}, firstBeacon, 128, eu)
	if err != nil {
		t.Fatal(err)
	}
	if g := gps.Time(air[0].StartTime).TimeSinceGPSEpoch(); g < first.Time+region.PingSlotLen {
		t.Fatalf("emitted at GPS %v, want a ping slot after the first one (%v)", g, first.Time)
	}
}
