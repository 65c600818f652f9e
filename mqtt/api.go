// Package mqtt is lgw's management and event interface over MQTT 3.1.1
// (paho.mqtt.golang). It connects with the gateway ID as client ID, keeps
// a retained state with an offline will, takes commands on
// {prefix}/{gw}/cmd/{Operation} and answers on {prefix}/{gw}/rsp/{Operation},
// and publishes uplinks, downlink reports and statistics. Events published
// while the broker is unreachable wait in a bounded buffer and go out in
// order after the reconnect. The contract is documented in docs/mqtt-api.md.
//
// The package is an adapter over the application core (package gateway):
// topics, codecs and transport only. Commands run against a Backend
// (Over adapts a *gateway.Gateway); events come from the gateway's event
// stream (Adapter).
package mqtt

import (
	"context"
	"time"

	"github.com/lgwagent/lgw/gateway"
)

// The inputs and outputs of SendDownlink are the core's.
type (
	SendDownlinkInput  = gateway.SendDownlinkInput
	DownlinkTiming     = gateway.DownlinkTiming
	SendDownlinkOutput = gateway.SendDownlinkOutput
)

// Backend is what the commands run against: the multicast API plus the
// gateway operations. Over(g) adapts the core; tests fake it. Every method
// gets a context with the per-command deadline; errors are *apierr.Error
// (any other error is answered as InternalServerException).
type Backend interface {
	gateway.MulticastAPI
	// SendDownlink queues a class A, B or C unicast frame (see
	// gateway.SendDownlinkInput.Request) and returns its MessageId; the
	// outcome is published later as a downlink report.
	SendDownlink(ctx context.Context, in SendDownlinkInput) (SendDownlinkOutput, error)
	// Stats returns the gateway's current statistics; the client calls it
	// every stats interval and for GetGatewayStatus. The MQTT section is
	// filled by the client.
	Stats(ctx context.Context) (Stats, error)
	// RestartConcentrator stops and starts the concentrator.
	RestartConcentrator(ctx context.Context) error
	// SetLogLevel changes the log level (debug, info, warn, error).
	SetLogLevel(ctx context.Context, level string) error
	// ResetMulticastStore clears the multicast service's degraded mode.
	ResetMulticastStore(ctx context.Context) (gateway.ResetStoreOutput, error)
}

// Storage is the storage section of the state and stats messages: the
// multicast store's condition (status ok, full, read-only, corrupt or
// error; degraded with the files and the fix when multicast is refused).
type Storage = gateway.StoreHealth

// SetLogLevelInput is the body of SetLogLevel.
type SetLogLevelInput struct {
	// Level is debug, info, warn or error.
	Level string `json:"Level"`
}

// GatewayStatus answers GetGatewayStatus: the state message and a fresh
// stats message.
type GatewayStatus struct {
	State State `json:"State"`
	Stats Stats `json:"Stats"`
}

// State is the gateway's identity, published retained on the state topic.
// The client sets Online, Gateway and Time itself.
type State struct {
	Online  bool   `json:"online"`
	Gateway string `json:"gateway"`
	// Version is lgw's version.
	Version string `json:"version,omitempty"`
	// Board is the board profile name.
	Board string `json:"board,omitempty"`
	// Chip describes the concentrator.
	Chip Chip `json:"chip"`
	// Region is the region name (EU868...).
	Region string `json:"region,omitempty"`
	// Storage is the storage condition, absent until the core started.
	Storage *Storage `json:"storage,omitempty"`
	// Time is when the message was published (absent in the will, whose
	// publication time the client cannot know).
	Time *UnixTime `json:"time,omitempty"`
}

// Chip describes the concentrator in the state message.
type Chip struct {
	// Model is SX1302, SX1303, SX1301 or sim.
	Model string `json:"model,omitempty"`
	// Revision is the chip version as read from it.
	Revision string `json:"revision,omitempty"`
	// EUI is the chip's EUI, 16 hex digits.
	EUI string `json:"eui,omitempty"`
}

// Stats is the periodic statistics message. The backend fills everything
// but MQTT and Time, which the client sets when it publishes.
type Stats struct {
	Gateway string    `json:"gateway"`
	Time    *UnixTime `json:"time,omitempty"`
	// Uptime is how long the agent has run.
	Uptime Seconds `json:"uptime"`
	// Rx counts received packets by CRC status.
	Rx RxCounts `json:"rx"`
	// Tx counts transmissions by result code (gateway.Code).
	Tx map[gateway.Code]uint64 `json:"tx"`
	// QueueDepth is the number of transmissions waiting in the scheduler.
	QueueDepth int `json:"queue_depth"`
	// DutyCycle is the use of each regulated sub-band.
	DutyCycle []SubBandUse `json:"duty_cycle"`
	// Beacons counts class B beacons sent.
	Beacons uint64 `json:"beacons"`
	// Handoff is the hand-offs to the chip, once there was one.
	Handoff *Handoff `json:"handoff,omitempty"`
	// TimeRef is the GPS time reference.
	TimeRef TimeRef `json:"time_ref"`
	// Temperature is the board temperature in °C, nil when unknown.
	Temperature *float64 `json:"temperature,omitempty"`
	// Storage is the storage condition.
	Storage Storage `json:"storage"`
	// MQTT is the client's own counters, filled by the client.
	MQTT ClientStats `json:"mqtt"`
	// Adapters are the other adapters' links (the UDP network servers),
	// absent when there are none.
	Adapters []AdapterState `json:"adapters,omitempty"`
}

// AdapterState is one other adapter's link in Stats: a UDP network server
// "unreachable" since a time shows here.
type AdapterState struct {
	Name      string    `json:"name"`
	Server    string    `json:"server"`
	Connected bool      `json:"connected"`
	State     string    `json:"state,omitempty"`
	Since     *UnixTime `json:"since,omitempty"`
}

// Handoff counts the hand-offs to the chip: the smallest slack left before
// a start (seconds, negative: after it) and the largest lateness after an
// item fell due.
type Handoff struct {
	Count    uint64  `json:"count"`
	MinSlack Seconds `json:"min_slack"`
	MaxLate  Seconds `json:"max_late"`
}

// RxCounts counts received packets by CRC status.
type RxCounts struct {
	OK    uint64 `json:"ok"`
	Bad   uint64 `json:"bad"`
	NoCRC uint64 `json:"no_crc"`
}

// SubBandUse is the duty-cycle use of one sub-band over its window.
type SubBandUse struct {
	// Name names the sub-band ("g1 868.0-868.6").
	Name string `json:"name"`
	// Used is the fraction of the window used (0.0042 is 0.42 %); Limit
	// the regulated fraction (0.01).
	Used  float64 `json:"used"`
	Limit float64 `json:"limit"`
}

// TimeRef is the state of the GPS time reference.
type TimeRef struct {
	Locked bool `json:"locked"`
	// Age is the time since the last PPS used.
	Age Seconds `json:"age"`
	// PPM is the measured crystal error.
	PPM float64 `json:"ppm"`
}

// ClientStats are the MQTT client's counters.
type ClientStats struct {
	// Connected says whether the link is up (subscribed, state published).
	Connected bool `json:"connected"`
	// Connects counts successful connections, Reconnects those after the
	// first, Losses the connections lost.
	Connects   uint64 `json:"connects"`
	Reconnects uint64 `json:"reconnects"`
	Losses     uint64 `json:"losses"`
	// ConnectFailures counts failed first-connection attempts.
	ConnectFailures uint64 `json:"connect_failures"`
	// Buffered is the number of events waiting for the broker.
	Buffered int `json:"buffered"`
	// Published counts events delivered (acknowledged by the broker), by
	// kind: uplink, downlink, stats, response.
	Published map[string]uint64 `json:"published"`
	// Dropped counts events evicted from the full buffer, by kind.
	Dropped map[string]uint64 `json:"dropped"`
	// Commands counts commands received; Throttled those answered with
	// ThrottlingException by the token bucket or the full command queue.
	Commands  uint64 `json:"commands"`
	Throttled uint64 `json:"throttled"`
	// PublishErrors counts publications the client had to retry.
	PublishErrors uint64 `json:"publish_errors"`
	// Spool is the on-disk spool of reports and responses.
	Spool SpoolStats `json:"spool"`
}

// Seconds is a duration written in JSON as seconds (a float).
type Seconds time.Duration

// MarshalJSON writes the duration in seconds.
func (s Seconds) MarshalJSON() ([]byte, error) {
	return marshalFloat(time.Duration(s).Seconds()), nil
}

// UnmarshalJSON reads seconds.
func (s *Seconds) UnmarshalJSON(b []byte) error {
	f, err := unmarshalFloat(b)
	if err != nil {
		return err
	}
	*s = Seconds(f * float64(time.Second))
	return nil
}

// UnixTime is a time written in JSON as Unix seconds with microseconds
// (1504806732.249041), as the downlink report does.
type UnixTime time.Time

// At returns a *UnixTime for t.
func At(t time.Time) *UnixTime { u := UnixTime(t); return &u }

// Time returns the time.Time.
func (u UnixTime) Time() time.Time { return time.Time(u) }

// MarshalJSON writes Unix seconds with microsecond precision.
func (u UnixTime) MarshalJSON() ([]byte, error) {
	return marshalFloat(float64(time.Time(u).UnixMicro()) / 1e6), nil
}

// UnmarshalJSON reads Unix seconds.
func (u *UnixTime) UnmarshalJSON(b []byte) error {
	f, err := unmarshalFloat(b)
	if err != nil {
		return err
	}
	*u = UnixTime(time.UnixMicro(int64(f*1e6 + 0.5)).UTC())
	return nil
}
