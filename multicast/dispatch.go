package multicast

import (
	"errors"
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
	r := Report{MessageId: msg.ID, GroupId: msg.Group, FCnt: msg.FCnt, FPort: msg.FPort, Duplicate: msg.Duplicate,
		Attempts: msg.attempts}
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
	if m.queueDirty && m.degraded == nil {
		_ = m.saveQueue() // a failure stays dirty; noteStorage logged it
	}
	m.mu.Unlock()
	m.deliver(reps)
}

// removeMsg drops a message from its group (queue and in-flight) and from
// the manager's index, and marks the queue for saving.
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
	m.ended = append(m.ended, msg.Seq)
	m.queueDirty, m.ledgerDirty = true, true
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
	case m.lateRetry(f, res, now, live):
		// Never on air: the same frame, same counter, goes again at the
		// next opportunity (this very pass: process advances the group).
		msg.InFlight, msg.resend, m.queueDirty = false, true, true
		if g.p.class == ClassB {
			msg.notBefore = f.slot + region.PingSlotLen
		}
		m.log.Warn("multicast: frame never emitted, sending it again", zap.String("group", g.id),
			zap.String("message", msg.ID), zap.Uint32("fcnt", msg.FCnt), zap.Int("attempt", msg.attempts), zap.Error(res.Err))
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

// lateRetry reports whether a result is a late hand-off the chip never
// emitted that may go again: class B and C multicast frames only (class A
// has no multicast, and its window is gone anyway), within the session
// and Config.LateRetries.
func (m *Manager) lateRetry(f *flight, res scheduler.Result, now time.Time, live bool) bool {
	return res.Code == scheduler.TxFailed && errors.Is(res.Err, scheduler.ErrLateHandoff) && live &&
		now.Before(f.g.sess.end()) && f.msg.attempts <= m.cfg.LateRetries
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
			if m.storageErr != nil {
				reps = append(reps, refusedReport(msg, g, CodeNotPersisted, "the session ended at %s while the storage could not record the message going out (%s: %v)",
					g.sess.end().UTC().Format(time.RFC3339), m.storage, m.storageErr))
			} else {
				reps = append(reps, refusedReport(msg, g, scheduler.TooLate, "the session ended at %s before the message could go out",
					g.sess.end().UTC().Format(time.RFC3339)))
			}
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
// when the group must wait (disk error): the message stays queued. A
// message that cannot go ends here with its refusal report.
func (m *Manager) dispatch(g *group, msg *message, now time.Time, reps []Report) ([]Report, bool) {
	p, r := m.plan(g, msg, now)
	if r == nil {
		var diskErr error
		if r, diskErr = m.frame(g, msg); diskErr != nil {
			return m.waitDisk(g, now, diskErr, reps)
		}
	}
	if r != nil {
		reps = append(reps, refusedReport(msg, g, r.code, "%v", r.err))
		m.removeMsg(g, msg)
		return reps, true
	}
	msg.InFlight = true
	if err := m.saveQueue(); err != nil {
		msg.InFlight = false
		return m.waitDisk(g, now, err, reps)
	}
	msg.resend = false
	return m.submit(g, msg, p, reps), true
}

// refusal is why a message cannot go: the code of its report and the
// reason.
type refusal struct {
	code scheduler.Code
	err  error
}

func refuse(code scheduler.Code, format string, args ...any) *refusal {
	return &refusal{code: code, err: fmt.Errorf(format, args...)}
}

// txPlan is how and when a message goes out.
type txPlan struct {
	class  scheduler.Class
	timing scheduler.Timing
	dr     hal.DataRate
	freq   uint32
	// slot is the class B ping slot asked for.
	slot time.Duration
}

// plan checks the message against the session (payload size, data rate)
// and finds its timing and frequency: the next ping slot for class B,
// the session window for class C.
func (m *Manager) plan(g *group, msg *message, now time.Time) (txPlan, *refusal) {
	s := g.sess
	n, err := maxPayload(g.p.region, s.DlDr)
	if err != nil {
		return txPlan{}, refuse(scheduler.TxFailed, "%v", err)
	}
	limit := n
	if !g.p.hasKeys {
		limit = n + region.FrameOverhead
	}
	if len(msg.Payload) > limit {
		return txPlan{}, refuse(scheduler.PayloadSize, "%d bytes exceed %d at the session's DR%d", len(msg.Payload), limit, s.DlDr)
	}
	p := txPlan{class: scheduler.ClassC, freq: s.DlFreq}
	if p.dr, err = g.p.region.DataRate(s.DlDr); err != nil {
		return txPlan{}, refuse(scheduler.TxFailed, "%v", err)
	}
	end := s.end()
	if g.p.class != ClassB {
		p.timing = scheduler.Timing{Mode: scheduler.ASAP, NotBefore: maxTime(s.Start, now), NotAfter: end}
		return p, nil
	}
	p.class = scheduler.ClassB
	after := max(gpsOf(now.Add(m.cfg.ClassBLead)), firstBeaconAtOrAfter(gpsOf(s.Start)), msg.notBefore)
	ps, err := scheduler.NextPingSlot(devAddr(g.p.addr), after, s.PingSlotPeriod, g.p.region)
	if err == nil && !utcOf(ps.Time).Before(end) {
		err = fmt.Errorf("no ping slot before the session ends at %s", end.UTC().Format(time.RFC3339))
	}
	if err != nil {
		return txPlan{}, refuse(scheduler.TooLate, "%v", err)
	}
	if p.freq == 0 {
		if p.freq, err = g.p.region.PingSlotFrequency(devAddr(g.p.addr), ps.BeaconTime); err != nil {
			return txPlan{}, refuse(scheduler.TxFreq, "ping-slot frequency: %v", err)
		}
	}
	p.slot = ps.Time
	p.timing = scheduler.Timing{Mode: scheduler.AtGPSTime, GPSTime: ps.Time}
	return p, nil
}

// frame sets the message's PHYPayload: the encrypted frame under the next
// frame counter when the group has keys, the payload as given otherwise;
// a frame sent again after a late hand-off (msg.resend) keeps its counter
// and bytes, since it never went on air. diskErr means the counter could
// not be reserved: try again later.
func (m *Manager) frame(g *group, msg *message) (r *refusal, diskErr error) {
	if msg.resend {
		return nil, nil
	}
	if !g.p.hasKeys {
		msg.phy = msg.Payload
		return nil, nil
	}
	fcnt, err := m.takeFCnt(g)
	if err != nil {
		if g.next > 0xFFFFFFFF {
			return refuse(scheduler.TxFailed, "%v", err), nil
		}
		return nil, err
	}
	phy, err := BuildFrame(g.p.addr, fcnt, uint8(msg.FPort), msg.Payload, g.p.nwk, g.p.app)
	if err != nil {
		return refuse(scheduler.TxFailed, "%v", err), nil
	}
	msg.FCnt, msg.phy = fcnt, phy
	return nil, nil
}

// submit hands the framed message to the scheduler; a refusal ends it at
// once with its report.
func (m *Manager) submit(g *group, msg *message, p txPlan, reps []Report) []Report {
	power := m.cfg.TxPower
	if power == 0 {
		power = int8(g.p.region.Band().GetDownlinkTXPower(p.freq))
	}
	m.attempts++
	msg.attempts++
	f := &flight{msg: msg, g: g, attempt: m.attempts, slot: p.slot}
	req := scheduler.Request{
		Ref: msg.ID, Class: p.class, Timing: p.timing, Origin: "multicast:" + g.id,
		Packet: hal.TxPacket{Payload: msg.phy, Frequency: p.freq, RFChain: m.cfg.RFChain, Power: power,
			DataRate: p.dr, InvertIQ: true, NoCRC: true},
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
		return m.outcome(f, res, reps)
	}
	return reps
}

// waitDisk keeps a message queued after a storage error and retries later
// (noteStorage has logged it, at most once a minute).
func (m *Manager) waitDisk(g *group, now time.Time, err error, reps []Report) ([]Report, bool) {
	g.retryAt = now.Add(m.cfg.RetryDelay)
	g.timers = append(g.timers, m.cfg.Clock.AfterFunc(m.cfg.RetryDelay, m.poke))
	return reps, false
}

// doneFunc is the Done of a request. The manager calls Schedule and Cancel
// with m.mu held, and the scheduler may call Done inside those calls
// (scheduler.Request.Done), so Done takes only resMu, which is never held
// around a scheduler call, and leaves the work to the manager's goroutine.
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
