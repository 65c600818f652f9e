package mqtt

import (
	"context"
	"fmt"
	"sync"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/gateway"
)

// Origin is the origin the MQTT adapter gives its downlinks.
const Origin = "mqtt"

// Over adapts the application core to Backend: the commands call the
// core's use cases; Stats words its Snapshot as the stats message.
func Over(g *gateway.Gateway) Backend { return core{g} }

type core struct{ g *gateway.Gateway }

var _ Backend = core{}

func (c core) CreateMulticastGroup(ctx context.Context, in gateway.CreateGroupInput) (gateway.CreateGroupOutput, error) {
	return c.g.CreateMulticastGroup(ctx, in)
}

func (c core) GetMulticastGroup(ctx context.Context, in gateway.GroupIDInput) (gateway.GroupOutput, error) {
	return c.g.GetMulticastGroup(ctx, in)
}

func (c core) UpdateMulticastGroup(ctx context.Context, in gateway.UpdateGroupInput) error {
	return c.g.UpdateMulticastGroup(ctx, in)
}

func (c core) ListMulticastGroups(ctx context.Context, in gateway.ListGroupsInput) (gateway.ListGroupsOutput, error) {
	return c.g.ListMulticastGroups(ctx, in)
}

func (c core) DeleteMulticastGroup(ctx context.Context, in gateway.GroupIDInput) error {
	return c.g.DeleteMulticastGroup(ctx, in)
}

func (c core) StartMulticastGroupSession(ctx context.Context, in gateway.StartSessionInput) (gateway.SessionOutput, error) {
	return c.g.StartMulticastGroupSession(ctx, in)
}

func (c core) GetMulticastGroupSession(ctx context.Context, in gateway.GroupIDInput) (gateway.SessionOutput, error) {
	return c.g.GetMulticastGroupSession(ctx, in)
}

func (c core) CancelMulticastGroupSession(ctx context.Context, in gateway.GroupIDInput) error {
	return c.g.CancelMulticastGroupSession(ctx, in)
}

func (c core) SendDataToMulticastGroup(ctx context.Context, in gateway.SendDataInput) (gateway.SendDataOutput, error) {
	return c.g.SendDataToMulticastGroup(ctx, in)
}

func (c core) SendDownlink(ctx context.Context, in SendDownlinkInput) (SendDownlinkOutput, error) {
	return c.g.SendDownlink(ctx, in, Origin)
}

func (c core) RestartConcentrator(ctx context.Context) error { return c.g.RestartConcentrator(ctx) }

func (c core) SetLogLevel(ctx context.Context, level string) error {
	return c.g.SetLogLevel(ctx, level)
}

func (c core) ResetMulticastStore(ctx context.Context) (gateway.ResetStoreOutput, error) {
	return c.g.ResetMulticastStore(ctx)
}

// Stats words the core's snapshot as the stats message (the client fills
// Gateway, Time and MQTT).
func (c core) Stats(ctx context.Context) (Stats, error) {
	s, err := c.g.Snapshot(ctx)
	if err != nil {
		return Stats{}, err
	}
	return StatsOf(s), nil
}

// StatsOf words a snapshot as the stats message, but for the fields the
// client fills (Gateway, Time, MQTT).
func StatsOf(s gateway.Snapshot) Stats {
	st := Stats{Uptime: Seconds(s.Time.Sub(s.Started)), Rx: RxCounts{OK: s.Rx.OK, Bad: s.Rx.Bad, NoCRC: s.Rx.NoCRC},
		Tx: s.Tx, QueueDepth: s.Queued, Beacons: s.Beacons,
		TimeRef: TimeRef{Locked: s.TimeRef.Valid, Age: Seconds(max(s.TimeRef.Age, 0)), PPM: s.TimeRef.PPM}}
	for _, u := range s.DutyCycle {
		st.DutyCycle = append(st.DutyCycle, SubBandUse{Name: u.Name, Used: u.Used, Limit: u.Limit})
	}
	if h := s.Handoff; h.Count > 0 {
		st.Handoff = &Handoff{Count: h.Count, MinSlack: Seconds(h.MinSlack), MaxLate: Seconds(h.MaxLate)}
	}
	if s.HasTemperature {
		t := s.Temperature
		st.Temperature = &t
	}
	st.Storage = s.Storage
	for _, a := range s.Adapters {
		if a.Name == "mqtt" {
			continue
		}
		as := AdapterState{Name: a.Name, Server: a.Server, Connected: a.Connected, State: a.State}
		if !a.Since.IsZero() {
			as.Since = At(a.Since)
		}
		st.Adapters = append(st.Adapters, as)
	}
	return st
}

// StateOf words the gateway's identity as the state message.
func StateOf(id gateway.Identity) State {
	return State{Version: id.Version, Board: id.Board, Region: id.Region,
		Chip: Chip{Model: id.Chip.Model, EUI: id.Chip.EUI.String()}}
}

// DefaultEventBuffer is the adapter's subscription buffer: events wait
// there only until the adapter moves them to the client's own buffer.
const DefaultEventBuffer = 4096

// Adapter is the MQTT adapter: a Client whose commands run on the core and
// which publishes the core's uplinks and reports, each encoded once.
type Adapter struct {
	c   *Client
	g   *gateway.Gateway
	sub *gateway.Subscription
	srv string
	wg  sync.WaitGroup
}

// NewAdapter builds the client for g and subscribes to g's events (so
// nothing produced before Start is lost); it connects nothing until Start.
func NewAdapter(cfg Config, g *gateway.Gateway, clk clock.Clock, log *zap.Logger, opt ...Option) (*Adapter, error) {
	c, err := New(cfg, g.GatewayID(), Over(g), clk, log, opt...)
	if err != nil {
		return nil, err
	}
	c.SetState(StateOf(g.Identity()))
	a := &Adapter{c: c, g: g, sub: g.Subscribe("mqtt", DefaultEventBuffer), srv: cfg.Server}
	g.RegisterAdapter("mqtt", a.status)
	return a, nil
}

// Client returns the adapter's client.
func (a *Adapter) Client() *Client { return a.c }

// Start starts the client and the event forwarding. The core has
// started: the state carries the storage condition from now on.
func (a *Adapter) Start(ctx context.Context) error {
	a.setStorage(a.g.StoreHealth())
	if err := a.c.Start(ctx); err != nil {
		a.sub.Close()
		return fmt.Errorf("mqtt: %w", err)
	}
	a.wg.Add(1)
	go a.forward()
	return nil
}

// Stop ends the subscription, then stops the client (which drains what it
// can of its buffer).
func (a *Adapter) Stop() {
	a.sub.Close()
	a.wg.Wait()
	a.c.Stop()
}

// forward moves the core's events to the client's buffer: uplinks to the
// up topic, reports to the down topic.
func (a *Adapter) forward() {
	defer a.wg.Done()
	for ev := range a.sub.C {
		switch ev.Kind {
		case gateway.EventUplink:
			a.c.publishUplinkAt(*ev.Uplink, ev.Time) // stamped with its reception
		case gateway.EventReport:
			a.c.PublishDownlinkReport(*ev.Report)
		case gateway.EventState:
			if ev.State.Storage != nil {
				a.setStorage(*ev.State.Storage)
			}
		}
	}
}

// setStorage publishes a new storage condition in the retained state.
func (a *Adapter) setStorage(h gateway.StoreHealth) {
	st := StateOf(a.g.Identity())
	st.Storage = &h
	a.c.SetState(st)
}

func (a *Adapter) status() gateway.AdapterStatus {
	st := a.c.Stats()
	link := a.c.Link()
	s := gateway.AdapterStatus{Server: a.srv, Connected: st.Connected, Buffered: st.Buffered,
		Reconnects: st.Reconnects, Dropped: a.sub.Dropped(), Since: link.Since, LastError: link.LastError}
	for _, n := range st.Published {
		s.Published += n
	}
	for _, n := range st.Dropped {
		s.Dropped += n
	}
	return s
}
