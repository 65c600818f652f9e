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

// CreateGroupInput is the body of CreateMulticastGroup: the cloud API's
// request (ClientRequestToken, Name, Description, Tags, LoRaWAN) with the
// group Id, which the API returns and lgw also lets the caller choose.
type CreateGroupInput struct {
	// Id is the group's identifier; generated when empty.
	Id string `json:"Id,omitempty"`
	// ClientRequestToken makes the call idempotent: the same token with
	// the same body returns the first result, with another body it is a
	// ConflictException. 1 to 64 of a-z A-Z 0-9 - _.
	ClientRequestToken string `json:"ClientRequestToken,omitempty"`
	// Name (at most 256 characters) and Description (at most 2048) are
	// stored and returned.
	Name        string `json:"Name,omitempty"`
	Description string `json:"Description,omitempty"`
	// Tags are stored and returned by GetMulticastGroup (at most 200).
	Tags    []Tag        `json:"Tags,omitempty"`
	LoRaWAN GroupLoRaWAN `json:"LoRaWAN"`
}

// Tag is a key-value label of the cloud API.
type Tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// GroupLoRaWAN is a group's LoRaWAN settings: the cloud API's
// LoRaWANMulticast (RfRegion, DlClass, ParticipatingGateways,
// DefaultSessionParameters) and lgw's extension fields for a group whose
// frames the gateway builds (McAddr, keys, FCnt).
type GroupLoRaWAN struct {
	// RfRegion is a region name of the configuration (EU868, US915...).
	RfRegion string `json:"RfRegion"`
	// DlClass is ClassB or ClassC.
	DlClass string `json:"DlClass"`
	// ParticipatingGateways is the cloud's gateway selection; a gateway
	// stores and returns it but does not act on it.
	ParticipatingGateways *ParticipatingGateways `json:"ParticipatingGateways,omitempty"`
	// DefaultSessionParameters are the data rate and frequency a session
	// takes when StartMulticastGroupSession omits them.
	DefaultSessionParameters *DefaultSessionParameters `json:"DefaultSessionParameters,omitempty"`
	// McAddr is the multicast address, 8 hex digits (lgw extension):
	// required with keys; optional for a keyless group, whose ready
	// frames then only need to share one address.
	McAddr string `json:"McAddr,omitempty"`
	// McNwkSKey and McAppSKey are the session keys, 32 hex digits each;
	// both empty for a group whose downlinks arrive as ready PHYPayloads.
	McNwkSKey string `json:"McNwkSKey,omitempty"`
	McAppSKey string `json:"McAppSKey,omitempty"`
	// FCnt is the first frame counter (default 0).
	FCnt *uint32 `json:"FCnt,omitempty"`
}

// ParticipatingGateways is the cloud API's list of gateways for a group.
type ParticipatingGateways struct {
	GatewayList []string `json:"GatewayList"`
	// TransmissionInterval is in ms (0 to 60000).
	TransmissionInterval *int `json:"TransmissionInterval,omitempty"`
}

// DefaultSessionParameters are a group's session defaults.
type DefaultSessionParameters struct {
	DlDr *int `json:"DlDr,omitempty"`
	// DlFreq is in Hz.
	DlFreq *uint32 `json:"DlFreq,omitempty"`
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

// GroupOutput answers GetMulticastGroup: the cloud API's fields (Id,
// Name, Description, Status, CreatedAt, LoRaWAN) plus Tags. Keys are
// never included.
type GroupOutput struct {
	Id          string `json:"Id"`
	Name        string `json:"Name,omitempty"`
	Description string `json:"Description,omitempty"`
	// Status is the state of the group's session: NoSession, Scheduled,
	// Active or Ended.
	Status string `json:"Status"`
	// CreatedAt is when the group was created, Unix seconds as the API
	// writes timestamps (absent for groups stored by older versions).
	CreatedAt *EpochSeconds      `json:"CreatedAt,omitempty"`
	Tags      []Tag              `json:"Tags,omitempty"`
	LoRaWAN   GroupLoRaWANOutput `json:"LoRaWAN"`
}

// GroupLoRaWANOutput is GroupLoRaWAN without the keys.
type GroupLoRaWANOutput struct {
	RfRegion                 string                    `json:"RfRegion"`
	DlClass                  string                    `json:"DlClass"`
	ParticipatingGateways    *ParticipatingGateways    `json:"ParticipatingGateways,omitempty"`
	DefaultSessionParameters *DefaultSessionParameters `json:"DefaultSessionParameters,omitempty"`
	// McAddr is empty for a keyless group created without one.
	McAddr string `json:"McAddr,omitempty"`
	// HasKeys says whether the agent encrypts (true) or takes ready
	// PHYPayloads (false).
	HasKeys bool `json:"HasKeys"`
	// NextFCnt is the next frame counter the group will use.
	NextFCnt uint32 `json:"NextFCnt"`
}

// ListGroupsInput is the body of ListMulticastGroups.
type ListGroupsInput struct {
	// MaxResults is the page size, 0 to 250; 0 or absent means 250.
	MaxResults *int `json:"MaxResults,omitempty"`
	// NextToken is the NextToken of the previous page.
	NextToken string `json:"NextToken,omitempty"`
}

// GroupSummary is one entry of MulticastGroupList.
type GroupSummary struct {
	Id   string `json:"Id"`
	Name string `json:"Name,omitempty"`
}

// ListGroupsOutput answers ListMulticastGroups, one page in Id order.
type ListGroupsOutput struct {
	MulticastGroupList []GroupSummary `json:"MulticastGroupList"`
	// NextToken is set when more groups follow.
	NextToken string `json:"NextToken,omitempty"`
	// List is the same page with every group's details.
	//
	// Deprecated: kept for one release for clients of lgw 0.x; use
	// MulticastGroupList and GetMulticastGroup.
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
	// SessionStartTime is RFC 3339; empty means the earliest allowed
	// start (now + the configured minimum lead).
	SessionStartTime string `json:"SessionStartTime,omitempty"`
	// SessionTimeout is in seconds (default DefaultSessionTimeout).
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
	UpdateMulticastGroup(ctx context.Context, in UpdateGroupInput) error
	ListMulticastGroups(ctx context.Context, in ListGroupsInput) (ListGroupsOutput, error)
	DeleteMulticastGroup(ctx context.Context, in GroupIDInput) error
	StartMulticastGroupSession(ctx context.Context, in StartSessionInput) (SessionOutput, error)
	GetMulticastGroupSession(ctx context.Context, in GroupIDInput) (SessionOutput, error)
	CancelMulticastGroupSession(ctx context.Context, in GroupIDInput) error
	SendDataToMulticastGroup(ctx context.Context, in SendDataInput) (SendDataOutput, error)
}
