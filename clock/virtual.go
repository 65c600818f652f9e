package clock

import (
	"container/heap"
	"sync"
	"time"
)

// Virtual is a clock that moves only when told to. Timers fire in deadline
// order while Advance or Set walks time forward; AfterFunc callbacks run
// synchronously inside Advance, in deadline order, so tests see their
// effects when Advance returns. The zero value is not usable: use NewVirtual.
type Virtual struct {
	mu      sync.Mutex
	now     time.Time
	seq     uint64
	pending eventHeap
	waiters []waiter
}

type waiter struct {
	n  int
	ch chan struct{}
}

// NewVirtual returns a virtual clock that reads start.
func NewVirtual(start time.Time) *Virtual { return &Virtual{now: start} }

// Now returns the virtual time.
func (v *Virtual) Now() time.Time {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.now
}

// Advance moves the clock forward by d, firing every timer that falls due
// on the way at its own deadline.
func (v *Virtual) Advance(d time.Duration) {
	v.mu.Lock()
	target := v.now.Add(d)
	v.mu.Unlock()
	v.Set(target)
}

// Set moves the clock forward to t (never backwards), firing timers due on
// the way.
func (v *Virtual) Set(t time.Time) {
	for {
		v.mu.Lock()
		if len(v.pending) == 0 || v.pending[0].when.After(t) {
			if t.After(v.now) {
				v.now = t
			}
			v.mu.Unlock()
			return
		}
		e := heap.Pop(&v.pending).(*event)
		e.index = -1
		if e.when.After(v.now) {
			v.now = e.when
		}
		now := v.now
		if e.period > 0 {
			e.when = e.when.Add(e.period)
			e.seq = v.nextSeq()
			heap.Push(&v.pending, e)
		}
		v.mu.Unlock()
		e.fire(now)
	}
}

// Pending returns the number of timers and tickers waiting to fire.
func (v *Virtual) Pending() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.pending)
}

// NextDeadline returns the deadline of the earliest pending timer, if any.
func (v *Virtual) NextDeadline() (time.Time, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.pending) == 0 {
		return time.Time{}, false
	}
	return v.pending[0].when, true
}

// BlockUntil returns a channel closed once at least n timers are pending.
// Tests use it to wait for a goroutine to arm its timer before advancing.
func (v *Virtual) BlockUntil(n int) <-chan struct{} {
	v.mu.Lock()
	defer v.mu.Unlock()
	ch := make(chan struct{})
	if len(v.pending) >= n {
		close(ch)
		return ch
	}
	v.waiters = append(v.waiters, waiter{n: n, ch: ch})
	return ch
}

// NewTimer returns a virtual timer.
func (v *Virtual) NewTimer(d time.Duration) Timer {
	e := &event{clock: v, ch: make(chan time.Time, 1), index: -1}
	v.schedule(e, d)
	return e
}

// AfterFunc returns a virtual timer that calls f when it fires. Unlike
// time.AfterFunc, f runs synchronously in the goroutine that advances the
// clock.
func (v *Virtual) AfterFunc(d time.Duration, f func()) Timer {
	e := &event{clock: v, fn: f, index: -1}
	v.schedule(e, d)
	return e
}

// NewTicker returns a virtual ticker. It panics if d is not positive, like
// time.NewTicker.
func (v *Virtual) NewTicker(d time.Duration) Ticker {
	if d <= 0 {
		panic("clock: non-positive interval for NewTicker")
	}
	e := &event{clock: v, ch: make(chan time.Time, 1), period: d, index: -1}
	v.schedule(e, d)
	return virtualTicker{e}
}

type virtualTicker struct{ e *event }

func (t virtualTicker) C() <-chan time.Time { return t.e.ch }
func (t virtualTicker) Stop()               { t.e.clock.remove(t.e) }

func (v *Virtual) nextSeq() uint64 {
	v.seq++
	return v.seq
}

func (v *Virtual) schedule(e *event, d time.Duration) {
	v.mu.Lock()
	defer v.mu.Unlock()
	e.when = v.now.Add(d)
	e.seq = v.nextSeq()
	heap.Push(&v.pending, e)
	kept := v.waiters[:0]
	for _, w := range v.waiters {
		if len(v.pending) >= w.n {
			close(w.ch)
			continue
		}
		kept = append(kept, w)
	}
	v.waiters = kept
}

// remove takes e out of the heap; it reports whether e was pending.
func (v *Virtual) remove(e *event) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	if e.index < 0 {
		return false
	}
	heap.Remove(&v.pending, e.index)
	e.index = -1
	return true
}

type event struct {
	clock  *Virtual
	when   time.Time
	seq    uint64
	period time.Duration
	ch     chan time.Time
	fn     func()
	index  int
}

func (e *event) fire(now time.Time) {
	if e.fn != nil {
		e.fn()
		return
	}
	select {
	case e.ch <- now:
	default: // like time.Ticker, a slow reader misses ticks
	}
}

func (e *event) C() <-chan time.Time { return e.ch }

func (e *event) Stop() bool { return e.clock.remove(e) }

func (e *event) Reset(d time.Duration) bool {
	was := e.clock.remove(e)
	e.clock.schedule(e, d)
	return was
}

type eventHeap []*event

func (h eventHeap) Len() int { return len(h) }
func (h eventHeap) Less(i, j int) bool {
	if h[i].when.Equal(h[j].when) {
		return h[i].seq < h[j].seq
	}
	return h[i].when.Before(h[j].when)
}
func (h eventHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *eventHeap) Push(x any) {
	e := x.(*event)
	e.index = len(*h)
	*h = append(*h, e)
}
func (h *eventHeap) Pop() any {
	old := *h
	n := len(old)
	e := old[n-1]
	old[n-1] = nil
	*h = old[:n-1]
	return e
}

var (
	_ Clock  = (*Virtual)(nil)
	_ Clock  = realClock{}
	_ Timer  = (*event)(nil)
	_ Ticker = virtualTicker{}
)
