package scheduler

import (
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/region"
)

// rearmLocked sets the one timer for the next event: the earliest
// hand-off or emission check, and at least every tickInterval. A timer
// already due no later is kept.
func (s *Scheduler) rearmLocked(now hal.Micros) {
	next := now + hal.MicrosOf(tickInterval)
	for _, c := range s.chains {
		if f := c.inflight; f != nil && !f.checked {
			next = min(next, f.checkAt()) // comes before the next hand-off
		} else if h := c.q.min(); h != nil {
			next = min(next, s.dueLocked(c, h))
		}
	}
	if s.timer != nil && s.timerAt <= next {
		return
	}
	s.armLocked(next)
}

// handoffLead is how long before its start an item goes to the chip.
func (s *Scheduler) handoffLead(it *item) hal.Micros {
	if it.class == Beacon {
		return max(s.lead, min(s.handoff, hal.MicrosOf(beaconHandoffLead)))
	}
	return s.handoff
}

// dueLocked is when h, the next item of chain c, goes to the chip: the
// later of its start minus the hand-off lead and the moment the chain is
// free. Admission keeps the chain free from MinLead before each start, so
// an item always has at least MinLead left when it falls due.
func (s *Scheduler) dueLocked(c *chainState, h *item) hal.Micros {
	return max(h.start-s.handoffLead(h), c.freeAt)
}

// armLocked arms the timer for counter time at, measured from the last
// counter reading.
func (s *Scheduler) armLocked(at hal.Micros) {
	if s.timer != nil {
		s.timer.Stop()
	}
	last, _ := s.tl.Last()
	s.timerAt = at
	s.timer = s.clk.AfterFunc(max(0, at-last).Duration(), s.onTimer)
}

// onTimer is the timer's work: read the counter, plan beacons, verify
// emissions and hand over what is due, then re-arm.
func (s *Scheduler) onTimer() {
	s.mu.Lock()
	if !s.running {
		s.mu.Unlock()
		return
	}
	s.cbWG.Add(1)
	defer s.cbWG.Done()
	s.timer = nil
	firedFor := s.timerAt // what the timer was armed for: lateness counts from there
	s.lastTick.Store(s.clk.Now().UnixNano())
	now, err := s.nowLocked()
	if err != nil {
		s.log.Warn("scheduler tick", zap.Error(err))
		last, _ := s.tl.Last()
		s.armLocked(last + hal.MicrosOf(100*time.Millisecond))
		s.mu.Unlock()
		return
	}
	out := s.planBeaconsLocked(now)
	for i, c := range s.chains {
		out = append(out, s.serviceLocked(uint8(i), c, now, firedFor)...)
	}
	for _, u := range s.subBands {
		u.prune(now)
	}
	s.rearmLocked(now)
	s.mu.Unlock()
	s.deliver(out)
}

// serviceLocked verifies the item on the chip and hands over due items.
// firedFor is the time the timer was armed for: an item that fell due
// earlier (admitted inside its hand-off window) is late only from there.
func (s *Scheduler) serviceLocked(chain uint8, c *chainState, now, firedFor hal.Micros) []finished {
	var out []finished
	if f := c.inflight; f != nil {
		if !f.checked && now >= f.checkAt() {
			out = append(out, s.verifyLocked(chain, c, f, now)...)
		}
		if c.inflight != nil && c.inflight.checked && now >= c.freeAt {
			c.inflight = nil
		}
	}
	for {
		h := c.q.min()
		if h == nil || c.inflight != nil {
			break // the chip holds one item per chain until its emission ends
		}
		due := s.dueLocked(c, h)
		if due > now {
			break
		}
		c.q.remove(h)
		if f, ok := s.handOverLocked(c, h, now, max(due, firedFor)); !ok {
			out = append(out, f)
		}
	}
	return out
}

// handOverLocked programs h, due at due (or, admitted later, at the
// timer run that should have handed it over), on its chain. It returns h's
// result and false when h ended there (too late, no time reference for a
// beacon, or a failed send).
func (s *Scheduler) handOverLocked(c *chainState, h *item, now, due hal.Micros) (finished, bool) {
	// The run may have been held up since it read the counter (a host
	// stall, the items before this one): judge the time left afresh.
	if fresh, err := s.nowLocked(); err == nil {
		now = fresh
	}
	late, left := (now - due).Duration(), h.start-now
	s.noteHandoffLocked(late, left.Duration())
	fail := func(err error) (finished, bool) {
		s.releaseDCLocked(h)
		return s.endLocked(h, TxFailed, err), false
	}
	if h.class == Beacon && !s.ref.Valid() {
		return fail(Refuse(TxFailed, "time reference lost before the beacon"))
	}
	need := s.caps.TxStartDelay + s.caps.ProgramTime
	if left < hal.MicrosOf(need) {
		return fail(&RefusalError{Code: TxFailed, Cause: ErrLateHandoff, Detail: fmt.Sprintf(
			"handed over %v late: %v left before the start, the chip needs %v", late, left.Duration(), need)})
	}
	p := h.pkt
	if h.class == Beacon {
		p.Trigger = hal.Trigger{Mode: hal.OnPPS}
	} else {
		p.Trigger = hal.Trigger{Mode: hal.AtCount, Count: h.start.Count()}
	}
	if err := s.conc.Send(&p); err != nil {
		return fail(fmt.Errorf("%w: send: %w", ErrTxFailed, err))
	}
	h.pkt = p
	c.inflight, c.freeAt = h, h.occEnd
	return finished{}, true
}

// noteHandoffLocked records a hand-off's lateness and slack.
func (s *Scheduler) noteHandoffLocked(late, slack time.Duration) {
	st := &s.stats
	if st.Handoffs == 0 || slack < st.HandoffSlackMin {
		st.HandoffSlackMin = slack
	}
	st.Handoffs++
	st.HandoffLateMax = max(st.HandoffLateMax, late)
	if s.onHandoff != nil {
		s.onHandoff(late, slack)
	}
}

// verifyLocked reads the chip's TX status after an item's start: emitting
// means SENT; still scheduled means the trigger was missed (the chip would
// keep it armed for 2^27 µs), so it is aborted: TX_FAILED; free before the
// end of the emission means nothing went out: TX_FAILED. Free after the
// end (a late check) counts as SENT: only an emission or an abort frees an
// armed chain, and lgw aborts only here.
func (s *Scheduler) verifyLocked(chain uint8, c *chainState, it *item, now hal.Micros) []finished {
	it.checked = true
	st, err := s.conc.TxStatus(chain)
	if err == nil {
		// Judge the status against a counter read after it: the run may
		// have been held up since it read the counter, and a chain found
		// free after the end of the emission means it was sent.
		if fresh, e := s.nowLocked(); e == nil {
			now = fresh
		}
	}
	fail := func(e error) []finished {
		c.inflight, c.freeAt = nil, now
		s.releaseDCLocked(it)
		return []finished{s.endLocked(it, TxFailed, e)}
	}
	switch {
	case err != nil:
		return fail(fmt.Errorf("%w: tx status: %w", ErrTxFailed, err))
	case st == hal.TxEmitting, st == hal.TxFree && now >= it.start+it.airTime():
		return []finished{s.endLocked(it, Sent, nil)}
	case st == hal.TxScheduled:
		if err := s.conc.AbortTx(chain); err != nil {
			s.log.Warn("abort missed transmission", zap.Uint8("rf_chain", chain), zap.Error(err))
		}
		return fail(&RefusalError{Code: TxFailed, Cause: ErrLateHandoff, Detail: fmt.Sprintf(
			"still scheduled %v after its start: the trigger was missed; aborted, never emitted", (now - it.start).Duration())})
	default:
		return fail(Refuse(TxFailed, "chip %s %v after the start: no emission", st, (now - it.start).Duration()))
	}
}

// beaconAir is the beacon's time on air.
func (s *Scheduler) beaconAir() time.Duration {
	d, err := hal.TimeOnAir(s.beacon.DataRate, s.beacon.Size(), region.BeaconPreamble, true, false)
	if err != nil {
		return 0
	}
	return d
}

// planBeaconsLocked queues the next BeaconAhead beacons while beaconing
// with a valid time reference; it stops by itself when the reference is
// lost and resumes when it is back.
func (s *Scheduler) planBeaconsLocked(now hal.Micros) []finished {
	if !s.cfg.Beaconing || !s.ref.Valid() {
		return nil
	}
	g, err := s.ref.MicrosToGPS(now + 2*s.lead)
	if err != nil {
		return nil
	}
	var out []finished
	t := region.BeaconTimeFor(g) + region.BeaconPeriod
	for range s.cfg.BeaconAhead {
		if !s.beacons[t] {
			s.beacons[t] = true
			o, err := s.queueBeaconLocked(t, now)
			if err != nil {
				s.stats.BeaconsFailed++
				s.log.Warn("beacon not queued", zap.Duration("gps_time", t), zap.Error(err))
			}
			out = append(out, o...)
		}
		t += region.BeaconPeriod
	}
	for bt := range s.beacons {
		if bt < g-2*region.BeaconPeriod {
			delete(s.beacons, bt)
		}
	}
	return out
}

func (s *Scheduler) queueBeaconLocked(t time.Duration, now hal.Micros) ([]finished, error) {
	frame, err := s.beacon.Encode(region.BeaconFrame{Time: uint32(int64(t / time.Second)), Info: s.info})
	if err != nil {
		return nil, err
	}
	freq, err := s.region.BeaconFrequency(t)
	if err != nil {
		return nil, err
	}
	p := hal.TxPacket{
		Payload: frame, Frequency: freq, RFChain: s.cfg.BeaconRFChain, Power: s.cfg.BeaconPower,
		DataRate: s.beacon.DataRate, Preamble: region.BeaconPreamble, ImplicitHeader: true, NoCRC: true,
		Trigger: hal.Trigger{Mode: hal.OnPPS},
	}
	if err := s.checkTxLocked(&p); err != nil {
		return nil, err
	}
	bm, err := s.ref.GPSToMicros(t)
	if err != nil {
		return nil, err
	}
	it := &item{ref: fmt.Sprintf("beacon-%d", int64(t/time.Second)), class: Beacon, pkt: p, mode: AtGPSTime,
		origin: "beacon", airUs: uint32(airMicros(s.beaconAir()))}
	start := bm + hal.MicrosOf(s.caps.TxStartDelay)
	if start-now < s.lead {
		return nil, Refuse(TooLate, "beacon at GPS %v starts in %v", t, (start - now).Duration())
	}
	s.setSpan(it, start)
	return s.placeLocked(it, now, start, start, false)
}

// LastTick returns when the scheduler's timer last ran (at least every
// second while it runs): the liveness the systemd watchdog checks.
func (s *Scheduler) LastTick() time.Time {
	n := s.lastTick.Load()
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}
