package config

import (
	"github.com/lgwagent/lgw/mqtt"
	"github.com/lgwagent/lgw/multicast"
)

// The sections below are converted to the Config of the package that runs
// them; that package's Validate holds the limits, and Config.Validate
// calls it, so `lgw config check` and `lgw run` apply the same rules.

// Client returns the MQTT client's configuration.
func (m MQTT) Client() mqtt.Config {
	return mqtt.Config{Server: m.Server, TopicPrefix: m.TopicPrefix, Username: m.Username, Password: m.Password,
		CACert: m.CACert, ClientCert: m.ClientCert, ClientKey: m.ClientKey, Keepalive: m.Keepalive.D(),
		StatsInterval: m.StatsInterval.D(), BufferSize: m.BufferSize, Management: m.Management,
		RateLimit: m.RateLimit, RateBurst: m.RateBurst}
}

// MulticastService returns the multicast service's configuration; the core fills
// in what it owns (clock, scheduler, reports, logger, ping slots).
func (c Config) MulticastService() multicast.Config {
	m := c.Multicast
	return multicast.Config{Dir: c.Storage.Dir, MinStartLead: m.MinStartLead.D(), MaxStartAhead: m.MaxStartAhead.D(),
		TxPower: int8(m.TxPower), LateRetries: m.LateRetries}
}
