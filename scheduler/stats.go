package scheduler

import (
	"sort"
	"time"

	"github.com/lgwagent/lgw/hal"
)

// Stats is a snapshot of the scheduler's counters.
type Stats struct {
	// Results counts outcomes and refusals by code.
	Results map[Code]int
	// Queued is the number of items queued on all RF chains.
	Queued int
	// DutyCycle is the use of each sub-band over the last hour.
	DutyCycle []SubBandUse
	// BeaconsSent and BeaconsFailed count beacons (failed includes
	// beacons that could not be queued).
	BeaconsSent, BeaconsFailed int
	// TimeRefValid, TimeRefAge and TimeRefPPM describe the GPS time
	// reference.
	TimeRefValid bool
	TimeRefAge   time.Duration
	TimeRefPPM   float64
	// Handoffs counts items handed to the chip (or found too late to be).
	Handoffs int
	// HandoffLateMax is the latest hand-off to the chip after it fell due
	// (the later of start minus HandoffLead and its RF chain being free).
	HandoffLateMax time.Duration
	// HandoffSlackMin is the smallest slack seen: the time left between a
	// hand-off and the item's start (negative: handed over after the
	// start). Meaningful once Handoffs > 0.
	HandoffSlackMin time.Duration
}

// SubBandUse is a sub-band's time on air in the last hour against its
// budget.
type SubBandUse struct {
	Name   string
	Used   time.Duration
	Budget time.Duration
}

// Stats returns a snapshot of the counters.
func (s *Scheduler) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Results = make(map[Code]int, len(s.stats.Results))
	for k, v := range s.stats.Results {
		st.Results[k] = v
	}
	for _, c := range s.chains {
		st.Queued += c.q.n
	}
	now, _ := s.tl.Last()
	for _, u := range s.subBands {
		st.DutyCycle = append(st.DutyCycle, SubBandUse{Name: u.band.Name, Used: u.usedIn(now-windowMicros, now).Duration(), Budget: u.band.Budget()})
	}
	sort.Slice(st.DutyCycle, func(i, j int) bool { return st.DutyCycle[i].Name < st.DutyCycle[j].Name })
	st.TimeRefValid, st.TimeRefAge, st.TimeRefPPM = s.ref.Valid(), s.ref.Age(), s.ref.PPM()
	return st
}

// QueuedItem describes a queued item, for the CLI.
type QueuedItem struct {
	Ref    string
	Class  Class
	Origin string
	// Start is the emission start on the timeline and as a counter value.
	Start hal.Micros
	Count hal.Count
	// TimeLeft is the time until the start at the last counter reading.
	TimeLeft time.Duration
	// Trigger is how the start was given: tmst, gps or asap.
	Trigger   string
	RFChain   uint8
	Frequency uint32
	Datr      string
	Power     int8
	Size      int
	// OnChip is set once the item was handed to the chip.
	OnChip bool
}

// Queue lists the queued items and those on the chip, by start.
func (s *Scheduler) Queue() []QueuedItem {
	s.mu.Lock()
	defer s.mu.Unlock()
	now, _ := s.tl.Last()
	var out []QueuedItem
	add := func(it *item, onChip bool) {
		p := it.pkt
		out = append(out, QueuedItem{Ref: it.ref, Class: it.class, Origin: it.origin, Start: it.start,
			Count: it.start.Count(), TimeLeft: it.start.Sub(now), Trigger: it.mode.String(), RFChain: p.RFChain,
			Frequency: p.Frequency, Datr: p.DataRate.Datr(), Power: p.Power, Size: len(p.Payload), OnChip: onChip})
	}
	for _, c := range s.chains {
		if c.inflight != nil && !c.inflight.checked {
			add(c.inflight, true)
		}
		c.q.all(func(it *item) { add(it, false) })
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out
}
