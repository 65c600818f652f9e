package multicast

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/apierr"
)

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func notFound(id string) error {
	return apierr.Newf(apierr.ResourceNotFound, "Id", "multicast group %q does not exist", id)
}

// CreateMulticastGroup creates a group. A ClientRequestToken already used
// returns the first result when the body is the same and is a
// ConflictException otherwise. Creating an existing Id with the same
// parameters succeeds again; with other parameters it is a conflict.
func (m *Manager) CreateMulticastGroup(ctx context.Context, in CreateGroupInput) (CreateGroupOutput, error) {
	if err := m.refusing(); err != nil {
		return CreateGroupOutput{}, err
	}
	if err := checkMeta(in); err != nil {
		return CreateGroupOutput{}, err
	}
	p, err := m.parseGroup(in.LoRaWAN)
	if err != nil {
		return CreateGroupOutput{}, err
	}
	if err := checkDefaults(p, in.LoRaWAN.DefaultSessionParameters); err != nil {
		return CreateGroupOutput{}, err
	}
	if in.Id != "" {
		if err := checkID(in.Id); err != nil {
			return CreateGroupOutput{}, err
		}
	}
	hash := requestHash(in)
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.checkOpen(); err != nil {
		return CreateGroupOutput{}, err
	}
	if in.ClientRequestToken != "" {
		for _, g := range m.groups {
			if g.meta.token != in.ClientRequestToken {
				continue
			}
			if g.meta.requestHash == hash {
				return CreateGroupOutput{Id: g.id}, nil
			}
			return CreateGroupOutput{}, apierr.Newf(apierr.Conflict, "ClientRequestToken",
				"already used by a CreateMulticastGroup with other parameters (group %q)", g.id)
		}
	}
	id := in.Id
	if id == "" {
		id = newID()
	}
	if g, ok := m.groups[id]; ok {
		if g.p.equal(p) && g.meta.describes(in) {
			return CreateGroupOutput{Id: id}, nil
		}
		return CreateGroupOutput{}, apierr.Newf(apierr.Conflict, "Id", "multicast group %q exists with other parameters", id)
	}
	if err := m.checkAddrFree(id, p); err != nil {
		return CreateGroupOutput{}, err
	}
	start := max(uint64(p.fcnt), m.mark(p))
	if start > uint64(p.fcnt) {
		m.log.Warn("multicast group starts above its requested FCnt: these keys used counters up to there before",
			zap.String("id", id), zap.Uint32("requested", p.fcnt), zap.Uint64("next", start))
	}
	g := &group{id: id, p: p, next: start, limit: start, floor: start, meta: groupMeta{
		name: in.Name, description: in.Description, tags: in.Tags, gateways: in.LoRaWAN.ParticipatingGateways,
		defaults: in.LoRaWAN.DefaultSessionParameters, created: m.cfg.Clock.Now().UTC(),
		token: in.ClientRequestToken, requestHash: hash}}
	if in.ClientRequestToken == "" {
		g.meta.requestHash = ""
	}
	m.groups[id] = g
	if err := m.saveGroups(); err != nil {
		delete(m.groups, id)
		return CreateGroupOutput{}, apierr.Wrap(apierr.InternalServer, err, "store group")
	}
	m.log.Info("multicast group created", zap.String("id", id), zap.String("class", p.class),
		zap.String("region", string(p.region.Name())))
	return CreateGroupOutput{Id: id}, nil
}

// parseGroup checks a group's settings, and its region against the
// gateway's.
func (m *Manager) parseGroup(in GroupLoRaWAN) (groupParams, error) {
	p, err := parseGroup(in)
	if err != nil {
		return p, err
	}
	if m.cfg.Region != "" && string(p.region.Name()) != m.cfg.Region {
		return p, apierr.Newf(apierr.Validation, "LoRaWAN.RfRegion", "%s: this gateway transmits in %s only", p.region.Name(), m.cfg.Region)
	}
	return p, nil
}

// checkAddrFree refuses an McAddr another group has; groups without an
// address share nothing.
func (m *Manager) checkAddrFree(id string, p groupParams) error {
	if !p.hasAddr {
		return nil
	}
	for _, o := range m.groups {
		if o.id != id && o.p.hasAddr && o.p.addr == p.addr {
			return apierr.Newf(apierr.Conflict, "LoRaWAN.McAddr", "%x is the address of group %q", p.addr, o.id)
		}
	}
	return nil
}

func (m *Manager) groupOutput(g *group, now time.Time) GroupOutput {
	st := "NoSession"
	if g.sess != nil {
		st = sessionState(g.sess, now)
	}
	out := GroupOutput{Id: g.id, Name: g.meta.name, Description: g.meta.description, Status: st, Tags: g.meta.tags,
		LoRaWAN: GroupLoRaWANOutput{RfRegion: string(g.p.region.Name()), DlClass: g.p.class,
			ParticipatingGateways: g.meta.gateways, DefaultSessionParameters: g.meta.defaults,
			HasKeys: g.p.hasKeys, NextFCnt: uint32(g.next)}}
	if g.p.hasAddr {
		out.LoRaWAN.McAddr = normHex(g.p.addr[:])
	}
	if !g.meta.created.IsZero() {
		c := EpochSeconds(g.meta.created)
		out.CreatedAt = &c
	}
	return out
}

func sessionState(s *sessionParams, now time.Time) string {
	switch {
	case now.Before(s.Start):
		return StateScheduled
	case now.Before(s.end()):
		return StateActive
	}
	return StateEnded
}

// GetMulticastGroup returns a group without its keys.
func (m *Manager) GetMulticastGroup(ctx context.Context, in GroupIDInput) (GroupOutput, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.degraded != nil {
		return GroupOutput{}, m.checkOpen()
	}
	g, ok := m.groups[in.Id]
	if !ok {
		return GroupOutput{}, notFound(in.Id)
	}
	return m.groupOutput(g, m.cfg.Clock.Now()), nil
}

// ListMulticastGroups lists the groups by Id, MaxResults at a time; a
// NextToken in the answer fetches the next page.
func (m *Manager) ListMulticastGroups(ctx context.Context, in ListGroupsInput) (ListGroupsOutput, error) {
	size, err := pageSize(in)
	if err != nil {
		return ListGroupsOutput{}, err
	}
	after := ""
	if in.NextToken != "" {
		if after, err = decodePageToken(in.NextToken); err != nil {
			return ListGroupsOutput{}, err
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.degraded != nil {
		return ListGroupsOutput{}, m.checkOpen()
	}
	out := ListGroupsOutput{MulticastGroupList: []GroupSummary{}, List: []GroupOutput{}}
	now := m.cfg.Clock.Now()
	for _, g := range m.sortedGroups() {
		if in.NextToken != "" && g.id <= after {
			continue
		}
		if len(out.MulticastGroupList) == size {
			out.NextToken = encodePageToken(out.MulticastGroupList[size-1].Id)
			break
		}
		out.MulticastGroupList = append(out.MulticastGroupList, GroupSummary{Id: g.id, Name: g.meta.name})
		out.List = append(out.List, m.groupOutput(g, now))
	}
	return out, nil
}

// DeleteMulticastGroup deletes a group; its session is cancelled and its
// queued messages end as CANCELLED.
func (m *Manager) DeleteMulticastGroup(ctx context.Context, in GroupIDInput) error {
	g, err := m.lockGroup(in.Id)
	if err != nil {
		return err
	}
	delete(m.groups, in.Id)
	if err := m.saveGroups(); err != nil {
		m.groups[in.Id] = g
		m.mu.Unlock()
		return apierr.Wrap(apierr.InternalServer, err, "store groups")
	}
	reps := m.endSession(g, "its group was deleted")
	m.mu.Unlock()
	m.deliver(reps)
	m.poke()
	return nil
}
