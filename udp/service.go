// Package udp is lgw's adapter for Semtech's UDP packet-forwarder
// protocol (GWMP v2): it forwards every received packet to one or more
// network servers as rxpk, sends stat and PULL_DATA keepalives, and hands
// the txpk of each PULL_RESP to the application core, answering with a
// TX_ACK. One Forwarder talks to one server; a Service runs them all.
// docs/udp.md maps every field.
package udp

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/udp/gwmp"
)

// Admission is the immediate outcome of a downlink.
type Admission struct {
	// Code is empty when the downlink was queued, else the refusal code
	// ("TOO_LATE", "TX_FREQ", ...).
	Code string
	// Err explains a refusal.
	Err error
	// Power is the power the emission will use (queued only); it differs
	// from the request when the core clamped it.
	Power int8
}

// Result is the final outcome of a queued downlink.
type Result struct {
	// Code is "SENT" or why the emission failed ("TX_FAILED").
	Code string
	Err  error
	// Count is the counter value of the emission start.
	Count hal.Count
}

// Position is the gateway's position for stat.
type Position struct {
	Latitude, Longitude float64
	Altitude            int32
}

// Core is what the adapter needs from the application core.
type Core interface {
	// SendDownlink admits a downlink. When it is queued (Admission.Code
	// empty), done is called exactly once later with its Result; done
	// must not block.
	SendDownlink(d Downlink, done func(Result)) Admission
	// Position returns the gateway's position, when known.
	Position() (Position, bool)
}

// Options are a Service's dependencies.
type Options struct {
	// Clock drives keepalives and stats (default the real clock).
	Clock clock.Clock
	// Log is the logger (default none).
	Log *zap.Logger
}

// Service runs one Forwarder per configured server.
type Service struct {
	fwds []*Forwarder
}

// New checks every configuration and prepares the forwarders; it opens
// nothing. eui is the gateway ID put in every header.
func New(cfgs []Config, eui hal.EUI64, core Core, opts Options) (*Service, error) {
	if core == nil {
		return nil, errors.New("udp: a core is required")
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real()
	}
	if opts.Log == nil {
		opts.Log = zap.NewNop()
	}
	s := &Service{}
	for i, c := range cfgs {
		if err := c.Validate(); err != nil {
			return nil, fmt.Errorf("udp: forwarder %d: %w", i, err)
		}
		c.SetDefaults()
		s.fwds = append(s.fwds, newForwarder(c, gwmp.EUI(eui), core, opts))
	}
	return s, nil
}

// Start starts every forwarder. A server that cannot be resolved yet is
// retried every keepalive period; it does not stop the others.
func (s *Service) Start(ctx context.Context) error {
	for _, f := range s.fwds {
		f.start(ctx)
	}
	return nil
}

// Stop stops every forwarder and waits for them.
func (s *Service) Stop() {
	for _, f := range s.fwds {
		f.stop()
	}
}

// Uplink hands a received packet to every forwarder. It never blocks: a
// forwarder that cannot keep up drops it and counts it.
func (s *Service) Uplink(u Uplink) {
	for _, f := range s.fwds {
		f.uplink(u)
	}
}

// Status reports each server's state and counters.
func (s *Service) Status() []Status {
	out := make([]Status, len(s.fwds))
	for i, f := range s.fwds {
		out[i] = f.status()
	}
	return out
}

// Status is one server's state and counters since start.
type Status struct {
	// Server is "host:port_up/port_down".
	Server string `json:"server"`
	// State is "resolving", "connecting" (no acknowledgement yet), "up"
	// or "unreachable" (no acknowledgement for missed_acks keepalives).
	State string `json:"state"`
	// Since is when State last changed; LastAck the last PUSH_ACK or
	// PULL_ACK; Error the last resolution or socket error.
	Since   time.Time `json:"since"`
	LastAck time.Time `json:"last_ack"`
	Error   string    `json:"error,omitempty"`
	// Datagram counters.
	PushSent  uint64 `json:"push_sent"`
	PushAcked uint64 `json:"push_acked"`
	PullSent  uint64 `json:"pull_sent"`
	PullAcked uint64 `json:"pull_acked"`
	// Forwarded uplinks, and uplinks Dropped because the forwarder fell
	// behind or the server was not resolved.
	Forwarded uint64 `json:"forwarded"`
	Dropped   uint64 `json:"dropped"`
	// Downlinks (PULL_RESP) received; Refused answered with a TX_ACK
	// error; Sent emitted; Failed failed after admission.
	Downlinks uint64 `json:"downlinks"`
	Refused   uint64 `json:"refused"`
	Sent      uint64 `json:"sent"`
	Failed    uint64 `json:"failed"`
	// Malformed datagrams dropped; Foreign datagrams from another address
	// than the server ignored.
	Malformed uint64 `json:"malformed"`
	Foreign   uint64 `json:"foreign"`
}
