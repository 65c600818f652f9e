// Package udp is lgw's adapter for Semtech's UDP packet-forwarder
// protocol (GWMP v2): it forwards every received packet to one or more
// network servers as rxpk, sends stat and PULL_DATA keepalives, and hands
// the txpk of each PULL_RESP to the application core, answering with a
// TX_ACK. One Forwarder talks to one server; a Service runs them all.
// docs/udp.md maps every field.
package udp

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/gateway"
	"github.com/lgwagent/lgw/udp/gwmp"
)

// Core is what the adapter needs from the application core;
// *gateway.Gateway implements it.
type Core interface {
	// SendDownlink admits a downlink; exactly one report with its
	// MessageId and origin follows on the event stream.
	SendDownlink(ctx context.Context, in gateway.SendDownlinkInput, origin string) (gateway.SendDownlinkOutput, error)
	// Snapshot gives the gateway's position for stat.
	Snapshot(ctx context.Context) (gateway.Snapshot, error)
}

var _ Core = (*gateway.Gateway)(nil)

// Options are a Service's dependencies.
type Options struct {
	// Clock drives keepalives and stats (default the real clock).
	Clock clock.Clock
	// Log is the logger (default none).
	Log *zap.Logger
}

// Service runs one Forwarder per configured server.
type Service struct {
	fwds   []*Forwarder
	byName map[string]*Forwarder
	wg     sync.WaitGroup
	cancel context.CancelFunc
}

// New checks every configuration and prepares the forwarders; it opens
// nothing. gatewayID (16 hex digits) goes in every datagram's header.
func New(cfgs []Config, gatewayID string, core Core, opts Options) (*Service, error) {
	if core == nil {
		return nil, errors.New("udp: a core is required")
	}
	var eui gwmp.EUI
	if b, err := hex.DecodeString(gatewayID); err != nil || len(b) != len(eui) {
		return nil, fmt.Errorf("udp: gateway id %q: want 16 hex digits", gatewayID)
	} else {
		copy(eui[:], b)
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real()
	}
	if opts.Log == nil {
		opts.Log = zap.NewNop()
	}
	s := &Service{byName: map[string]*Forwarder{}}
	for i, c := range cfgs {
		if err := c.Validate(); err != nil {
			return nil, fmt.Errorf("udp: forwarder %d: %w", i, err)
		}
		c.SetDefaults()
		f := newForwarder(c, eui, core, opts)
		s.fwds = append(s.fwds, f)
		s.byName[f.origin] = f
	}
	return s, nil
}

// Start starts every forwarder and the loop that takes the core's events
// (uplinks, and the reports of this adapter's downlinks) from events. A
// server that cannot be resolved yet is retried every keepalive period; it
// does not stop the others.
func (s *Service) Start(ctx context.Context, events <-chan gateway.Event) error {
	ctx, s.cancel = context.WithCancel(ctx)
	for _, f := range s.fwds {
		f.start(ctx)
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-events:
				if !ok {
					return
				}
				s.handle(ev)
			}
		}
	}()
	return nil
}

// handle passes an uplink to every forwarder and a report to the
// forwarder whose downlink it ends.
func (s *Service) handle(ev gateway.Event) {
	switch ev.Kind {
	case gateway.EventUplink:
		if ev.Uplink == nil {
			return
		}
		u := Uplink{Packet: *ev.Uplink, GPSTime: ev.GPSTime, HasGPSTime: ev.HasGPSTime}
		for _, f := range s.fwds {
			f.uplink(u)
		}
	case gateway.EventReport:
		if ev.Report == nil {
			return
		}
		if f, ok := s.byName[ev.Report.Origin]; ok {
			f.report(ev.Report)
		}
	}
}

// Stop stops every forwarder and waits for them.
func (s *Service) Stop() {
	if s.cancel != nil {
		s.cancel()
	}
	s.wg.Wait()
	for _, f := range s.fwds {
		f.stop()
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

// Register calls register, in configuration order, with each server's
// name ("udp:host:port_up/port_down") and a function giving its status as
// the core's Snapshot shows it (gateway.RegisterAdapter).
func (s *Service) Register(register func(name string, status func() gateway.AdapterStatus)) {
	for _, f := range s.fwds {
		register(f.origin, f.adapterStatus)
	}
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
