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

// buffer holds the events that wait for the broker, in publication order,
// bounded: when full, the oldest stats message goes first, then the
// oldest event of any kind. Stats and other events sit in two queues
// merged by sequence number, so both evictions are O(1).
type buffer struct {
	mu      sync.Mutex
	max     int
	seq     uint64
	stats   fifo
	events  fifo
	dropped [numKinds]uint64
}

func newBuffer(max int) *buffer { return &buffer{max: max} }

// add appends e, evicting when full. It never blocks.
func (b *buffer) add(k kind, topic string, payload []byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for b.stats.len()+b.events.len() >= b.max {
		var e event
		if b.stats.len() > 0 {
			e = b.stats.pop()
		} else {
			e = b.events.pop()
		}
		b.dropped[e.kind]++
	}
	b.seq++
	e := event{seq: b.seq, kind: k, topic: topic, payload: payload}
	if k == kindStats {
		b.stats.push(e)
	} else {
		b.events.push(e)
	}
}

// next removes and returns the oldest event.
func (b *buffer) next() (event, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case b.stats.len() == 0 && b.events.len() == 0:
		return event{}, false
	case b.stats.len() == 0:
		return b.events.pop(), true
	case b.events.len() == 0:
		return b.stats.pop(), true
	case b.stats.front().seq < b.events.front().seq:
		return b.stats.pop(), true
	default:
		return b.events.pop(), true
	}
}

// putBack returns an event taken by next to the front, for a retry. It
// may exceed the bound by the few events in flight; the next add evicts.
func (b *buffer) putBack(e event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if e.kind == kindStats {
		b.stats.pushFront(e)
	} else {
		b.events.pushFront(e)
	}
}

// len returns the number of waiting events.
func (b *buffer) len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.stats.len() + b.events.len()
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
