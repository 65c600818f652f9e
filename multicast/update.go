package multicast

import (
	"context"

	"github.com/lgwagent/lgw/apierr"
)

// UpdateGroupInput is the body of UpdateMulticastGroup (an lgw addition:
// the seed API has no update; the MQTT layer may expose it).
type UpdateGroupInput struct {
	Id      string       `json:"Id"`
	LoRaWAN GroupLoRaWAN `json:"LoRaWAN"`
}

// UpdateMulticastGroup changes a group's settings. While a session is
// scheduled or active the region, class, address and keys cannot change
// (ConflictException naming the field). With the same keys the frame
// counter may only move forward; new keys restart it at FCnt (default 0).
// A changed class or region drops an ended session.
func (m *Manager) UpdateMulticastGroup(ctx context.Context, in UpdateGroupInput) error {
	if err := m.refusing(); err != nil {
		return err
	}
	p, err := m.parseGroup(in.LoRaWAN)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.checkOpen(); err != nil {
		return err
	}
	g, ok := m.groups[in.Id]
	if !ok {
		return notFound(in.Id)
	}
	if err := m.checkAddrFree(g.id, p.addr); err != nil {
		return err
	}
	busy := g.sess != nil && sessionState(g.sess, m.cfg.Clock.Now()) != StateEnded
	sameKeys := p.hasKeys == g.p.hasKeys && p.nwk == g.p.nwk && p.app == g.p.app
	if busy {
		switch {
		case p.addr != g.p.addr:
			return apierr.Newf(apierr.Conflict, "LoRaWAN.McAddr", "cannot change while a session is scheduled or active")
		case !sameKeys:
			return apierr.Newf(apierr.Conflict, "LoRaWAN.McNwkSKey", "keys cannot change while a session is scheduled or active")
		case p.region.Name() != g.p.region.Name():
			return apierr.Newf(apierr.Conflict, "LoRaWAN.RfRegion", "cannot change while a session is scheduled or active")
		case p.class != g.p.class:
			return apierr.Newf(apierr.Conflict, "LoRaWAN.DlClass", "cannot change while a session is scheduled or active")
		}
	}
	old := *g
	if sameKeys && p.addr == g.p.addr {
		if in.LoRaWAN.FCnt != nil && uint64(p.fcnt) < g.next {
			return apierr.Newf(apierr.Validation, "LoRaWAN.FCnt", "%d would reuse frame counters (next is %d)", p.fcnt, g.next)
		}
		if in.LoRaWAN.FCnt != nil {
			g.next = uint64(p.fcnt)
			g.limit = max(g.limit, g.next)
		}
		p.fcnt = g.p.fcnt
	} else {
		// New keys or address: a new counter space, above its own
		// high-water mark if these keys were used before.
		start := max(uint64(p.fcnt), m.mark(p))
		g.next, g.limit, g.floor = start, start, start
	}
	if p.class != g.p.class || p.region.Name() != g.p.region.Name() {
		g.sess = nil
	}
	g.p = p
	if err := m.saveGroups(); err != nil {
		*g = old
		return apierr.Wrap(apierr.InternalServer, err, "store group")
	}
	return nil
}
