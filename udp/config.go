package udp

import (
	"fmt"
	"net"
	"strings"
	"time"
)

// Defaults of a forwarder's settings.
const (
	DefaultPort         = 1700
	DefaultKeepalive    = 10 * time.Second
	DefaultStatInterval = 30 * time.Second
	// DefaultMissedAcks is how many keepalive periods may pass without
	// any acknowledgement before the server counts as unreachable.
	DefaultMissedAcks = 3
)

// Config is one network server ([[forwarder]] in lgw.toml).
type Config struct {
	// Server is the network server's host name or address.
	Server string
	// PortUp receives PUSH_DATA, PortDown PULL_DATA and TX_ACK (default
	// 1700 both).
	PortUp, PortDown int
	// Keepalive is the PULL_DATA period (default 10 s).
	Keepalive time.Duration
	// StatInterval is the stat period (default 30 s).
	StatInterval time.Duration
	// ForwardCRCError forwards packets whose CRC failed, ForwardNoCRC
	// those without a CRC (both off by default, as the reference).
	ForwardCRCError, ForwardNoCRC bool
	// MissedAcks is how many keepalive periods without an
	// acknowledgement make the server unreachable (default 3).
	MissedAcks int
}

// SetDefaults fills zero fields with their defaults.
func (c *Config) SetDefaults() {
	if c.PortUp == 0 {
		c.PortUp = DefaultPort
	}
	if c.PortDown == 0 {
		c.PortDown = DefaultPort
	}
	if c.Keepalive == 0 {
		c.Keepalive = DefaultKeepalive
	}
	if c.StatInterval == 0 {
		c.StatInterval = DefaultStatInterval
	}
	if c.MissedAcks == 0 {
		c.MissedAcks = DefaultMissedAcks
	}
}

// FieldError names an invalid setting by its configuration key.
type FieldError struct {
	Key, Msg string
}

// Error implements error.
func (e *FieldError) Error() string { return e.Key + ": " + e.Msg }

// Validate checks the settings (defaults applied first); errors name the
// key as written in lgw.toml.
func (c Config) Validate() error {
	c.SetDefaults()
	switch {
	case c.Server == "":
		return &FieldError{"server", "required: the network server's host name or address"}
	case !validHost(c.Server):
		return &FieldError{"server", fmt.Sprintf("%q: want a host name or an IP address, without port or scheme", c.Server)}
	case c.PortUp < 1 || c.PortUp > 65535:
		return &FieldError{"port_up", fmt.Sprintf("%d: want 1 to 65535", c.PortUp)}
	case c.PortDown < 1 || c.PortDown > 65535:
		return &FieldError{"port_down", fmt.Sprintf("%d: want 1 to 65535", c.PortDown)}
	case c.Keepalive < time.Second || c.Keepalive > 10*time.Minute:
		return &FieldError{"keepalive", fmt.Sprintf("%v: want 1s to 10m", c.Keepalive)}
	case c.StatInterval < time.Second || c.StatInterval > 24*time.Hour:
		return &FieldError{"stat_interval", fmt.Sprintf("%v: want 1s to 24h", c.StatInterval)}
	case c.MissedAcks < 1 || c.MissedAcks > 100:
		return &FieldError{"missed_acks", fmt.Sprintf("%d: want 1 to 100", c.MissedAcks)}
	}
	return nil
}

// validHost reports whether s is an IP address or a host name (letters,
// digits, '-', '_' and dots, at most 253 characters).
func validHost(s string) bool {
	if net.ParseIP(s) != nil {
		return true
	}
	if len(s) > 253 || strings.HasPrefix(s, ".") || strings.Contains(s, "..") {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// Name is "server:port_up/port_down", how logs and status name it.
func (c Config) Name() string {
	return fmt.Sprintf("%s:%d/%d", c.Server, c.PortUp, c.PortDown)
}
