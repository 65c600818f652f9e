package gateway

import (
	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/multicast"
	"github.com/lgwagent/lgw/scheduler"
)

// The value types adapters read and write. They are the lower layers'
// own types under the core's names, so an adapter imports gateway alone
// and never reaches into the scheduler, the multicast service or the HAL.

// Uplink is a received packet as the concentrator reports it.
type Uplink = hal.RxPacket

// DataRate is a modulation with its parameters (LoRa SF/BW/CR or FSK bit
// rate); Datr() writes it as "SF7BW125" or "50000".
type DataRate = hal.DataRate

// TxPacket is a frame as programmed for transmission.
type TxPacket = hal.TxPacket

// ChipInfo is the concentrator's identity (model, EUI, firmware).
type ChipInfo = hal.ChipInfo

// Modulations and CRC states of Uplink and DataRate.
const (
	LoRa     = hal.LoRa
	FSK      = hal.FSK
	CRCOK    = hal.CRCOK
	CRCBad   = hal.CRCBad
	CRCNone  = hal.CRCNone
	CR4_5    = hal.CR4_5
	MaxFrame = hal.MaxPayload
)

// Code is the outcome of one transmission: SENT or the refusal or
// failure code (TOO_LATE, DUTY_CYCLE...), the status of the MQTT
// downlink_error message.
type Code = scheduler.Code

// Sent is the code of a transmission that went out.
const Sent = scheduler.Sent

// CodeOf returns the code of a refusal (SendDownlinkOutput.Refusal):
// TOO_LATE, COLLISION_PACKET... (TX_FAILED for any other error).
func CodeOf(err error) Code { return scheduler.CodeOf(err) }

// TxResult is the scheduler's account of one transmission: code, error,
// start (counter, GPS time, UTC) and the packet as programmed.
type TxResult = scheduler.Result

// QueuedItem is one transmission waiting in the scheduler.
type QueuedItem = scheduler.QueuedItem

// The multicast API's inputs and outputs (seed 001, AWS-shaped JSON).
type (
	CreateGroupInput   = multicast.CreateGroupInput
	CreateGroupOutput  = multicast.CreateGroupOutput
	GroupIDInput       = multicast.GroupIDInput
	GroupOutput        = multicast.GroupOutput
	ListGroupsInput    = multicast.ListGroupsInput
	ListGroupsOutput   = multicast.ListGroupsOutput
	GroupSummary       = multicast.GroupSummary
	UpdateGroupInput   = multicast.UpdateGroupInput
	Tag                = multicast.Tag
	StartSessionInput  = multicast.StartSessionInput
	SessionOutput      = multicast.SessionOutput
	SendDataInput      = multicast.SendDataInput
	SendDataOutput     = multicast.SendDataOutput
	GroupLoRaWAN       = multicast.GroupLoRaWAN
	SessionLoRaWAN     = multicast.SessionLoRaWAN
	WirelessMetadata   = multicast.WirelessMetadata
	SendLoRaWAN        = multicast.SendLoRaWAN
	GroupLoRaWANOutput = multicast.GroupLoRaWANOutput
	// StoreHealth is the multicast store's condition (storage section of
	// state, stats and status); ResetStoreOutput answers
	// ResetMulticastStore.
	StoreHealth      = multicast.Health
	ResetStoreOutput = multicast.ResetOutput
)

// MulticastAPI is the multicast operations the gateway offers; Gateway
// implements it.
type MulticastAPI = multicast.API

// ErrorDetail returns a transmission error's text without its result
// code (a scheduler refusal's detail), for messages that carry the code
// in a field of their own; other errors read as Error().
func ErrorDetail(err error) string { return scheduler.DetailOf(err) }
