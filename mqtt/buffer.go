package mqtt

import "sync"

// kind is the kind of an outgoing event, for eviction and counters.
type kind uint8

const (
	kindUplink kind = iota
	kindDownlink
	kindStats
	kindResponse
	numKinds
)

// String names the kind as the stats counters do.
func (k kind) String() string {
	switch k {
	case kindUplink:
		return "uplink"
	case kindDownlink:
		return "downlink"
	case kindStats:
		return "stats"
	case kindResponse:
		return "response"
	}
	return "unknown"
}

// event is one message waiting for the broker.
type event struct {
	seq     uint64
	kind    kind
	topic   string
	payload []byte
	// spooled is the spool sequence of an event taken from the spool
	// (0 for one from the memory buffer).
	spooled uint64
}

// fifo is a growable queue of events.
type fifo struct {
	items []event
	head  int
}

func (f *fifo) len() int      { return len(f.items) - f.head }
func (f *fifo) push(e event)  { f.items = append(f.items, e) }
func (f *fifo) front() *event { return &f.items[f.head] }
func (f *fifo) pushFront(e event) {
	if f.head > 0 {
		f.head--
		f.items[f.head] = e
		return
	}
	f.items = append([]event{e}, f.items...)
}

func (f *fifo) pop() event {
	e := f.items[f.head]
	f.items[f.head] = event{}
	f.head++
	if f.head == len(f.items) {
		f.items, f.head = f.items[:0], 0
	} else if f.head > 1024 && f.head*2 > len(f.items) {
		n := copy(f.items, f.items[f.head:])
		f.items, f.head = f.items[:n], 0
	}
	return e
}

// buffer holds the events that wait for the broker in memory, in
// publication order, bounded: when full, the oldest stats message goes
// first, then the oldest uplink, and only then the oldest report or
// response (those normally wait in the spool, not here). Each class sits
// in its own queue, merged by sequence number, so evictions are O(1).
type buffer struct {
	mu      sync.Mutex
	max     int
	seq     uint64
	q       [3]fifo // by evictClass, evicted first to last
	dropped [numKinds]uint64
}

// evictClass orders the kinds for eviction: stats, uplinks, the rest.
func evictClass(k kind) int {
	switch k {
	case kindStats:
		return 0
	case kindUplink:
		return 1
	}
	return 2
}

func newBuffer(max int) *buffer { return &buffer{max: max} }

func (b *buffer) size() int { return b.q[0].len() + b.q[1].len() + b.q[2].len() }

// add appends e, evicting when full. It never blocks.
func (b *buffer) add(k kind, topic string, payload []byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for b.size() >= b.max {
		for i := range b.q {
			if b.q[i].len() > 0 {
				e := b.q[i].pop()
				b.dropped[e.kind]++
				break
			}
		}
	}
	b.seq++
	b.q[evictClass(k)].push(event{seq: b.seq, kind: k, topic: topic, payload: payload})
}

// next removes and returns the oldest event.
func (b *buffer) next() (event, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	best := -1
	for i := range b.q {
		if b.q[i].len() > 0 && (best < 0 || b.q[i].front().seq < b.q[best].front().seq) {
			best = i
		}
	}
	if best < 0 {
		return event{}, false
	}
	return b.q[best].pop(), true
}

// putBack returns an event taken by next to the front, for a retry. It
// may exceed the bound by the few events in flight; the next add evicts.
func (b *buffer) putBack(e event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.q[evictClass(e.kind)].pushFront(e)
}

// len returns the number of waiting events.
func (b *buffer) len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.size()
}

// drops returns the eviction counters by kind name.
func (b *buffer) drops() map[string]uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	m := make(map[string]uint64, numKinds)
	for k := kind(0); k < numKinds; k++ {
		m[k.String()] = b.dropped[k]
	}
	return m
}
