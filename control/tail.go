package control

import (
	"context"
	"fmt"
	"sync"

	"github.com/lgwagent/lgw/gateway"
)

// tailBuffer is the buffer of the hub's subscription to the core and of
// each `lgw tail` connection.
const tailBuffer = 256

// tailHub fans the core's events out to the `lgw tail` connections. It
// holds one subscription to the core while at least one tail is open,
// encodes each event once (EventOf) and hands it to every tail without
// blocking: a tail that does not keep up loses events and is told so with
// an event of kind "dropped" once it has room again. When the core stops,
// every tail ends.
type tailHub struct {
	g *gateway.Gateway

	mu   sync.Mutex
	sub  *gateway.Subscription
	subs map[chan Event]*tailState
}

type tailState struct{ dropped uint64 }

func (h *tailHub) subscribe(ctx context.Context) (<-chan Event, func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.subs == nil {
		h.subs = map[chan Event]*tailState{}
	}
	if h.sub == nil {
		h.sub = h.g.Subscribe("tail", tailBuffer)
		go h.run(h.sub)
	}
	ch := make(chan Event, tailBuffer)
	h.subs[ch] = &tailState{}
	var once sync.Once
	cancel := func() { once.Do(func() { h.remove(ch) }) }
	context.AfterFunc(ctx, cancel)
	return ch, cancel
}

// remove ends one tail; the last one closes the hub's subscription.
func (h *tailHub) remove(ch chan Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[ch]; !ok {
		return
	}
	delete(h.subs, ch)
	close(ch)
	if len(h.subs) == 0 && h.sub != nil {
		h.sub.Close()
		h.sub = nil
	}
}

// run moves the events of one subscription to the tails until it closes.
func (h *tailHub) run(sub *gateway.Subscription) {
	var lost uint64
	for ev := range sub.C {
		if d := sub.Dropped(); d > lost {
			h.publish(Event{Time: ev.Time.UTC(), Kind: "dropped",
				Summary: fmt.Sprintf("%d events were dropped: the daemon's tail queue was full", d-lost)})
			lost = d
		}
		h.publish(EventOf(ev))
	}
	// Closed by remove (no tail left) or by the core stopping: end the
	// tails still open on this subscription.
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.sub != sub {
		return
	}
	h.sub = nil
	for ch := range h.subs {
		delete(h.subs, ch)
		close(ch)
	}
}

func (h *tailHub) publish(ev Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch, st := range h.subs {
		if st.dropped > 0 {
			select {
			case ch <- Event{Time: ev.Time, Kind: "dropped",
				Summary: fmt.Sprintf("%d events were dropped: the reader was too slow", st.dropped)}:
				st.dropped = 0
			default:
				st.dropped++
				continue
			}
		}
		select {
		case ch <- ev:
		default:
			st.dropped++
		}
	}
}
