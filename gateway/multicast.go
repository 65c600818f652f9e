package gateway

import (
	"context"
	"time"

	"github.com/lgwagent/lgw/apierr"
)

// The multicast operations of seed 001. Each validates its input in the
// multicast service and answers the AWS-shaped outputs; every accepted
// SendDataToMulticastGroup ends in one EventReport.

var _ MulticastAPI = (*Gateway)(nil)

// CreateMulticastGroup creates a group (keys are kept, never returned).
func (g *Gateway) CreateMulticastGroup(ctx context.Context, in CreateGroupInput) (CreateGroupOutput, error) {
	if err := g.ready("multicast"); err != nil {
		return CreateGroupOutput{}, err
	}
	return g.mc.CreateMulticastGroup(ctx, in)
}

// GetMulticastGroup returns one group.
func (g *Gateway) GetMulticastGroup(ctx context.Context, in GroupIDInput) (GroupOutput, error) {
	if err := g.ready("multicast"); err != nil {
		return GroupOutput{}, err
	}
	return g.mc.GetMulticastGroup(ctx, in)
}

// ListMulticastGroups lists the groups.
func (g *Gateway) ListMulticastGroups(ctx context.Context) (ListGroupsOutput, error) {
	if err := g.ready("multicast"); err != nil {
		return ListGroupsOutput{}, err
	}
	return g.mc.ListMulticastGroups(ctx)
}

// DeleteMulticastGroup deletes a group and its session.
func (g *Gateway) DeleteMulticastGroup(ctx context.Context, in GroupIDInput) error {
	if err := g.ready("multicast"); err != nil {
		return err
	}
	return g.mc.DeleteMulticastGroup(ctx, in)
}

// StartMulticastGroupSession schedules a group's session.
func (g *Gateway) StartMulticastGroupSession(ctx context.Context, in StartSessionInput) (SessionOutput, error) {
	if err := g.ready("multicast"); err != nil {
		return SessionOutput{}, err
	}
	return g.mc.StartMulticastGroupSession(ctx, in)
}

// GetMulticastGroupSession returns a group's session.
func (g *Gateway) GetMulticastGroupSession(ctx context.Context, in GroupIDInput) (SessionOutput, error) {
	if err := g.ready("multicast"); err != nil {
		return SessionOutput{}, err
	}
	return g.mc.GetMulticastGroupSession(ctx, in)
}

// CancelMulticastGroupSession ends a group's session.
func (g *Gateway) CancelMulticastGroupSession(ctx context.Context, in GroupIDInput) error {
	if err := g.ready("multicast"); err != nil {
		return err
	}
	return g.mc.CancelMulticastGroupSession(ctx, in)
}

// SendDataToMulticastGroup queues a message for a group's session.
func (g *Gateway) SendDataToMulticastGroup(ctx context.Context, in SendDataInput) (SendDataOutput, error) {
	if err := g.ready("multicast"); err != nil {
		return SendDataOutput{}, err
	}
	return g.mc.SendDataToMulticastGroup(ctx, in)
}

// SessionStatus is one group's session with its traffic, for status
// listings.
type SessionStatus struct {
	GroupID string
	// Class is the group's DlClass; State Scheduled, Active or Ended.
	Class, State string
	Start        time.Time
	Timeout      time.Duration
	DR           int
	Freq         uint32
	// PingSlotPeriod is in seconds (class B).
	PingSlotPeriod int
	// Queued counts the messages waiting, Sent those transmitted.
	Queued int
	Sent   uint64
}

// Sessions lists the groups that have a session.
func (g *Gateway) Sessions(ctx context.Context) ([]SessionStatus, error) {
	l, err := g.ListMulticastGroups(ctx)
	if err != nil {
		return nil, err
	}
	out := []SessionStatus{}
	for _, gr := range l.List {
		s, err := g.mc.GetMulticastGroupSession(ctx, GroupIDInput{Id: gr.Id})
		if err != nil {
			if k := apierr.KindOf(err); k == apierr.Conflict || k == apierr.ResourceNotFound {
				continue // no session
			}
			return nil, err
		}
		start, _ := time.Parse(time.RFC3339, s.LoRaWAN.SessionStartTime)
		out = append(out, SessionStatus{GroupID: gr.Id, Class: gr.LoRaWAN.DlClass, State: s.State, Start: start,
			Timeout: time.Duration(s.LoRaWAN.SessionTimeout) * time.Second, DR: s.LoRaWAN.DlDr, Freq: s.LoRaWAN.DlFreq,
			PingSlotPeriod: s.LoRaWAN.PingSlotPeriod, Queued: g.mc.Queued(gr.Id), Sent: g.mcSent(gr.Id)})
	}
	return out, nil
}

// mcSent returns how many messages of a group were sent.
func (g *Gateway) mcSent(group string) uint64 {
	g.mcSentMu.Lock()
	defer g.mcSentMu.Unlock()
	return g.mcSentBy[group]
}
