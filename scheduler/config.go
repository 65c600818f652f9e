package scheduler

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/region"
)

// PowerPolicy says what happens to a request above the power limit.
type PowerPolicy uint8

// Power policies.
const (
	// PowerRefuse refuses it with TX_POWER.
	PowerRefuse PowerPolicy = iota
	// PowerClamp sends it at the nearest lower entry of the board's gain
	// table within the limit, with a warning in the log.
	PowerClamp
)

// String returns "refuse" or "clamp".
func (p PowerPolicy) String() string {
	switch p {
	case PowerRefuse:
		return "refuse"
	case PowerClamp:
		return "clamp"
	}
	return fmt.Sprintf("PowerPolicy(%d)", uint8(p))
}

// ParsePowerPolicy parses "refuse" or "clamp".
func ParsePowerPolicy(s string) (PowerPolicy, error) {
	switch strings.ToLower(s) {
	case "refuse", "":
		return PowerRefuse, nil
	case "clamp":
		return PowerClamp, nil
	}
	return 0, &hal.FieldError{Field: "power_policy", Value: s, Allowed: "refuse, clamp"}
}

// Defaults. The reference forwarders refuse anything less than 42.5 ms
// ahead (1.5 ms start delay + 1 ms margin + 40 ms JIT lead) because they
// poll every 10 ms and program late. lgw admits an item down to MinLead
// ahead, which only has to cover programming the chip and its start delay
// (sx1302-rxtx-timing.md §2.4, §2.6, §4), and hands it to the chip by a
// timer HandoffLead ahead, or as soon as its RF chain is free: the chip
// then emits at the exact counter value whatever the host does, so a host
// stall shorter than the hand-off lead loses nothing.
const (
	DefaultCapacity = 4096
	DefaultMinLead  = 10 * time.Millisecond
	// DefaultHandoffLead was chosen from BenchmarkRealTimeHandoff on a
	// loaded 2-core box (docs/performance.md): host stalls of 20 to 70 ms
	// were common there; a longer lead gains little when the chain is busy
	// until shortly before the start, and keeps items on the chip, where
	// they can no longer be cancelled or preempted, for longer.
	DefaultHandoffLead = 80 * time.Millisecond
	// MaxHandoffLead is the longest hand-off lead, as for MinLead. The
	// chips accept a counter trigger up to 2^27 µs ahead, but an item on
	// the chip can no longer be cancelled or preempted.
	MaxHandoffLead = time.Second
	// beaconHandoffLead bounds a beacon's hand-off lead: a beacon fires on
	// the next PPS pulse after it is programmed, so it must reach the chip
	// after the pulse before its own (pulses are 1 s apart).
	beaconHandoffLead = 500 * time.Millisecond
	DefaultMaxAdvance = 30 * time.Minute
	// DefaultGuard is the gap kept after each emission (the reference's
	// TX_MARGIN_DELAY, §4).
	DefaultGuard         = time.Millisecond
	DefaultHoldover      = 30 * time.Second
	DefaultTimeRefWindow = 128
	DefaultBeaconAhead   = 2
	DefaultBeaconPower   = 14
)

// Limits of MinLead. MinMinLead covers the program time plus TX start
// delay of every supported chip and of the simulator (at most 2.5 ms:
// 1.5 ms start delay, sx1302-rxtx-timing.md §2.4, plus programming), so a
// lead `lgw config check` accepts is one every concentrator can meet;
// New still checks the running chip's own figure.
const (
	MinMinLead = 5 * time.Millisecond
	MaxMinLead = time.Second
)

// DefaultCeilings are the duty-cycle ceilings per class (beacon, A, B, C):
// the share of a sub-band's budget the band's total use may reach for an
// item of that class to be admitted. Class C may bring the band to half
// its budget, class B to 80 %, so class A replies and beacons always find
// room (STYLE.md §4.5).
var DefaultCeilings = [4]float64{1, 1, 0.8, 0.5}

// Config configures a Scheduler. Zero fields take the defaults noted.
type Config struct {
	// Region is the regional rule set (required).
	Region *region.Region
	// Capacity is the queue size per RF chain (default 4096).
	Capacity int
	// MinLead is the least time between admission and start (default
	// 10 ms). It must cover the chip's ProgramTime plus TxStartDelay.
	MinLead time.Duration
	// HandoffLead is how long before its start an item is handed to the
	// chip, which then holds it armed on its counter: an item goes over at
	// the later of start minus HandoffLead and the moment its RF chain is
	// free (the previous emission's end plus Guard). Zero means the larger
	// of DefaultHandoffLead (80 ms) and MinLead; otherwise it must lie
	// between MinLead and MaxHandoffLead (1 s).
	HandoffLead time.Duration
	// MaxAdvance is how far ahead a start may be (default 30 min; an
	// AtCount start is also bound to ±35.8 min by the 32-bit counter).
	MaxAdvance time.Duration
	// Guard is the gap kept after each emission (default 1 ms).
	Guard time.Duration
	// Holdover is how long the time reference stays valid after the last
	// PPS pulse (default 30 s).
	Holdover time.Duration
	// TimeRefWindow is the number of pulses the time reference fits over
	// (default 128).
	TimeRefWindow int
	// PowerPolicy says whether a request above the power limit is refused
	// or clamped (default refuse).
	PowerPolicy PowerPolicy
	// AntennaGain in dB is subtracted from the regional radiated power
	// limit to get the conducted limit (default 0).
	AntennaGain float64
	// Ceilings are the duty-cycle ceilings per class, each in (0, 1]
	// (zero: DefaultCeilings).
	Ceilings [4]float64
	// Beaconing turns class B beacons on.
	Beaconing bool
	// BeaconPower is the beacon power in dBm (default 14).
	BeaconPower int8
	// BeaconRFChain is the RF chain beacons go out on.
	BeaconRFChain uint8
	// BeaconAhead is how many beacons are kept queued (default 2).
	BeaconAhead int
	// Latitude and Longitude of the antenna go into the beacons.
	Latitude, Longitude float64
	// GPS, when set, is read by a goroutine from Start on; otherwise feed
	// fixes with HandleFix.
	GPS hal.GPS
}

// WithDefaults returns c with every zero field set to its default.
func (c Config) WithDefaults() Config {
	c.setDefaults()
	return c
}

func (c *Config) setDefaults() {
	if c.Capacity == 0 {
		c.Capacity = DefaultCapacity
	}
	if c.MinLead == 0 {
		c.MinLead = DefaultMinLead
	}
	if c.HandoffLead == 0 {
		c.HandoffLead = max(DefaultHandoffLead, c.MinLead)
	}
	if c.MaxAdvance == 0 {
		c.MaxAdvance = DefaultMaxAdvance
	}
	if c.Guard == 0 {
		c.Guard = DefaultGuard
	}
	if c.Holdover == 0 {
		c.Holdover = DefaultHoldover
	}
	if c.TimeRefWindow == 0 {
		c.TimeRefWindow = DefaultTimeRefWindow
	}
	if c.Ceilings == ([4]float64{}) {
		c.Ceilings = DefaultCeilings
	}
	if c.BeaconPower == 0 {
		c.BeaconPower = DefaultBeaconPower
	}
	if c.BeaconAhead == 0 {
		c.BeaconAhead = DefaultBeaconAhead
	}
}

// Validate checks the configuration as given, naming the first bad field
// with its configuration key ("scheduler.min_lead"). It is the one place
// the limits live: New calls it on WithDefaults, and `lgw config check`
// calls it on the [scheduler] section, where a zero is refused rather
// than silently replaced.
func (c Config) Validate() error {
	bad := func(field string, v any, allowed string) error {
		return &hal.FieldError{Field: "scheduler." + field, Value: v, Allowed: allowed}
	}
	switch {
	case c.Region == nil:
		return bad("region", "none", "a region (region.Lookup)")
	case c.Capacity < 1 || c.Capacity > 1<<20:
		return bad("capacity", c.Capacity, "1 to 1048576")
	case c.MinLead < MinMinLead || c.MinLead > MaxMinLead:
		return bad("min_lead", c.MinLead, fmt.Sprintf("%v to %v", MinMinLead, MaxMinLead))
	case c.HandoffLead < c.MinLead || c.HandoffLead > MaxHandoffLead:
		return bad("handoff_lead", c.HandoffLead, fmt.Sprintf("min_lead (%v) to %v", c.MinLead, MaxHandoffLead))
	case c.MaxAdvance < time.Second || c.MaxAdvance > 24*time.Hour:
		return bad("max_advance", c.MaxAdvance, "1s to 24h")
	case c.Guard < 0 || c.Guard > time.Second:
		return bad("guard", c.Guard, "0 to 1s")
	case c.Holdover < time.Second || c.Holdover > time.Hour:
		return bad("holdover", c.Holdover, "1s to 1h")
	case c.TimeRefWindow < minSamples || c.TimeRefWindow > 3600:
		return bad("time_ref_window", c.TimeRefWindow, fmt.Sprintf("%d to 3600 pulses", minSamples))
	case c.PowerPolicy > PowerClamp:
		return bad("power_policy", c.PowerPolicy, "refuse, clamp")
	case math.IsNaN(c.AntennaGain) || c.AntennaGain < -20 || c.AntennaGain > 30:
		return bad("antenna_gain", c.AntennaGain, "-20 to 30 dB")
	case c.BeaconAhead < 1 || c.BeaconAhead > 8:
		return bad("beacon_ahead", c.BeaconAhead, "1 to 8")
	case math.IsNaN(c.Latitude) || c.Latitude < -90 || c.Latitude > 90:
		return bad("latitude", c.Latitude, "-90 to 90")
	case math.IsNaN(c.Longitude) || c.Longitude < -180 || c.Longitude > 180:
		return bad("longitude", c.Longitude, "-180 to 180")
	}
	for i, v := range c.Ceilings {
		if !(v > 0 && v <= 1) {
			return bad(fmt.Sprintf("ceilings[%s]", Class(i)), v, "(0, 1]")
		}
	}
	return nil
}
