package config

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/region"
)

// Validate checks every value. The board name is checked by ValidateBoard,
// since the board registry sits above this package.
func (c *Config) Validate() error {
	if c.Gateway.ID != "" {
		if _, err := hal.ParseEUI64(strings.ToLower(c.Gateway.ID)); err != nil {
			return &Error{Key: "gateway.id", Msg: fmt.Sprintf("%q: want 16 hex digits, or leave empty to use the chip EUI", c.Gateway.ID)}
		}
		c.Gateway.ID = strings.ToLower(c.Gateway.ID)
	}
	if _, err := region.Lookup(c.Gateway.Region); err != nil {
		return &Error{Key: "gateway.region", Msg: fmt.Sprintf("%q is not a region (allowed: %s)", c.Gateway.Region, region.NamesString())}
	}
	if c.Gateway.Latitude < -90 || c.Gateway.Latitude > 90 {
		return &Error{Key: "gateway.latitude", Msg: fmt.Sprintf("%v: want -90 to 90", c.Gateway.Latitude)}
	}
	if c.Gateway.Longitude < -180 || c.Gateway.Longitude > 180 {
		return &Error{Key: "gateway.longitude", Msg: fmt.Sprintf("%v: want -180 to 180", c.Gateway.Longitude)}
	}
	if c.Concentrator.Board == "" {
		return &Error{Key: "concentrator.board", Msg: "required"}
	}
	if c.Concentrator.SPISpeed < 100000 || c.Concentrator.SPISpeed > 10000000 {
		return &Error{Key: "concentrator.spi_speed", Msg: fmt.Sprintf("%d: want 100000 to 10000000 Hz", c.Concentrator.SPISpeed)}
	}
	if c.Concentrator.Sim.PPM < -100 || c.Concentrator.Sim.PPM > 100 {
		return &Error{Key: "concentrator.sim.ppm", Msg: fmt.Sprintf("%v: want -100 to 100", c.Concentrator.Sim.PPM)}
	}
	if j := c.Concentrator.Sim.GPSJitter.D(); j < 0 || j > 100*time.Millisecond {
		return &Error{Key: "concentrator.sim.gps_jitter", Msg: fmt.Sprintf("%v: want 0 to 100ms", j)}
	}
	if err := c.validateScheduler(); err != nil {
		return err
	}
	if err := c.validateMQTT(); err != nil {
		return err
	}
	if err := c.validateForwarders(); err != nil {
		return err
	}
	if c.Storage.Dir == "" {
		return &Error{Key: "storage.dir", Msg: "required"}
	}
	if c.Multicast.MinStartLead < 0 {
		return &Error{Key: "multicast.min_start_lead", Msg: "must not be negative"}
	}
	if c.Multicast.MaxStartAhead.D() <= c.Multicast.MinStartLead.D() {
		return &Error{Key: "multicast.max_start_ahead", Msg: fmt.Sprintf("%v must be longer than min_start_lead %v", c.Multicast.MaxStartAhead.D(), c.Multicast.MinStartLead.D())}
	}
	if c.Multicast.TxPower < 0 || c.Multicast.TxPower > 36 {
		return &Error{Key: "multicast.tx_power", Msg: fmt.Sprintf("%d: want 0 (region default) to 36 dBm", c.Multicast.TxPower)}
	}
	if c.Control.Socket == "" {
		return &Error{Key: "control.socket", Msg: "required"}
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		return &Error{Key: "log.level", Msg: fmt.Sprintf("%q (allowed: debug, info, warn, error)", c.Log.Level)}
	}
	return nil
}

func (c *Config) validateScheduler() error {
	s := &c.Scheduler
	if s.Capacity < 1 || s.Capacity > 1<<20 {
		return &Error{Key: "scheduler.capacity", Msg: fmt.Sprintf("%d: want 1 to 1048576", s.Capacity)}
	}
	if s.MinLead.D() < time.Millisecond || s.MinLead.D() > 10*time.Second {
		return &Error{Key: "scheduler.min_lead", Msg: fmt.Sprintf("%v: want 1ms to 10s", s.MinLead.D())}
	}
	if s.MaxAdvance.D() <= s.MinLead.D() || s.MaxAdvance.D() > 72*time.Hour {
		return &Error{Key: "scheduler.max_advance", Msg: fmt.Sprintf("%v: want more than min_lead, at most 72h", s.MaxAdvance.D())}
	}
	if s.PowerPolicy != "refuse" && s.PowerPolicy != "clamp" {
		return &Error{Key: "scheduler.power_policy", Msg: fmt.Sprintf("%q (allowed: refuse, clamp)", s.PowerPolicy)}
	}
	if s.Holdover.D() < 0 || s.Holdover.D() > time.Hour {
		return &Error{Key: "scheduler.holdover", Msg: fmt.Sprintf("%v: want 0 to 1h", s.Holdover.D())}
	}
	return nil
}

func (c *Config) validateMQTT() error {
	m := &c.MQTT
	if !m.Enabled {
		return nil
	}
	u, err := url.Parse(m.Server)
	if err != nil || u.Host == "" {
		return &Error{Key: "mqtt.server", Msg: fmt.Sprintf("%q: want scheme://host:port", m.Server)}
	}
	switch u.Scheme {
	case "tcp", "ssl", "tls", "mqtt", "mqtts":
	default:
		return &Error{Key: "mqtt.server", Msg: fmt.Sprintf("scheme %q (allowed: tcp, ssl, tls, mqtt, mqtts)", u.Scheme)}
	}
	if m.TopicPrefix == "" || strings.ContainsAny(m.TopicPrefix, "#+") || strings.HasPrefix(m.TopicPrefix, "/") || strings.HasSuffix(m.TopicPrefix, "/") {
		return &Error{Key: "mqtt.topic_prefix", Msg: fmt.Sprintf("%q: want a topic level without +, # or leading/trailing /", m.TopicPrefix)}
	}
	if (m.ClientCert == "") != (m.ClientKey == "") {
		return &Error{Key: "mqtt.client_key", Msg: "client_cert and client_key go together"}
	}
	if m.Keepalive.D() < time.Second || m.Keepalive.D() > 30*time.Minute {
		return &Error{Key: "mqtt.keepalive", Msg: fmt.Sprintf("%v: want 1s to 30m", m.Keepalive.D())}
	}
	if m.StatsInterval.D() < time.Second {
		return &Error{Key: "mqtt.stats_interval", Msg: fmt.Sprintf("%v: want at least 1s", m.StatsInterval.D())}
	}
	if m.BufferSize < 1 || m.BufferSize > 1000000 {
		return &Error{Key: "mqtt.buffer_size", Msg: fmt.Sprintf("%d: want 1 to 1000000", m.BufferSize)}
	}
	if m.RateLimit <= 0 || m.RateBurst < 1 {
		return &Error{Key: "mqtt.rate_limit", Msg: fmt.Sprintf("rate_limit %v and rate_burst %d must be positive", m.RateLimit, m.RateBurst)}
	}
	return nil
}

// ValidateBoard checks concentrator.board against the known board names.
func (c *Config) ValidateBoard(names []string) error {
	for _, n := range names {
		if n == c.Concentrator.Board {
			return nil
		}
	}
	return &Error{Key: "concentrator.board", Msg: fmt.Sprintf("%q is not a board (allowed: %s)", c.Concentrator.Board, strings.Join(names, ", "))}
}
