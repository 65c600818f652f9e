package multicast

import (
	"context"
	"time"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/apierr"
)

// StartMulticastGroupSession schedules the group's session; a new schedule
// replaces the previous one. Queued messages wait for the new start.
func (m *Manager) StartMulticastGroupSession(ctx context.Context, in StartSessionInput) (SessionOutput, error) {
	g, err := m.lockGroup(in.Id)
	if err != nil {
		return SessionOutput{}, err
	}
	defer m.mu.Unlock()
	now := m.cfg.Clock.Now()
	s, err := parseSession(in.LoRaWAN, g.p.region, g.p.class, g.p.addr, g.meta.defaults, now, &m.cfg)
	if err != nil {
		return SessionOutput{}, err
	}
	old := g.sess
	g.sess = &s
	if err := m.saveGroups(); err != nil {
		g.sess = old
		return SessionOutput{}, apierr.Wrap(apierr.InternalServer, err, "store session")
	}
	stopTimers(g)
	if g.inflight != nil {
		if f := m.flights[g.inflight.ID]; f != nil {
			f.requeue = true
			m.tx.Cancel(g.inflight.ID)
		}
	}
	g.retryAt = time.Time{}
	for _, msg := range g.queue {
		msg.notBefore = 0
	}
	m.armSession(g)
	m.log.Info("multicast session scheduled", zap.String("id", g.id), zap.Time("start", s.Start),
		zap.Int("timeout_s", s.Timeout), zap.Int("dr", s.DlDr), zap.Uint32("freq", s.DlFreq))
	return SessionOutput{Id: g.id, LoRaWAN: s.output(), State: sessionState(&s, now)}, nil
}

// GetMulticastGroupSession returns the effective schedule and its state.
// A group without a session is ResourceNotFound.
func (m *Manager) GetMulticastGroupSession(ctx context.Context, in GroupIDInput) (SessionOutput, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.degraded != nil {
		return SessionOutput{}, m.checkOpen()
	}
	g, ok := m.groups[in.Id]
	if !ok {
		return SessionOutput{}, notFound(in.Id)
	}
	if g.sess == nil {
		return SessionOutput{}, apierr.Newf(apierr.ResourceNotFound, "Id", "multicast group %q has no session", in.Id)
	}
	return SessionOutput{Id: g.id, LoRaWAN: g.sess.output(), State: sessionState(g.sess, m.cfg.Clock.Now())}, nil
}

// CancelMulticastGroupSession removes the group's session; its queued
// messages end as CANCELLED.
func (m *Manager) CancelMulticastGroupSession(ctx context.Context, in GroupIDInput) error {
	g, err := m.lockGroup(in.Id)
	if err != nil {
		return err
	}
	if g.sess == nil {
		m.mu.Unlock()
		return apierr.Newf(apierr.ResourceNotFound, "Id", "multicast group %q has no session", in.Id)
	}
	old := g.sess
	g.sess = nil
	if err := m.saveGroups(); err != nil {
		g.sess = old
		m.mu.Unlock()
		return apierr.Wrap(apierr.InternalServer, err, "store session")
	}
	reps := m.endSession(g, "its session was cancelled")
	m.mu.Unlock()
	m.deliver(reps)
	m.poke()
	return nil
}

// DeleteMulticastGroupSession is CancelMulticastGroupSession under the
// seed guide's name.
func (m *Manager) DeleteMulticastGroupSession(ctx context.Context, in GroupIDInput) error {
	return m.CancelMulticastGroupSession(ctx, in)
}

// endSession stops a group's timers, withdraws its message in flight and
// ends its queued messages as cancelled. Callers hold m.mu and persist.
func (m *Manager) endSession(g *group, why string) []Report {
	stopTimers(g)
	var reps []Report
	kept := g.queue[:0]
	for _, msg := range g.queue {
		if msg == g.inflight {
			kept = append(kept, msg)
			continue
		}
		reps = append(reps, cancelledReport(msg, g, why))
		delete(m.msgs, msg.ID)
		m.ended = append(m.ended, msg.Seq)
		m.queueDirty, m.ledgerDirty = true, true
	}
	g.queue = kept
	if g.inflight != nil {
		if f := m.flights[g.inflight.ID]; f != nil {
			f.requeue = false
			m.tx.Cancel(g.inflight.ID)
		}
	}
	if m.queueDirty && m.degraded == nil {
		_ = m.saveQueue() // a failure stays dirty; noteStorage logged it
	}
	return reps
}
