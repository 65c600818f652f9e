package multicast

import (
	"context"

	"github.com/lgwagent/lgw/apierr"
)

// UpdateGroupInput is the body of UpdateMulticastGroup: the cloud API's
// request (Name, Description, LoRaWAN) with the group Id of the URL path.
// Every field is optional: an absent one keeps its value.
type UpdateGroupInput struct {
	Id          string  `json:"Id"`
	Name        *string `json:"Name,omitempty"`
	Description *string `json:"Description,omitempty"`
	// LoRaWAN changes the settings it names: RfRegion, DlClass,
	// ParticipatingGateways, DefaultSessionParameters (API), McAddr, the
	// keys and FCnt (lgw); empty strings and absent objects keep theirs.
	LoRaWAN *GroupLoRaWAN `json:"LoRaWAN,omitempty"`
}

// UpdateMulticastGroup changes a group. While a session is scheduled or
// active the region, class, address and keys cannot change
// (ConflictException naming the field). With the same keys the frame
// counter may only move forward; new keys restart it at FCnt (default 0).
// A changed class or region drops an ended session.
func (m *Manager) UpdateMulticastGroup(ctx context.Context, in UpdateGroupInput) error {
	if err := m.refusing(); err != nil {
		return err
	}
	g, err := m.lockGroup(in.Id)
	if err != nil {
		return err
	}
	defer m.mu.Unlock()
	meta := g.meta
	if in.Name != nil {
		meta.name = *in.Name
	}
	if in.Description != nil {
		meta.description = *in.Description
	}
	lw := g.current()
	if c := in.LoRaWAN; c != nil {
		merge(&lw.RfRegion, c.RfRegion)
		merge(&lw.DlClass, c.DlClass)
		merge(&lw.McAddr, c.McAddr)
		merge(&lw.McNwkSKey, c.McNwkSKey)
		merge(&lw.McAppSKey, c.McAppSKey)
		lw.FCnt = c.FCnt
		if c.ParticipatingGateways != nil {
			meta.gateways = c.ParticipatingGateways
		}
		if c.DefaultSessionParameters != nil {
			meta.defaults = c.DefaultSessionParameters
		}
	}
	if err := checkMeta(CreateGroupInput{Name: meta.name, Description: meta.description,
		LoRaWAN: GroupLoRaWAN{ParticipatingGateways: meta.gateways}}); err != nil {
		return err
	}
	p, err := m.parseGroup(lw)
	if err != nil {
		return err
	}
	if err := checkDefaults(p, meta.defaults); err != nil {
		return err
	}
	if err := m.checkAddrFree(g.id, p); err != nil {
		return err
	}
	busy := g.sess != nil && sessionState(g.sess, m.cfg.Clock.Now()) != StateEnded
	sameKeys := p.hasKeys == g.p.hasKeys && p.nwk == g.p.nwk && p.app == g.p.app
	if busy {
		switch {
		case p.addr != g.p.addr || p.hasAddr != g.p.hasAddr:
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
		if lw.FCnt != nil && uint64(p.fcnt) < g.next {
			return apierr.Newf(apierr.Validation, "LoRaWAN.FCnt", "%d would reuse frame counters (next is %d)", p.fcnt, g.next)
		}
		if lw.FCnt != nil {
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
	g.p, g.meta = p, meta
	if err := m.saveGroups(); err != nil {
		*g = old
		return apierr.Wrap(apierr.InternalServer, err, "store group")
	}
	return nil
}

// current returns the group's settings as a request would give them.
func (g *group) current() GroupLoRaWAN {
	lw := GroupLoRaWAN{RfRegion: string(g.p.region.Name()), DlClass: g.p.class}
	if g.p.hasAddr {
		lw.McAddr = normHex(g.p.addr[:])
	}
	if g.p.hasKeys {
		lw.McNwkSKey, lw.McAppSKey = normHex(g.p.nwk[:]), normHex(g.p.app[:])
	}
	return lw
}

func merge(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}
