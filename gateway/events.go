package gateway

import (
	"sync"
	"sync/atomic"
	"time"
)

// EventKind says what an Event carries.
type EventKind uint8

// The kinds of event.
const (
	// EventUplink: a received packet (Event.Uplink).
	EventUplink EventKind = iota + 1
	// EventReport: the one outcome of an accepted downlink, unicast or
	// multicast (Event.Report).
	EventReport
	// EventState: the concentrator started, stopped or restarted
	// (Event.State).
	EventState
)

// String names the kind as `lgw tail` shows it.
func (k EventKind) String() string {
	switch k {
	case EventUplink:
		return "uplink"
	case EventReport:
		return "report"
	case EventState:
		return "state"
	}
	return "unknown"
}

// Event is one outcome leaving the core. Exactly one of Uplink, Report
// and State is set, as Kind says. Events are values: a subscriber may keep
// them, but must not change the slices they share (payloads).
type Event struct {
	Kind EventKind
	// Time is when the core produced the event (the gateway's clock).
	Time   time.Time
	Uplink *Uplink
	Report *Report
	State  *StateChange
	// GPSTime is an uplink's end since the GPS epoch, when the GPS time
	// reference was valid at reception (HasGPSTime).
	GPSTime    time.Duration
	HasGPSTime bool
}

// StateChange is a change of the concentrator's state, or of the
// storage's (Storage set, Concentrator empty).
type StateChange struct {
	// Concentrator is "running" or "stopped".
	Concentrator string
	// Reason says why ("start", "restart", "stop", "storage").
	Reason string
	// Storage is the multicast store's new condition.
	Storage *StoreHealth
}

// DefaultSubscriptionSize is the buffer of a subscription opened with
// size 0.
const DefaultSubscriptionSize = 1024

// Subscription is one subscriber's view of the event stream: a bounded
// buffer the core fills without ever blocking. When the buffer is full the
// event is dropped for this subscriber only and counted (Dropped); other
// subscribers are not affected.
type Subscription struct {
	// C delivers the events in the order the core produced them. It is
	// closed by Close and when the gateway stops.
	C <-chan Event

	name    string
	ch      chan Event
	dropped atomic.Uint64
	bus     *bus
}

// Name returns the name given to Subscribe.
func (s *Subscription) Name() string { return s.name }

// Dropped returns how many events this subscriber lost to a full buffer.
func (s *Subscription) Dropped() uint64 { return s.dropped.Load() }

// Close ends the subscription and closes C; it may be called more than
// once and from any goroutine.
func (s *Subscription) Close() { s.bus.remove(s) }

// bus fans events out to the subscriptions.
type bus struct {
	mu     sync.Mutex
	subs   map[*Subscription]struct{}
	closed bool

	published, dropped atomic.Uint64
}

func (b *bus) subscribe(name string, size int) *Subscription {
	if size <= 0 {
		size = DefaultSubscriptionSize
	}
	ch := make(chan Event, size)
	s := &Subscription{C: ch, name: name, ch: ch, bus: b}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		close(ch)
		return s
	}
	if b.subs == nil {
		b.subs = map[*Subscription]struct{}{}
	}
	b.subs[s] = struct{}{}
	return s
}

func (b *bus) remove(s *Subscription) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.subs[s]; ok {
		delete(b.subs, s)
		close(s.ch)
	}
}

// publish hands ev to every subscriber without blocking.
func (b *bus) publish(ev Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.published.Add(1)
	for s := range b.subs {
		select {
		case s.ch <- ev:
		default:
			s.dropped.Add(1)
			b.dropped.Add(1)
		}
	}
}

// close ends every subscription; later subscriptions start closed.
func (b *bus) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for s := range b.subs {
		delete(b.subs, s)
		close(s.ch)
	}
}

// EventStats counts the stream's traffic.
type EventStats struct {
	// Published counts events produced; Dropped the deliveries lost to
	// full subscriber buffers (one event dropped for two subscribers
	// counts twice).
	Published, Dropped uint64
}
