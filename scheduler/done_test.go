package scheduler

import (
	"testing"
	"time"

	"github.com/lgwagent/lgw/hal"
)

// TestDoneNeverUnderTheLock holds the Request.Done contract: every Done
// (displaced by Schedule, cancelled by Cancel, sent by the timer, failed by
// Stop) runs without the scheduler's lock, so a Done that calls back into
// the scheduler does not deadlock, and Schedule and Cancel have returned
// their own verdict on the item before its Done runs.
func TestDoneNeverUnderTheLock(t *testing.T) {
	r := newRig(t, "EU868", nil)
	ms := hal.MicrosOf(time.Millisecond)
	at := r.now() + 800*ms
	reenter := func(res Result) {
		_ = r.s.Queue() // takes the scheduler's lock
		_ = r.s.Stats()
		r.done(res)
	}
	req := func(ref string, c Class, start hal.Micros) Request {
		q := r.req(ref, c, pkt(eu, 9, hal.BW125, 20, 14), atCount(start))
		q.Done = reenter
		return q
	}
	if err := r.s.Schedule(req("c", ClassC, at)); err != nil {
		t.Fatal(err)
	}
	// Displaces c: c's Done runs inside this Schedule, after the lock.
	if err := r.s.Schedule(req("a", ClassA, at+10*ms)); err != nil {
		t.Fatal(err)
	}
	r.mustResult("c", CollisionPacket)
	if err := r.s.Schedule(req("k", ClassA, at+3000*ms)); err != nil {
		t.Fatal(err)
	}
	if !r.s.Cancel("k") {
		t.Fatal("cancel")
	}
	r.mustResult("k", Cancelled)
	if err := r.s.Schedule(req("s", ClassA, at+5000*ms)); err != nil {
		t.Fatal(err)
	}
	r.advance(time.Second)
	r.mustResult("a", Sent)
	r.s.Stop()
	r.mustResult("s", TxFailed)
}
