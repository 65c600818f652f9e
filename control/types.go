// Package control is lgw's local control socket: the daemon serves it on
// a Unix socket and the field CLI (lgw status, queue, tx, tail...) talks to
// it.
//
// The protocol is newline-delimited JSON. A client writes one request per
// line, {"cmd": "status", "args": {...}}, and reads one response per line,
// {"ok": true, "result": ...} or {"ok": false, "error": {"type": ...,
// "message": ...}}. Requests on one connection are answered in order. The
// "tail" command answers {"ok": true} and then streams one {"ok": true,
// "event": ...} line per event until the client closes the connection or
// the daemon stops.
//
// The daemon side is an Agent: the types below are the plain data it
// fills. Over adapts the application core (package gateway) to Agent; this
// package never reaches into the scheduler, the multicast service or the
// chip.
package control

import (
	"context"
	"encoding/json"
	"time"
)

// DefaultSocket is the socket path when the configuration gives none.
const DefaultSocket = "/run/lgw/lgw.sock"

// Command names, as sent in Request.Cmd.
const (
	CmdStatus   = "status"
	CmdQueue    = "queue"
	CmdGroups   = "groups"
	CmdSessions = "sessions"
	CmdStats    = "stats"
	CmdLogLevel = "log-level"
	CmdTx       = "tx"
	CmdTail     = "tail"
	CmdPing     = "ping"
)

// Agent is what the daemon offers the control socket. Every method gets a
// context that ends with the request's deadline or when the client goes
// away; methods must return promptly once it is done.
type Agent interface {
	// Status returns the agent's state.
	Status(ctx context.Context) (Status, error)
	// Queue lists the scheduled transmissions, earliest first.
	Queue(ctx context.Context) ([]QueueItem, error)
	// Groups lists the multicast groups.
	Groups(ctx context.Context) ([]Group, error)
	// Sessions lists the multicast sessions (scheduled and active).
	Sessions(ctx context.Context) ([]Session, error)
	// Stats returns the counters since the daemon started.
	Stats(ctx context.Context) (Stats, error)
	// SetLogLevel changes the log level (debug, info, warn, error); an
	// unknown level is an apierr Validation error naming "level".
	SetLogLevel(ctx context.Context, level string) error
	// TestTx submits a test transmission to the scheduler and waits for
	// its result. A refusal is a TxResult with its code, not an error; an
	// error means the request never reached the scheduler (bad request:
	// apierr Validation naming the field; no concentrator...). If ctx ends
	// before the result, the agent cancels the item and returns ctx.Err().
	TestTx(ctx context.Context, req TxRequest) (TxResult, error)
	// Subscribe returns live events (uplinks, reports, state changes) and
	// a function that ends the subscription and closes the
	// channel. The agent drops events for a subscriber that does not keep
	// up rather than blocking, and says so with an Event of kind "dropped".
	Subscribe(ctx context.Context) (<-chan Event, func())
}

// Status is the answer to "status".
type Status struct {
	// Version is the daemon's version.
	Version string `json:"version"`
	// Started is when the daemon started; Uptime how long ago.
	Started time.Time     `json:"started"`
	Uptime  time.Duration `json:"uptime_ns"`
	// GatewayID is the gateway ID (16 hex digits), Region the region name.
	GatewayID string `json:"gateway_id"`
	Region    string `json:"region"`
	// Concentrator is the concentrator's state.
	Concentrator Concentrator `json:"concentrator"`
	// TimeRef is the GPS time reference.
	TimeRef TimeRef `json:"time_ref"`
	// MQTT is the broker connection.
	MQTT MQTTStatus `json:"mqtt"`
	// UDP is each network server spoken to over Semtech's UDP protocol.
	UDP []UDPStatus `json:"udp,omitempty"`
	// QueueDepth is the number of scheduled transmissions.
	QueueDepth int `json:"queue_depth"`
	// LastRx and LastTx are the last uplink received and the last
	// transmission sent; zero when none yet.
	LastRx time.Time `json:"last_rx"`
	LastTx time.Time `json:"last_tx"`
	// LogLevel is the current log level.
	LogLevel string `json:"log_level"`
	// Storage is the multicast store's condition.
	Storage Storage `json:"storage"`
}

// Storage is the storage part of Status.
type Storage struct {
	// Status is ok, full, read-only, corrupt or error.
	Status string `json:"status"`
	// Degraded says multicast is refused until the store is reset;
	// Files names the unreadable files and Message the fix.
	Degraded bool     `json:"degraded"`
	Files    []string `json:"files,omitempty"`
	Message  string   `json:"message,omitempty"`
	// Recovered lists files read from their previous generation; Lost
	// counts accepted messages the store lost (each reported LOST).
	Recovered []string `json:"recovered,omitempty"`
	Lost      int      `json:"lost,omitempty"`
}

// Concentrator is the concentrator part of Status.
type Concentrator struct {
	// Board is the board profile name; State is "running", "starting",
	// "stopped" or "failed"; Error says why when failed.
	Board string `json:"board"`
	State string `json:"state"`
	Error string `json:"error,omitempty"`
	// Chip is the chip model ("SX1302", "SX1303", "SX1301"), EUI its
	// 64-bit EUI in hex, Firmware the loaded firmware versions
	// ("agc 6 arb 2 ...").
	Chip     string `json:"chip"`
	EUI      string `json:"eui"`
	Firmware string `json:"firmware"`
	// Temperature in °C when the board has a sensor (HasTemperature).
	Temperature    float64 `json:"temperature"`
	HasTemperature bool    `json:"has_temperature"`
	// Counter is the chip's µs counter (tmst) when the status was taken.
	Counter uint32 `json:"counter"`
}

// TimeRef is the GPS time reference part of Status.
type TimeRef struct {
	// GPS says whether a GPS is configured; Lock whether it has a fix and
	// PPS; Valid whether the time reference is usable (class B, GPS-timed
	// TX).
	GPS   bool `json:"gps"`
	Lock  bool `json:"lock"`
	Valid bool `json:"valid"`
	// LastPPS is when the last PPS was seen; Satellites the number in use.
	LastPPS    time.Time `json:"last_pps"`
	Satellites int       `json:"satellites"`
	// Latitude, Longitude (degrees) and Altitude (m) of the last fix.
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Altitude  float64 `json:"altitude"`
}

// MQTTStatus is the MQTT part of Status.
type MQTTStatus struct {
	// Server is the broker URL; Connected whether the session is up.
	Server    string `json:"server"`
	Connected bool   `json:"connected"`
	// Since is when Connected last changed (the daemon's start while it
	// never connected); LastError why it is not connected.
	Since     time.Time `json:"since"`
	LastError string    `json:"last_error,omitempty"`
	// Buffered is the number of messages waiting for the broker.
	Buffered int `json:"buffered"`
	// Disabled is set when mqtt.enabled is false (UDP only).
	Disabled bool `json:"disabled,omitempty"`
}

// UDPStatus is one UDP (GWMP) network server in Status.
type UDPStatus struct {
	// Server is "host:port_up/port_down"; State "resolving",
	// "connecting", "up" or "unreachable" (no acknowledgement for several
	// keepalives), since Since; Connected is State "up".
	Server    string    `json:"server"`
	State     string    `json:"state"`
	Since     time.Time `json:"since"`
	Connected bool      `json:"connected"`
	// Detail summarises the adapter's counters and last error.
	Detail string `json:"detail,omitempty"`
}

// QueueItem is one scheduled transmission.
type QueueItem struct {
	// Ref is the caller's reference (MessageId).
	Ref string `json:"ref"`
	// Class is "beacon", "A", "B" or "C".
	Class string `json:"class"`
	// TimeLeft is how long until the emission starts.
	TimeLeft time.Duration `json:"time_left_ns"`
	// Trigger is how the chip starts it: "tmst", "gps" or "immediate";
	// Count the counter value (tmst) of the start.
	Trigger string `json:"trigger"`
	Count   uint32 `json:"count"`
	// Freq in Hz, Datr as "SF9BW125" or "FSK50", Power in dBm, Size of
	// the payload in bytes, Chain the RF chain.
	Freq  uint32 `json:"freq"`
	Datr  string `json:"datr"`
	Power int    `json:"power"`
	Size  int    `json:"size"`
	Chain uint8  `json:"chain"`
	// Origin says who asked: "mqtt", "multicast:<group>", "beacon", "cli".
	Origin string `json:"origin"`
}

// Group is one multicast group (keys never appear here).
type Group struct {
	ID string `json:"id"`
	// Name is the group's Name (CreateMulticastGroup), empty when none.
	Name    string `json:"name,omitempty"`
	McAddr  string `json:"mc_addr"`
	Class   string `json:"class"`
	Region  string `json:"region"`
	HasKeys bool   `json:"has_keys"`
	// NextFCnt is the next downlink frame counter.
	NextFCnt uint32 `json:"next_fcnt"`
	// Status is the group's session state ("NoSession", "Scheduled",
	// "Active", "Ended").
	Status string `json:"status"`
}

// Session is one multicast session.
type Session struct {
	GroupID string `json:"group_id"`
	Class   string `json:"class"`
	// State is "Scheduled", "Active" or "Ended".
	State string `json:"state"`
	// Start and End bound the session; Timeout is its length.
	Start   time.Time     `json:"start"`
	End     time.Time     `json:"end"`
	Timeout time.Duration `json:"timeout_ns"`
	// DR, Freq (Hz) and PingSlotPeriod (seconds, class B) of the session.
	DR             int    `json:"dr"`
	Freq           uint32 `json:"freq"`
	PingSlotPeriod int    `json:"ping_slot_period,omitempty"`
	// Queued is the number of downlinks waiting, Sent those transmitted.
	Queued int `json:"queued"`
	Sent   int `json:"sent"`
}

// Stats holds the counters since the daemon started.
type Stats struct {
	Since time.Time `json:"since"`
	// RX counters: packets received, with a good CRC, a bad CRC, no CRC,
	// and dropped because the queue towards MQTT was full.
	RxReceived uint64 `json:"rx_received"`
	RxOK       uint64 `json:"rx_ok"`
	RxBadCRC   uint64 `json:"rx_bad_crc"`
	RxNoCRC    uint64 `json:"rx_no_crc"`
	RxDropped  uint64 `json:"rx_dropped"`
	// TX counters: requests, sent, and results other than SENT by code.
	TxRequested uint64            `json:"tx_requested"`
	TxSent      uint64            `json:"tx_sent"`
	TxByCode    map[string]uint64 `json:"tx_by_code"`
	// Beacons sent.
	Beacons uint64 `json:"beacons"`
	// MQTT counters: messages published, dropped from a full buffer, and
	// reconnections.
	MQTTPublished  uint64 `json:"mqtt_published"`
	MQTTDropped    uint64 `json:"mqtt_dropped"`
	MQTTReconnects uint64 `json:"mqtt_reconnects"`
}

// TxRequest is a test transmission (lgw tx).
type TxRequest struct {
	// Freq in Hz, Datr as "SF7BW125" or "FSK50", Power in dBm.
	Freq  uint32 `json:"freq"`
	Datr  string `json:"datr"`
	Power int    `json:"power"`
	// Payload is what to send (hex in JSON).
	Payload HexBytes `json:"payload"`
	// At is when; zero means as soon as possible.
	At At `json:"at"`
}

// TxResult is how a test transmission ended.
type TxResult struct {
	// Ref is the scheduler reference of the item.
	Ref string `json:"ref"`
	// Code is "SENT" or the refusal or failure code ("TOO_LATE"...);
	// Detail explains a code other than SENT.
	Code   string `json:"code"`
	Detail string `json:"detail,omitempty"`
	// Tmst is the counter value of the emission start; Freq, Datr, Power
	// (effective, after any clamp), Size and Chain what was sent.
	Tmst  uint32 `json:"tmst"`
	Freq  uint32 `json:"freq"`
	Datr  string `json:"datr"`
	Power int    `json:"power"`
	Size  int    `json:"size"`
	Chain uint8  `json:"chain"`
	// Airtime is the time on air.
	Airtime time.Duration `json:"airtime_ns"`
}

// Sent reports whether the transmission went out.
func (r TxResult) Sent() bool { return r.Code == "SENT" }

// Event is one live event for "tail".
type Event struct {
	// Time is when the agent produced it.
	Time time.Time `json:"time"`
	// Kind is "uplink", "report", "state" or "dropped".
	Kind string `json:"kind"`
	// Summary is a one-line human form ("868.100 SF7BW125 -57dBm 23B").
	Summary string `json:"summary,omitempty"`
	// Data is the event's details as a JSON object (see EventOf).
	Data json.RawMessage `json:"data,omitempty"`
}
