package gateway

import (
	"context"
	"time"
)

// Snapshot is the gateway's status and statistics at one instant: what
// `lgw status`, `lgw stats`, the MQTT stats message and GetGatewayStatus
// show, each in its own words.
type Snapshot struct {
	// Time is when it was taken; Started when the core started.
	Time, Started time.Time
	Identity      Identity
	Location      Location
	LogLevel      string
	// Running says the concentrator runs; Counter is its µs counter and
	// Temperature the board temperature (°C) when HasTemperature.
	Running        bool
	Counter        uint32
	Temperature    float64
	HasTemperature bool
	// GPS says a GPS feeds the time reference.
	GPS     bool
	TimeRef TimeRefStatus
	// LastRx and LastTx are the last reception and the last SENT (zero:
	// never).
	LastRx, LastTx time.Time
	Rx             RxCounts
	// Tx counts transmissions by result code; Queued those waiting;
	// Beacons the class B beacons sent.
	Tx        map[Code]uint64
	Queued    int
	Beacons   uint64
	DutyCycle []SubBandUse
	// Handoff describes the hand-offs to the chip.
	Handoff HandoffStatus
	// Events counts the event stream's traffic and drops.
	Events EventStats
	// Adapters are the registered adapters' own states.
	Adapters []AdapterStatus
	// Storage is the multicast store's condition.
	Storage StoreHealth
}

// RxCounts counts received packets by CRC status, and failed polls.
type RxCounts struct {
	OK, Bad, NoCRC, Errors uint64
}

// HandoffStatus counts the hand-offs to the chip, the smallest slack one
// left before its start (negative: after it) and the largest lateness
// after an item fell due; the durations mean something once Count > 0.
type HandoffStatus struct {
	Count             uint64
	MinSlack, MaxLate time.Duration
}

// TimeRefStatus is the state of the GPS time reference.
type TimeRefStatus struct {
	Valid bool
	// Age is the time since the last PPS used (negative: none yet); PPM
	// the measured crystal error.
	Age time.Duration
	PPM float64
}

// SubBandUse is the duty-cycle use of one regulated sub-band over its
// window, as fractions (0.0042 is 0.42 %).
type SubBandUse struct {
	Name        string
	Used, Limit float64
}

// AdapterStatus is what an adapter says of itself in status.
type AdapterStatus struct {
	// Name is the adapter's ("mqtt", "udp:<server>"...); Server where it
	// talks to.
	Name, Server string
	Connected    bool
	// Since is when Connected last changed; LastError why the adapter is
	// not connected (empty when it is, or when it cannot tell).
	Since     time.Time
	LastError string
	// Buffered counts messages waiting; Published those delivered;
	// Dropped those lost; Reconnects the connections after the first.
	Buffered                       int
	Published, Dropped, Reconnects uint64
	// State is the adapter's own word for its link ("up", "unreachable";
	// Since is when it last changed), Detail a one-line summary (counters,
	// last error); both optional.
	State  string
	Detail string
}

type adapterEntry struct {
	name   string
	status func() AdapterStatus
}

// RegisterAdapter adds an adapter's status to every Snapshot. status is
// called on the snapshot's goroutine and must not block.
func (g *Gateway) RegisterAdapter(name string, status func() AdapterStatus) {
	g.adaptersMu.Lock()
	defer g.adaptersMu.Unlock()
	g.adapters = append(g.adapters, adapterEntry{name: name, status: status})
}

// Snapshot takes the status and statistics.
func (g *Gateway) Snapshot(ctx context.Context) (Snapshot, error) {
	now := g.clk.Now()
	s := Snapshot{Time: now, Started: g.started, Identity: g.id, Location: g.cfg.Location, LogLevel: g.LogLevel(),
		GPS: g.cfg.HasGPS, LastRx: unixNano(g.rx.last.Load()), LastTx: unixNano(g.lastTX.Load()),
		Rx:     RxCounts{OK: g.rx.ok.Load(), Bad: g.rx.bad.Load(), NoCRC: g.rx.noCRC.Load(), Errors: g.rx.errors.Load()},
		Tx:     map[Code]uint64{},
		Events: EventStats{Published: g.bus.published.Load(), Dropped: g.bus.dropped.Load()},
	}
	if g.running.Load() {
		s.Running = true
		if n, err := g.conc.Counter(); err == nil {
			s.Counter = uint32(n)
		}
		if t, err := g.conc.Temperature(); err == nil {
			s.Temperature, s.HasTemperature = t, true
		}
	}
	ss := g.sched.Stats()
	for c, n := range ss.Results {
		s.Tx[c] = uint64(n)
	}
	s.Queued, s.Beacons = ss.Queued, uint64(ss.BeaconsSent)
	s.Handoff = HandoffStatus{Count: uint64(ss.Handoffs), MinSlack: ss.HandoffSlackMin, MaxLate: ss.HandoffLateMax}
	for _, u := range ss.DutyCycle {
		use := SubBandUse{Name: u.Name}
		if u.Budget > 0 {
			// The budget is the allowed time on air in the hour.
			use.Used = float64(u.Used) / float64(time.Hour)
			use.Limit = float64(u.Budget) / float64(time.Hour)
		}
		s.DutyCycle = append(s.DutyCycle, use)
	}
	s.TimeRef = TimeRefStatus{Valid: ss.TimeRefValid, Age: ss.TimeRefAge, PPM: ss.TimeRefPPM}
	s.Storage = g.StoreHealth()
	g.adaptersMu.Lock()
	ads := append([]adapterEntry(nil), g.adapters...)
	g.adaptersMu.Unlock()
	for _, a := range ads {
		st := a.status()
		st.Name = a.name
		s.Adapters = append(s.Adapters, st)
	}
	return s, nil
}

// Adapter returns the status of the adapter registered under name.
func (s Snapshot) Adapter(name string) (AdapterStatus, bool) {
	for _, a := range s.Adapters {
		if a.Name == name {
			return a, true
		}
	}
	return AdapterStatus{}, false
}
