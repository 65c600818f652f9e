// Package multicast keeps LoRaWAN multicast groups and their sessions on
// the gateway, with the rules of the cloud multicast API (the seed
// documents): it validates and persists groups, sessions, queued messages
// and frame counters, builds the frames, and feeds them to the scheduler at
// the session's times.
//
// The input and output types carry the API's field names as JSON tags, so
// the MQTT layer decodes commands straight into them.
package multicast

import (
	"context"

	"github.com/lgwagent/lgw/scheduler"
)

// Session states.
const (
	StateScheduled = "Scheduled"
	StateActive    = "Active"
	StateEnded     = "Ended"
)

// Downlink classes.
const (
	ClassB = "ClassB"
	ClassC = "ClassC"
)

// CreateGroupInput is the body of CreateMulticastGroup.
type CreateGroupInput struct {
	// Id is the group's identifier; generated when empty.
	Id      string       `json:"Id,omitempty"`
	LoRaWAN GroupLoRaWAN `json:"LoRaWAN"`
}

// GroupLoRaWAN is a group's LoRaWAN settings.
type GroupLoRaWAN struct {
	// RfRegion is a region name of the configuration (EU868, US915...).
	RfRegion string `json:"RfRegion"`
	// DlClass is ClassB or ClassC.
	DlClass string `json:"DlClass"`
	// McAddr is the multicast address, 8 hex digits.
	McAddr string `json:"McAddr"`
	// McNwkSKey and McAppSKey are the session keys, 32 hex digits each;
	// both empty for a group whose downlinks arrive as ready PHYPayloads.
	McNwkSKey string `json:"McNwkSKey,omitempty"`
	McAppSKey string `json:"McAppSKey,omitempty"`
	// FCnt is the first frame counter (default 0).
	FCnt *uint32 `json:"FCnt,omitempty"`
}

// CreateGroupOutput answers CreateMulticastGroup.
type CreateGroupOutput struct {
	Id string `json:"Id"`
}

// GroupIDInput is the body of the operations that take only a group Id
// (GetMulticastGroup, DeleteMulticastGroup, GetMulticastGroupSession,
// CancelMulticastGroupSession).
type GroupIDInput struct {
	Id string `json:"Id"`
}

// GroupOutput answers GetMulticastGroup. Keys are never included.
type GroupOutput struct {
	Id      string             `json:"Id"`
	LoRaWAN GroupLoRaWANOutput `json:"LoRaWAN"`
	// Status is the session state, or "NoSession".
	Status string `json:"Status"`
}

// GroupLoRaWANOutput is GroupLoRaWAN without the keys.
type GroupLoRaWANOutput struct {
	RfRegion string `json:"RfRegion"`
	DlClass  string `json:"DlClass"`
	McAddr   string `json:"McAddr"`
	// HasKeys says whether the agent encrypts (true) or takes ready
	// PHYPayloads (false).
	HasKeys bool `json:"HasKeys"`
	// NextFCnt is the next frame counter the group will use.
	NextFCnt uint32 `json:"NextFCnt"`
}

// ListGroupsOutput answers ListMulticastGroups.
type ListGroupsOutput struct {
	List []GroupOutput `json:"List"`
}

// StartSessionInput is the body of StartMulticastGroupSession.
type StartSessionInput struct {
	Id      string         `json:"Id"`
	LoRaWAN SessionLoRaWAN `json:"LoRaWAN"`
}

// SessionLoRaWAN is a session schedule as requested; nil fields take the
// region's and class's defaults.
type SessionLoRaWAN struct {
	DlDr *int `json:"DlDr,omitempty"`
	// DlFreq is in Hz.
	DlFreq *uint32 `json:"DlFreq,omitempty"`
	// SessionStartTime is RFC 3339 UTC.
	SessionStartTime string `json:"SessionStartTime"`
	// SessionTimeout is in seconds.
	SessionTimeout *int `json:"SessionTimeout,omitempty"`
	// PingSlotPeriod is in slots (class B only).
	PingSlotPeriod *int `json:"PingSlotPeriod,omitempty"`
}

// SessionOutput answers StartMulticastGroupSession and
// GetMulticastGroupSession with the effective values.
type SessionOutput struct {
	Id      string               `json:"Id"`
	LoRaWAN SessionLoRaWANOutput `json:"LoRaWAN"`
	// State is Scheduled, Active or Ended.
	State string `json:"State"`
}

// SessionLoRaWANOutput is the effective schedule.
type SessionLoRaWANOutput struct {
	DlDr             int    `json:"DlDr"`
	DlFreq           uint32 `json:"DlFreq"`
	SessionStartTime string `json:"SessionStartTime"`
	SessionTimeout   int    `json:"SessionTimeout"`
	PingSlotPeriod   int    `json:"PingSlotPeriod,omitempty"`
}

// SendDataInput is the body of SendDataToMulticastGroup.
type SendDataInput struct {
	Id string `json:"Id"`
	// PayloadData is base64: the application payload for a group with
	// keys, the whole PHYPayload for a group without.
	PayloadData      string           `json:"PayloadData"`
	WirelessMetadata WirelessMetadata `json:"WirelessMetadata"`
}

// WirelessMetadata carries the LoRaWAN send parameters.
type WirelessMetadata struct {
	LoRaWAN SendLoRaWAN `json:"LoRaWAN"`
}

// SendLoRaWAN holds the FPort (1 to 223).
type SendLoRaWAN struct {
	FPort *int `json:"FPort,omitempty"`
}

// SendDataOutput answers SendDataToMulticastGroup.
type SendDataOutput struct {
	MessageId string `json:"MessageId"`
}

// Report is what became of one multicast message: the scheduler's result
// and what the report needs of the frame.
type Report struct {
	MessageId string
	GroupId   string
	McAddr    [4]byte
	FCnt      uint32
	FPort     int
	// Payload is the plain application payload when the agent encrypted
	// it; PHYPayload the frame as sent.
	Payload    []byte
	PHYPayload []byte
	// Duplicate is set when the message was sent again after a restart
	// that could not prove the first transmission.
	Duplicate bool
	// Attempts is how many times the frame went to the scheduler: more
	// than one when a late hand-off was sent again (Config.LateRetries).
	Attempts int
	Result   scheduler.Result
}

// API is the Go API of the multicast service, one method per operation.
// Errors are *apierr.Error with the kind the seed API defines.
type API interface {
	CreateMulticastGroup(ctx context.Context, in CreateGroupInput) (CreateGroupOutput, error)
	GetMulticastGroup(ctx context.Context, in GroupIDInput) (GroupOutput, error)
	ListMulticastGroups(ctx context.Context) (ListGroupsOutput, error)
	DeleteMulticastGroup(ctx context.Context, in GroupIDInput) error
	StartMulticastGroupSession(ctx context.Context, in StartSessionInput) (SessionOutput, error)
	GetMulticastGroupSession(ctx context.Context, in GroupIDInput) (SessionOutput, error)
	CancelMulticastGroupSession(ctx context.Context, in GroupIDInput) error
	SendDataToMulticastGroup(ctx context.Context, in SendDataInput) (SendDataOutput, error)
}
