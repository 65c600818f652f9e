package mqtt

import (
	"sync"
	"time"
)

// LinkStatus says whether the link to the broker is up, since when, and
// why it went down or failed to come up last.
type LinkStatus struct {
	Up bool
	// Since is when the link last came up or went down (the client's
	// start when it never came up).
	Since time.Time
	// LastError is the last connection failure or loss while the link is
	// down; empty once it is up.
	LastError string
}

// linkState tracks LinkStatus for the client's goroutines.
type linkState struct {
	mu sync.Mutex
	s  LinkStatus
}

// set records the link's state at now; err, when not nil, is why it is
// down.
func (l *linkState) set(up bool, now time.Time, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if up != l.s.Up || l.s.Since.IsZero() {
		l.s.Since = now
	}
	l.s.Up = up
	switch {
	case up:
		l.s.LastError = ""
	case err != nil:
		l.s.LastError = err.Error()
	}
}

func (l *linkState) get() LinkStatus {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.s
}

// Link returns the state of the link to the broker.
func (c *Client) Link() LinkStatus { return c.link.get() }
