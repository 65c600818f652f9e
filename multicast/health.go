package multicast

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/apierr"
	"github.com/lgwagent/lgw/scheduler"
)

// Report codes of the multicast service beyond the scheduler's.
const (
	// CodeLost ends a message the store lost (queue or groups file
	// deleted, truncated or unreadable): it was not sent.
	CodeLost scheduler.Code = "LOST"
	// CodeNotPersisted ends a message whose session ended while the
	// storage could not record it going out (disk full, read-only): it
	// was not sent, as sending it unrecorded could reuse a frame counter.
	CodeNotPersisted scheduler.Code = "NOT_PERSISTED"
)

// storageWarnEvery bounds the storage warnings in the log.
const storageWarnEvery = time.Minute

// Health is the state of the multicast store, for the state and stats
// messages and `lgw status`.
type Health struct {
	// Storage is ok, full, read-only, corrupt or error.
	Storage string `json:"status"`
	// Degraded is set when the store could not be read: every multicast
	// operation is refused until ResetMulticastStore or a restart with
	// the file repaired.
	Degraded bool `json:"degraded"`
	// Files names the unreadable or recovered files.
	Files []string `json:"files,omitempty"`
	// Message says what is wrong and the fix; empty when ok.
	Message string `json:"message,omitempty"`
	// Recovered lists files read from their previous generation.
	Recovered []string `json:"recovered,omitempty"`
	// Lost counts accepted messages the store lost, each reported LOST;
	// LostUnknown says more may have been lost without a trace.
	Lost        int  `json:"lost,omitempty"`
	LostUnknown bool `json:"lost_unknown,omitempty"`
	// LastError is the last storage error, empty when writes succeed.
	LastError string `json:"last_error,omitempty"`
}

// degradedState is why the manager refuses every operation.
type degradedState struct {
	files   []string
	reasons []string
}

func (d *degradedState) message() string {
	return fmt.Sprintf("multicast store unreadable (%s); multicast is disabled, uplinks and unicast downlinks work. "+
		"Fix: send the management operation ResetMulticastStore (moves the files aside as *.bad and starts empty, "+
		"frame counters kept where readable), or move %s away and restart lgw",
		strings.Join(d.reasons, "; "), strings.Join(d.files, " and "))
}

// degrade puts the manager in degraded mode. Callers hold m.mu or own m.
func (m *Manager) degrade(errs []error) {
	d := &degradedState{}
	seen := map[string]bool{}
	for _, err := range errs {
		d.reasons = append(d.reasons, err.Error())
		p := pathOf(err)
		if p != "" && !seen[p] {
			seen[p] = true
			d.files = append(d.files, p)
		}
	}
	m.degraded = d
	m.storage = StorageCorrupt
	m.groups, m.msgs = map[string]*group{}, map[string]*message{}
	m.log.Error("multicast disabled: store unreadable", zap.Strings("files", d.files), zap.Strings("reasons", d.reasons),
		zap.String("fix", "ResetMulticastStore (management) or move the files away and restart"))
	m.healthChanged()
}

// pathOf returns the file an error is about.
func pathOf(err error) string {
	var ce *CorruptError
	if errors.As(err, &ce) {
		return strings.TrimSuffix(ce.Path, prevSuffix)
	}
	s := err.Error()
	for _, n := range storeFiles {
		if i := strings.Index(s, n); i >= 0 {
			j := strings.LastIndex(s[:i], " ")
			return s[j+1 : i+len(n)]
		}
	}
	return ""
}

// noteStorage records the outcome of a store write and returns err. A
// failure is logged at most once a minute; the condition shows in Health.
func (m *Manager) noteStorage(err error) error {
	now := m.cfg.Clock.Now()
	if err == nil {
		if m.storageErr != nil {
			m.log.Info("multicast storage writable again", zap.String("was", m.storage))
			m.storageErr = nil
			if m.degraded == nil {
				m.storage = StorageOK
			}
			m.healthChanged()
		}
		return nil
	}
	was := m.storageErr
	m.storageErr = err
	if m.degraded == nil {
		m.storage = storageCondition(err)
	}
	if was == nil {
		m.healthChanged()
	}
	if m.lastWarn.IsZero() || now.Sub(m.lastWarn) >= storageWarnEvery {
		m.lastWarn = now
		m.log.Warn("multicast storage failing; queued messages wait and end NOT_PERSISTED when their session ends",
			zap.String("condition", storageCondition(err)), zap.String("dir", m.cfg.Dir), zap.Error(err))
	}
	return err
}

// Health returns the state of the store.
func (m *Manager) Health() Health {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.healthLocked()
}

// healthChanged tells Config.OnHealth when the condition changed. Callers
// hold m.mu.
func (m *Manager) healthChanged() {
	if m.cfg.OnHealth != nil {
		m.cfg.OnHealth(m.healthLocked())
	}
}

func (m *Manager) healthLocked() Health {
	h := Health{Storage: m.storage, Recovered: append([]string(nil), m.recovered...), Lost: m.lost, LostUnknown: m.lossUnknown}
	if m.storageErr != nil {
		h.LastError = m.storageErr.Error()
	}
	if d := m.degraded; d != nil {
		h.Degraded, h.Files, h.Message = true, append([]string(nil), d.files...), d.message()
	} else if m.storageErr != nil {
		h.Message = fmt.Sprintf("multicast storage %s: %v; queued messages cannot go out until %s is writable",
			m.storage, m.storageErr, m.cfg.Dir)
	}
	return h
}

// ResetOutput answers ResetMulticastStore.
type ResetOutput struct {
	// Moved lists the files moved aside (with a .bad suffix).
	Moved []string `json:"Moved"`
	// Health is the store's state after the reset.
	Health Health `json:"Health"`
}

// ResetMulticastStore clears degraded mode: it moves the unreadable store
// files aside (*.bad, every generation) and reads what is left, so the
// frame-counter marks of a readable file are kept. On a store that is not
// degraded it does nothing. It is a management operation.
func (m *Manager) ResetMulticastStore(ctx context.Context) (ResetOutput, error) {
	m.mu.Lock()
	if m.stopped {
		m.mu.Unlock()
		return ResetOutput{}, apierr.Newf(apierr.InternalServer, "", "multicast service stopped")
	}
	d := m.degraded
	if d == nil {
		m.mu.Unlock()
		return ResetOutput{Moved: []string{}, Health: m.Health()}, nil
	}
	if err := ctx.Err(); err != nil {
		m.mu.Unlock()
		return ResetOutput{}, apierr.Wrap(apierr.InternalServer, err, "reset multicast store")
	}
	var moved []string
	for _, f := range d.files {
		for _, n := range storeFiles {
			if strings.HasSuffix(f, n) {
				if err := m.st.quarantine(n); err != nil {
					m.mu.Unlock()
					return ResetOutput{}, apierr.Wrap(apierr.InternalServer, err, "reset multicast store")
				}
				moved = append(moved, f)
			}
		}
	}
	m.degraded, m.storage, m.recovered = nil, StorageOK, nil
	m.nextSeq, m.marks = 0, map[string]uint64{}
	m.load()
	if m.degraded == nil {
		for _, g := range m.groups {
			m.armSession(g)
		}
		m.log.Warn("multicast store reset", zap.Strings("moved", moved))
		m.healthChanged()
	}
	m.mu.Unlock()
	m.poke()
	return ResetOutput{Moved: moved, Health: m.Health()}, nil
}

// refusing is checkOpen for callers that do not hold m.mu, so a degraded
// store is reported before the input is validated.
func (m *Manager) refusing() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.checkOpen()
}

// checkOpen refuses every operation of a stopped or degraded manager.
// Callers hold m.mu.
// lockGroup takes the manager's lock and finds the group id in an open
// service; on an error (stopped, degraded, no such group) the lock is
// released again.
func (m *Manager) lockGroup(id string) (*group, error) {
	m.mu.Lock()
	if err := m.checkOpen(); err != nil {
		m.mu.Unlock()
		return nil, err
	}
	g, ok := m.groups[id]
	if !ok {
		m.mu.Unlock()
		return nil, notFound(id)
	}
	return g, nil
}

func (m *Manager) checkOpen() error {
	if m.stopped {
		return apierr.Newf(apierr.InternalServer, "", "multicast service stopped")
	}
	if m.degraded != nil {
		return apierr.Newf(apierr.InternalServer, "", "%s", m.degraded.message())
	}
	return nil
}
