package config

import (
	"errors"
	"fmt"

	"github.com/lgwagent/lgw/udp"
)

// Forwarder is one network server lgw speaks Semtech's UDP protocol
// (GWMP v2) to; [[forwarder]] may appear several times (a primary and a
// backup). docs/udp.md describes the protocol mapping.
type Forwarder struct {
	// Server is the network server's host name or address.
	Server string `toml:"server"`
	// PortUp and PortDown are its ports (default 1700 both).
	PortUp   int `toml:"port_up"`
	PortDown int `toml:"port_down"`
	// Keepalive is the PULL_DATA period (default 10s).
	Keepalive Duration `toml:"keepalive"`
	// StatInterval is the stat period (default 30s).
	StatInterval Duration `toml:"stat_interval"`
	// ForwardCRCError and ForwardNoCRC forward packets whose CRC failed or
	// that have none (default false, as the reference forwarder).
	ForwardCRCError bool `toml:"forward_crc_error"`
	ForwardNoCRC    bool `toml:"forward_no_crc"`
	// MissedAcks is how many keepalive periods without an acknowledgement
	// make the server count as unreachable (default 3).
	MissedAcks int `toml:"missed_acks"`
}

// UDP returns the adapter's configuration, defaults applied.
func (f Forwarder) UDP() udp.Config {
	c := udp.Config{Server: f.Server, PortUp: f.PortUp, PortDown: f.PortDown, Keepalive: f.Keepalive.D(),
		StatInterval: f.StatInterval.D(), ForwardCRCError: f.ForwardCRCError, ForwardNoCRC: f.ForwardNoCRC,
		MissedAcks: f.MissedAcks}
	c.SetDefaults()
	return c
}

// validateForwarders checks each [[forwarder]] with the adapter's own
// rules, and that the gateway talks to some network server.
func (c *Config) validateForwarders() error {
	seen := map[string]int{}
	for i, f := range c.Forwarders {
		u := f.UDP()
		if err := u.Validate(); err != nil {
			var fe *udp.FieldError
			if errors.As(err, &fe) {
				return &Error{Key: fmt.Sprintf("forwarder[%d].%s", i, fe.Key), Msg: fe.Msg}
			}
			return &Error{Key: fmt.Sprintf("forwarder[%d]", i), Msg: err.Error()}
		}
		if j, dup := seen[u.Name()]; dup {
			return &Error{Key: fmt.Sprintf("forwarder[%d].server", i), Msg: fmt.Sprintf("%s is already forwarder[%d]", u.Name(), j)}
		}
		seen[u.Name()] = i
	}
	if !c.MQTT.Enabled && len(c.Forwarders) == 0 {
		return &Error{Key: "mqtt.enabled", Msg: "false needs at least one [[forwarder]]: the gateway would talk to no network server"}
	}
	return nil
}
