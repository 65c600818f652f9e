package agent

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/lgwagent/lgw/control"
)

// hub fans live events (uplinks, reports) out to `lgw tail` subscribers.
// A subscriber that does not keep up loses events and is told so with an
// event of kind "dropped"; publishing never blocks.
type hub struct {
	mu   sync.Mutex
	subs map[chan control.Event]*subState
}

type subState struct{ dropped bool }

func (h *hub) subscribe(ctx context.Context) (<-chan control.Event, func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.subs == nil {
		h.subs = map[chan control.Event]*subState{}
	}
	ch := make(chan control.Event, 256)
	h.subs[ch] = &subState{}
	var once sync.Once
	cancel := func() {
		once.Do(func() {
			h.mu.Lock()
			delete(h.subs, ch)
			h.mu.Unlock()
			close(ch)
		})
	}
	context.AfterFunc(ctx, cancel)
	return ch, cancel
}

func (h *hub) publish(ev control.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch, st := range h.subs {
		if st.dropped {
			// Tell the subscriber once room is back.
			select {
			case ch <- control.Event{Time: ev.Time, Kind: "dropped", Summary: "events were dropped: the reader was too slow"}:
				st.dropped = false
			default:
				continue
			}
		}
		select {
		case ch <- ev:
		default:
			st.dropped = true
		}
	}
}

func rawJSON(b []byte) json.RawMessage {
	if len(b) == 0 {
		return nil
	}
	return json.RawMessage(b)
}
