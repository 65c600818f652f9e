package scheduler

import (
	"testing"
	"time"

	"go.uber.org/zap/zapcore"

	"github.com/lgwagent/lgw/hal"
)

// TestResultLogging checks that every result is logged: SENT at debug with
// counter, frequency, data rate and group; refusals and failures at warn
// with code and reason.
func TestResultLogging(t *testing.T) {
	r := newRig(t, "EU868", nil)
	ms := hal.MicrosOf(time.Millisecond)
	start := r.now() + 500*ms
	ok := r.req("ok", ClassC, pkt(eu, 9, hal.BW125, 20, 14), atCount(start))
	ok.Origin = "multicast:fuota-1"
	if err := r.s.Schedule(ok); err != nil {
		t.Fatal(err)
	}
	_ = r.s.Schedule(r.req("late", ClassA, pkt(eu, 9, hal.BW125, 20, 14), atCount(r.now()+2*ms)))
	r.schedule("fail", ClassA, pkt(eu, 9, hal.BW125, 20, 14), start+2000*ms)
	r.advance(time.Second)
	r.sim.FailSend(hal.ErrTxBusy, 1)
	r.advance(2 * time.Second)

	tests := []struct {
		msg   string
		level zapcore.Level
		want  map[string]any
	}{
		{msg: "transmission sent", level: zapcore.DebugLevel, want: map[string]any{
			"ref": "ok", "group": "fuota-1", "tmst": uint32(start.Count()), "freq_mhz": 869.525, "datr": "SF9BW125"}},
		{msg: "transmission refused", level: zapcore.WarnLevel, want: map[string]any{"ref": "late", "code": "TOO_LATE"}},
		{msg: "transmission failed", level: zapcore.WarnLevel, want: map[string]any{"ref": "fail", "code": "TX_FAILED"}},
	}
	for _, tc := range tests {
		es := r.logs.FilterMessage(tc.msg).All()
		if len(es) != 1 {
			t.Errorf("%q: %d entries", tc.msg, len(es))
			continue
		}
		e := es[0]
		if e.Level != tc.level {
			t.Errorf("%q at %v, want %v", tc.msg, e.Level, tc.level)
		}
		m := e.ContextMap()
		for k, v := range tc.want {
			if got := m[k]; got != v {
				t.Errorf("%q: %s = %v (%T), want %v", tc.msg, k, got, got, v)
			}
		}
		if tc.level == zapcore.WarnLevel && m["error"] == "" {
			t.Errorf("%q: no reason", tc.msg)
		}
	}
}
