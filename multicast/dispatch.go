package multicast

import (
	"fmt"
	"time"

	"github.com/brocaar/lorawan/gps"
	"go.uber.org/zap"

	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/region"
	"github.com/lgwagent/lgw/scheduler"
)

// armSession sets the timers that wake the manager at the session's start
// and end. Callers hold m.mu.
func (m *Manager) armSession(g *group) {
	if !m.running || g.sess == nil {
		return
	}
	now := m.cfg.Clock.Now()
	for _, t := range []time.Time{g.sess.Start, g.sess.end()} {
		if d := t.Sub(now); d > 0 {
			g.timers = append(g.timers, m.cfg.Clock.AfterFunc(d, m.poke))
		}
	}
}

func stopTimers(g *group) {
	for _, t := range g.timers {
		t.Stop()
	}
	g.timers = nil
}

// deliver hands reports to the sink, outside m.mu.
func (m *Manager) deliver(reps []Report) {
	for _, r := range reps {
		m.cfg.Reports(r)
	}
}

func baseReport(msg *message, g *group) Report {
	r := Report{MessageId: msg.ID, GroupId: msg.Group, FCnt: msg.FCnt, FPort: msg.FPort, Duplicate: msg.Duplicate}
	if g != nil {
		r.McAddr = g.p.addr
		if g.p.hasKeys {
			r.Payload = msg.Payload
		} else {
			r.PHYPayload = msg.Payload
		}
	}
	if msg.phy != nil {
		r.PHYPayload = msg.phy
	}
	return r
}

// refusedReport ends a message the agent itself could not send.
func refusedReport(msg *message, g *group, code scheduler.Code, format string, args ...any) Report {
	r := baseReport(msg, g)
	r.Result = scheduler.Result{Ref: msg.ID, Code: code, Err: scheduler.Refuse(code, format, args...)}
	return r
}

func cancelledReport(msg *message, g *group, why string) Report {
	return refusedReport(msg, g, scheduler.Cancelled, "%s", why)
}

// process is one pass of the manager's goroutine: it takes the
// scheduler's results, moves every group's session on and submits what
// can go, then persists and delivers the reports.
func (m *Manager) process() {
	m.resMu.Lock()
	results := m.results
	m.results = nil
	m.resMu.Unlock()

	m.mu.Lock()
	reps := m.early
	m.early = nil
	for _, d := range results {
		reps = m.handleResult(d, reps)
	}
	if m.running {
		now := m.cfg.Clock.Now()
		for _, g := range m.sortedGroups() {
			reps = m.advance(g, now, reps)
		}
	}
	if m.queueDirty {
		if err := m.saveQueue(); err != nil {
			m.log.Error("multicast: save queue", zap.Error(err))
		}
	}
	m.mu.Unlock()
	m.deliver(reps)
}

// removeHead drops a group's head message.
func (m *Manager) removeMsg(g *group, msg *message) {
	delete(m.msgs, msg.ID)
	for i, q := range g.queue {
		if q == msg {
			g.queue = append(g.queue[:i], g.queue[i+1:]...)
			break
		}
	}
	if g.inflight == msg {
		g.inflight = nil
	}
	m.queueDirty = true
}

// transient reports whether a refusal is worth another attempt later in
// the session: the scheduler's queue or time reference may come back, and
// a class B message may take a later ping slot.
func transient(code scheduler.Code, class string) bool {
	switch code {
	case scheduler.QueueFull, scheduler.GPSUnlocked:
		return true
	case scheduler.TooLate, scheduler.CollisionPacket, scheduler.CollisionBeacon:
		return class == ClassB
	}
	return false
}

// handleResult applies one scheduler result.
func (m *Manager) handleResult(d doneItem, reps []Report) []Report {
	f := m.flights[d.ref]
	if f == nil || f.attempt != d.attempt {
		return reps // stale: an earlier attempt, already settled
	}
	delete(m.flights, d.ref)
	return m.outcome(f, d.res, reps)
}

// outcome ends or requeues a message after the scheduler's answer.
func (m *Manager) outcome(f *flight, res scheduler.Result, reps []Report) []Report {
	g, msg := f.g, f.msg
	if g.inflight == msg {
		g.inflight = nil
	}
	live := m.groups[g.id] == g && g.sess != nil
	now := m.cfg.Clock.Now()
	code := res.Code
	switch {
	case code == scheduler.Sent:
	case code == scheduler.Cancelled && f.requeue && live:
		msg.InFlight, m.queueDirty = false, true
		return reps
	case transient(code, g.p.class) && live && now.Before(g.sess.end()):
		// Not on air: no duplicate if the agent restarts now. A class B
		// message takes a later ping slot; every retry waits RetryDelay
		// so a scheduler that keeps refusing is not flooded.
		msg.InFlight, m.queueDirty = false, true
		if g.p.class == ClassB {
			msg.notBefore = f.slot + region.PingSlotLen
		}
		g.retryAt = now.Add(m.cfg.RetryDelay)
		g.timers = append(g.timers, m.cfg.Clock.AfterFunc(m.cfg.RetryDelay, m.poke))
		m.log.Debug("multicast: retry", zap.String("message", msg.ID), zap.String("code", string(code)))
		return reps
	}
	r := baseReport(msg, g)
	r.Result = res
	if r.Result.Ref == "" {
		r.Result.Ref = msg.ID
	}
	reps = append(reps, r)
	m.removeMsg(g, msg)
	return reps
}

// advance moves a group on: an ended session ends its queued messages, an
// active one submits its head message.
func (m *Manager) advance(g *group, now time.Time, reps []Report) []Report {
	if g.sess == nil {
		return reps
	}
	switch sessionState(g.sess, now) {
	case StateScheduled:
		return reps
	case StateEnded:
		for _, msg := range append([]*message(nil), g.queue...) {
			if msg == g.inflight {
				continue
			}
			reps = append(reps, refusedReport(msg, g, scheduler.TooLate, "the session ended at %s before the message could go out",
				g.sess.end().UTC().Format(time.RFC3339)))
			m.removeMsg(g, msg)
		}
		return reps
	}
	for g.inflight == nil && len(g.queue) > 0 && !now.Before(g.retryAt) {
		var ok bool
		reps, ok = m.dispatch(g, g.queue[0], now, reps)
		if !ok {
			break
		}
	}
	return reps
}

// gpsOf converts a UTC time to GPS time since the GPS epoch.
func gpsOf(t time.Time) time.Duration { return gps.Time(t).TimeSinceGPSEpoch() }

// utcOf converts GPS time since the GPS epoch to UTC.
func utcOf(d time.Duration) time.Time { return time.Time(gps.NewTimeFromTimeSinceGPSEpoch(d)).UTC() }

// dispatch builds the head message's frame and submits it. ok is false
// when the group must wait (disk error): the message stays queued.
func (m *Manager) dispatch(g *group, msg *message, now time.Time, reps []Report) ([]Report, bool) {
	s := g.sess
	n, err := maxPayload(g.p.region, s.DlDr)
	if err != nil {
		reps = append(reps, refusedReport(msg, g, scheduler.TxFailed, "%v", err))
		m.removeMsg(g, msg)
		return reps, true
	}
	limit := n
	if !g.p.hasKeys {
		limit = n + region.FrameOverhead
	}
	if len(msg.Payload) > limit {
		reps = append(reps, refusedReport(msg, g, scheduler.PayloadSize, "%d bytes exceed %d at the session's DR%d",
			len(msg.Payload), limit, s.DlDr))
		m.removeMsg(g, msg)
		return reps, true
	}
	dr, err := g.p.region.DataRate(s.DlDr)
	if err != nil {
		reps = append(reps, refusedReport(msg, g, scheduler.TxFailed, "%v", err))
		m.removeMsg(g, msg)
		return reps, true
	}
	end := s.end()
	freq := s.DlFreq
	var timing scheduler.Timing
	class := scheduler.ClassC
	var slot time.Duration
	if g.p.class == ClassB {
		class = scheduler.ClassB
		after := max(gpsOf(now.Add(m.cfg.ClassBLead)), firstBeaconAtOrAfter(gpsOf(s.Start)), msg.notBefore)
		var ps scheduler.PingSlot
		ps, err = scheduler.NextPingSlot(devAddr(g.p.addr), after, s.PingSlotPeriod, g.p.region)
		slot = ps.Time
		if err == nil && !utcOf(slot).Before(end) {
			err = fmt.Errorf("no ping slot before the session ends at %s", end.UTC().Format(time.RFC3339))
		}
		if err != nil {
			reps = append(reps, refusedReport(msg, g, scheduler.TooLate, "%v", err))
			m.removeMsg(g, msg)
			return reps, true
		}
		if freq == 0 {
			if freq, err = g.p.region.PingSlotFrequency(devAddr(g.p.addr), ps.BeaconTime); err != nil {
				reps = append(reps, refusedReport(msg, g, scheduler.TxFreq, "ping-slot frequency: %v", err))
				m.removeMsg(g, msg)
				return reps, true
			}
		}
		timing = scheduler.Timing{Mode: scheduler.AtGPSTime, GPSTime: slot}
	} else {
		timing = scheduler.Timing{Mode: scheduler.ASAP, NotBefore: maxTime(s.Start, now), NotAfter: end}
	}
	if g.p.hasKeys {
		fcnt, err := m.takeFCnt(g)
		if err != nil {
			if g.next > 0xFFFFFFFF {
				reps = append(reps, refusedReport(msg, g, scheduler.TxFailed, "%v", err))
				m.removeMsg(g, msg)
				return reps, true
			}
			return m.waitDisk(g, now, err, reps)
		}
		phy, err := BuildFrame(g.p.addr, fcnt, uint8(msg.FPort), msg.Payload, g.p.nwk, g.p.app)
		if err != nil {
			reps = append(reps, refusedReport(msg, g, scheduler.TxFailed, "%v", err))
			m.removeMsg(g, msg)
			return reps, true
		}
		msg.FCnt, msg.phy = fcnt, phy
	} else {
		msg.phy = msg.Payload
	}
	msg.InFlight = true
	if err := m.saveQueue(); err != nil {
		msg.InFlight = false
		return m.waitDisk(g, now, err, reps)
	}
	power := m.cfg.TxPower
	if power == 0 {
		power = int8(g.p.region.Band().GetDownlinkTXPower(freq))
	}
	m.attempts++
	f := &flight{msg: msg, g: g, attempt: m.attempts, slot: slot}
	req := scheduler.Request{
		Ref: msg.ID, Class: class, Timing: timing, Origin: "multicast:" + g.id,
		Packet: hal.TxPacket{Payload: msg.phy, Frequency: freq, RFChain: m.cfg.RFChain, Power: power,
			DataRate: dr, InvertIQ: true, NoCRC: true},
		Done: m.doneFunc(msg.ID, f.attempt),
	}
	g.inflight = msg
	m.flights[msg.ID] = f
	if err := m.tx.Schedule(req); err != nil {
		delete(m.flights, msg.ID)
		res := scheduler.Result{Ref: msg.ID, Code: scheduler.CodeOf(err), Err: err, Packet: req.Packet}
		if res.Code == scheduler.Sent { // a refusal without a code
			res.Code = scheduler.TxFailed
		}
		return m.outcome(f, res, reps), true
	}
	return reps, true
}

// waitDisk keeps a message queued after a storage error and retries later.
func (m *Manager) waitDisk(g *group, now time.Time, err error, reps []Report) ([]Report, bool) {
	m.log.Error("multicast: storage error, message stays queued", zap.String("group", g.id), zap.Error(err))
	g.retryAt = now.Add(m.cfg.RetryDelay)
	g.timers = append(g.timers, m.cfg.Clock.AfterFunc(m.cfg.RetryDelay, m.poke))
	return reps, false
}

func (m *Manager) doneFunc(ref string, attempt uint64) func(scheduler.Result) {
	return func(r scheduler.Result) {
		m.resMu.Lock()
		m.results = append(m.results, doneItem{ref: ref, attempt: attempt, res: r})
		m.resMu.Unlock()
		m.poke()
	}
}

// firstBeaconAtOrAfter returns the start of the first beacon period at or
// after GPS time t.
func firstBeaconAtOrAfter(t time.Duration) time.Duration {
	b := t.Truncate(region.BeaconPeriod)
	if b < t {
		b += region.BeaconPeriod
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
