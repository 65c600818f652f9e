package scheduler

import (
	"errors"
	"fmt"
	"math"
	"time"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/region"
)

// Schedule admits a transmission. It returns a *RefusalError (errors.Is
// against the code's sentinel) when the request is refused, another error
// when it is malformed or the scheduler is not running, and nil when it is
// queued: then req.Done receives exactly one Result later. Every refusal
// is logged at warn.
func (s *Scheduler) Schedule(req Request) error {
	err := s.schedule(req)
	if err != nil {
		s.logRefusal(&req, err)
	}
	return err
}

func (s *Scheduler) schedule(req Request) error {
	if req.Done == nil {
		return errors.New("scheduler: request needs a Done callback")
	}
	if req.Class < ClassA || req.Class > ClassC {
		return &hal.FieldError{Field: "class", Value: req.Class.String(), Allowed: "A, B, C"}
	}
	if req.Timing.Mode > ASAP {
		return &hal.FieldError{Field: "timing.mode", Value: req.Timing.Mode.String(), Allowed: "tmst, gps, asap"}
	}
	if err := req.Packet.Validate(); err != nil {
		return fmt.Errorf("scheduler: request %q: %w", req.Ref, err)
	}
	nb, na := req.Timing.NotBefore, req.Timing.NotAfter
	if !nb.IsZero() && !na.IsZero() && na.Before(nb) {
		return &hal.FieldError{Field: "timing.not_after", Value: na, Allowed: "not before timing.not_before"}
	}
	req.Packet.Payload = append([]byte(nil), req.Packet.Payload...)
	s.mu.Lock()
	if !s.running {
		s.mu.Unlock()
		return ErrNotRunning
	}
	if req.Ref != "" && s.byRef.get(req.Ref) != nil {
		s.mu.Unlock()
		return &hal.FieldError{Field: "ref", Value: req.Ref, Allowed: "a ref not already queued"}
	}
	now, err := s.nowLocked()
	if err != nil {
		s.mu.Unlock()
		return fmt.Errorf("scheduler: %w", err)
	}
	out, err := s.admitLocked(req, now)
	if err != nil {
		var r *RefusalError
		if errors.As(err, &r) {
			s.stats.Results[r.Code]++
		}
	} else {
		s.rearmLocked(now)
	}
	s.mu.Unlock()
	s.deliver(out)
	return err
}

// admitLocked runs every check and queues the item.
func (s *Scheduler) admitLocked(req Request, now hal.Micros) ([]finished, error) {
	p := &req.Packet
	if err := s.checkTxLocked(p); err != nil {
		return nil, err
	}
	dr, n, err := s.payloadLimitLocked(p.DataRate)
	if err != nil {
		return nil, fmt.Errorf("scheduler: request %q: %w", req.Ref, err)
	}
	if len(p.Payload) > n+region.FrameOverhead {
		return nil, Refuse(PayloadSize, "%d bytes, at most %d at %s DR%d (N=%d plus %d bytes of frame)",
			len(p.Payload), n+region.FrameOverhead, s.region, dr, n, region.FrameOverhead)
	}
	air, err := p.TimeOnAir()
	if err != nil {
		return nil, fmt.Errorf("scheduler: request %q: %w", req.Ref, err)
	}
	if lim := s.region.DwellLimit(p.Frequency, p.DataRate.Bandwidth); lim > 0 && air > lim {
		return nil, Refuse(DwellTime, "%v on air, %s allows %v at %.3f MHz", air, s.region, lim, float64(p.Frequency)/1e6)
	}
	it := &item{ref: req.Ref, origin: req.Origin, done: req.Done, pkt: req.Packet, class: req.Class, mode: req.Timing.Mode, airUs: uint32(airMicros(air))}
	maxAdv := hal.MicrosOf(s.cfg.MaxAdvance)
	switch req.Timing.Mode {
	case AtCount, AtGPSTime:
		var start hal.Micros
		if req.Timing.Mode == AtCount {
			start = s.tl.Widen(req.Timing.Count)
		} else {
			if start, err = s.ref.GPSToMicros(req.Timing.GPSTime); err != nil {
				age := s.ref.Age()
				return nil, Refuse(GPSUnlocked, "GPS time %v needs a valid time reference (last pulse %v ago)", req.Timing.GPSTime, age)
			}
		}
		if d := start - now; d < s.lead {
			if d < 0 {
				return nil, Refuse(TooLate, "start was %v ago, minimum lead %v", (-d).Duration(), s.cfg.MinLead)
			}
			return nil, Refuse(TooLate, "starts in %v, minimum lead %v", d.Duration(), s.cfg.MinLead)
		} else if d > maxAdv {
			return nil, Refuse(TooEarly, "starts in %v, maximum advance %v", d.Duration(), s.cfg.MaxAdvance)
		}
		s.setSpan(it, start)
		return s.placeLocked(it, now, start, start, false)
	default: // ASAP
		from, to := now+s.lead, now+maxAdv
		wall := s.clk.Now()
		if nb := req.Timing.NotBefore; !nb.IsZero() {
			from = max(from, now+hal.MicrosOf(nb.Sub(wall)))
		}
		if na := req.Timing.NotAfter; !na.IsZero() {
			t := now + hal.MicrosOf(na.Sub(wall))
			if t < now+s.lead {
				return nil, Refuse(TooLate, "window ends in %v, minimum lead %v", (t - now).Duration(), s.cfg.MinLead)
			}
			to = min(to, t)
		}
		if from > now+maxAdv {
			return nil, Refuse(TooEarly, "window opens in %v, maximum advance %v", (from - now).Duration(), s.cfg.MaxAdvance)
		}
		return s.placeLocked(it, now, from, to, true)
	}
}

// drLimit is a data rate's index in the region and its largest payload N.
type drLimit struct{ index, maxN int }

// payloadLimitLocked returns the region's index of a data rate and its
// largest payload N, cached per data rate (the region's tables are fixed).
func (s *Scheduler) payloadLimitLocked(d hal.DataRate) (index, maxN int, err error) {
	if l, ok := s.drLimits[d]; ok {
		return l.index, l.maxN, nil
	}
	if index, err = s.region.DataRateIndex(d); err != nil {
		return 0, 0, err
	}
	if maxN, err = s.region.MaxPayload(index); err != nil {
		return 0, 0, err
	}
	s.drLimits[d] = drLimit{index, maxN}
	return index, maxN, nil
}

// checkTxLocked checks frequency and power against the board and the
// region, applying the power policy to p.Power.
func (s *Scheduler) checkTxLocked(p *hal.TxPacket) error {
	if int(p.RFChain) >= len(s.chains) || !s.caps.CanTransmit(p.RFChain, p.Frequency) {
		rng := "none"
		if int(p.RFChain) < len(s.caps.TxFreq) {
			rng = s.caps.TxFreq[p.RFChain].String()
		}
		return Refuse(TxFreq, "%.6f MHz is outside the board's TX range on rf chain %d (%s)", float64(p.Frequency)/1e6, p.RFChain, rng)
	}
	if err := s.region.CheckTxFreq(p.Frequency, uint32(p.DataRate.Bandwidth)); err != nil {
		return Refuse(TxFreq, "%v", err)
	}
	limit := int8(math.Floor(float64(s.region.MaxTxPower(p.Frequency)) - s.cfg.AntennaGain))
	boardCap := false
	if g := s.caps.TxGains; len(g) > 0 && g[len(g)-1].Power < limit {
		limit, boardCap = g[len(g)-1].Power, true
	}
	eff := s.tablePower(p.Power, p.Power)
	if p.Power <= limit && eff <= limit {
		p.Power = eff
		return nil
	}
	if s.cfg.PowerPolicy == PowerClamp {
		if c := s.tablePower(limit, math.MinInt8); c != math.MinInt8 && c <= limit {
			s.log.Warn("TX power clamped", zap.Int8("requested", p.Power), zap.Int8("used", c),
				zap.String("why", s.powerWhy(p, limit, boardCap)))
			p.Power = c
			return nil
		}
	}
	return Refuse(TxPower, "%d dBm requested (%d dBm from the gain table), %s", p.Power, eff, s.powerWhy(p, limit, boardCap))
}

// powerWhy explains a power limit; it is built only when a request is
// refused or clamped.
func (s *Scheduler) powerWhy(p *hal.TxPacket, limit int8, boardCap bool) string {
	if boardCap {
		return fmt.Sprintf("the board's gain table tops out at %d dBm", limit)
	}
	return fmt.Sprintf("%s allows %d dBm at %.3f MHz with %.1f dB antenna gain", s.region, limit, float64(p.Frequency)/1e6, s.cfg.AntennaGain)
}

// tablePower returns the largest gain-table power at most p, or none when
// there is no such entry (the chip then uses the lowest entry). With no
// table, p stands.
func (s *Scheduler) tablePower(p, none int8) int8 {
	g := s.caps.TxGains
	if len(g) == 0 {
		return p
	}
	best, found := none, false
	for _, e := range g {
		if e.Power <= p && (!found || e.Power > best) {
			best, found = e.Power, true
		}
	}
	if !found && none == p {
		return g[0].Power
	}
	return best
}

// setSpan places an item's start and occupancy.
func (s *Scheduler) setSpan(it *item, start hal.Micros) {
	it.start = start
	it.occEnd = start + it.airTime() + s.guard
}

// occStart is the start of an item's occupancy: MinLead before its start,
// the latest moment it may reach the chip.
func (s *Scheduler) occStart(it *item) hal.Micros { return it.start - s.lead }

func airMicros(d time.Duration) hal.Micros {
	return hal.Micros((d + time.Microsecond - 1) / time.Microsecond)
}

// placeLocked finds the item's place: at its start, evicting queued items
// of lower priority that collide with it; or, for ASAP, at the earliest
// start in [from, to] free of collisions and within the duty cycle,
// evicting nothing. It queues the item and returns the evicted items'
// results.
func (s *Scheduler) placeLocked(it *item, now, from, to hal.Micros, asap bool) ([]finished, error) {
	c := s.chains[it.pkt.RFChain]
	if it.class != Beacon && c.q.n >= s.cfg.Capacity {
		return nil, Refuse(QueueFull, "%d items queued on rf chain %d (capacity %d)", c.q.n, it.pkt.RFChain, s.cfg.Capacity)
	}
	u := s.subBandLocked(it)
	ceiling := s.cfg.Ceilings[it.class]
	var lastErr error // the last reason an ASAP candidate was refused
	var conflicts []*item
	cand := from
	for iter := 0; ; iter++ {
		if asap && (cand > to || iter > 4*s.cfg.Capacity+64) {
			if lastErr == nil {
				lastErr = Refuse(TooEarly, "no start found before the window closes")
			}
			return nil, lastErr
		}
		s.setSpan(it, cand)
		if retry, ok := s.beaconConflictLocked(it); ok {
			lastErr = Refuse(CollisionBeacon, "start at %v meets a class B beacon or its guard", it.start.Count())
			if asap {
				cand = retry
				continue
			}
			return nil, lastErr
		}
		conflicts = s.conflictsLocked(c, it, conflicts[:0])
		blocked, beacon, end := false, false, it.occEnd
		for _, x := range conflicts {
			if asap || x == c.inflight || x.class <= it.class {
				blocked = true
			}
			beacon = beacon || x.class == Beacon
			end = max(end, x.occEnd)
		}
		if blocked {
			code := CollisionPacket
			if beacon {
				code = CollisionBeacon
			}
			lastErr = Refuse(code, "occupancy %d-%d meets %d queued or emitting item(s)", s.occStart(it).Count(), it.occEnd.Count(), len(conflicts))
			if asap {
				cand = end + s.lead + 1
				continue
			}
			return nil, lastErr
		}
		if u != nil {
			for _, x := range conflicts {
				if x.dc != nil {
					u.remove(x.dc)
				}
			}
			ok, used, limit, retry := u.check(it.start, it.start+it.airTime(), ceiling)
			for _, x := range conflicts {
				if x.dc != nil {
					u.add(x.dc)
				}
			}
			if !ok {
				lastErr = Refuse(DutyCycle, "sub-band %s: %v on air in the hour with this one, class %s may use %v (%.0f%% of %v)",
					u.band, used.Duration(), it.class, limit.Duration(), ceiling*100, u.band.Budget())
				if asap {
					cand = retry
					continue
				}
				return nil, lastErr
			}
		}
		break
	}
	var out []finished
	for _, x := range conflicts {
		code := CollisionPacket
		if it.class == Beacon {
			code = CollisionBeacon
		}
		s.dropLocked(x)
		out = append(out, s.endLocked(x, code, Refuse(code, "preempted by %s item %q", it.class, it.ref)))
	}
	s.seq++
	it.seq = s.seq
	c.q.insert(it)
	if u != nil {
		it.dc = &dcRecord{start: it.start, end: it.start + it.airTime()}
		u.add(it.dc)
	}
	if it.ref != "" {
		s.byRef.put(it)
	}
	return out, nil
}

// conflictsLocked returns the queued items and the item on the chip whose
// occupancy meets it's.
func (s *Scheduler) conflictsLocked(c *chainState, it *item, out []*item) []*item {
	out = c.q.overlapping(s.occStart(it), it.occEnd, s.lead, out)
	if f := c.inflight; f != nil && f.occEnd >= s.occStart(it) && s.occStart(f) <= it.occEnd {
		out = append(out, f)
	}
	return out
}

// beaconConflictLocked checks an item against the beacons of the periods
// it spans, queued or not yet, when beaconing with a valid time reference:
// no item may meet a beacon's occupancy, and a class B item may not start
// in the 3 s guard before a beacon or the 2.120 s reserved after it
// (spec-classb-multicast.md §1.1; class A and C replies may, as in the
// reference forwarder, sx1302-rxtx-timing.md §4). It returns a start past
// the conflict.
func (s *Scheduler) beaconConflictLocked(it *item) (hal.Micros, bool) {
	if !s.cfg.Beaconing || it.class == Beacon {
		return 0, false
	}
	g1, err1 := s.ref.MicrosToGPS(s.occStart(it))
	g2, err2 := s.ref.MicrosToGPS(it.occEnd)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	delay := hal.MicrosOf(s.caps.TxStartDelay)
	for t := region.BeaconTimeFor(g1 - region.BeaconReserved); t <= g2+region.BeaconGuard; t += region.BeaconPeriod {
		bm, err := s.ref.GPSToMicros(t)
		if err != nil {
			return 0, false
		}
		bs := bm + delay
		bOccStart, bOccEnd := bs-s.lead, bs+airMicros(s.beaconAir())+s.guard
		if s.occStart(it) <= bOccEnd && it.occEnd >= bOccStart {
			return bOccEnd + s.lead + 1, true
		}
		if it.class == ClassB {
			gs, ge := bm-hal.MicrosOf(region.BeaconGuard), bm+hal.MicrosOf(region.BeaconReserved)
			if it.start >= gs && it.start < ge {
				return ge, true
			}
		}
	}
	return 0, false
}
