package config

import (
	"errors"
	"math"
	"path/filepath"
	"strings"

	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/mqtt"
	"github.com/lgwagent/lgw/multicast"
	"github.com/lgwagent/lgw/region"
	"github.com/lgwagent/lgw/scheduler"
)

// The sections below are converted to the Config of the package that runs
// them; that package's Validate holds the limits, and Config.Validate
// calls it, so `lgw config check` and `lgw run` apply the same rules.

// MQTTClient returns the MQTT client's configuration with the spool
// directory defaulted under storage.dir.
func (c Config) MQTTClient() mqtt.Config {
	m := c.MQTT.Client()
	if m.SpoolDir == "" {
		m.SpoolDir = filepath.Join(c.Storage.Dir, DefaultSpoolSubdir)
	}
	return m
}

// DefaultSpoolSubdir is the report spool's directory under storage.dir
// when mqtt.spool_dir is not set.
const DefaultSpoolSubdir = "mqtt-spool"

// Client returns the MQTT client's configuration.
func (m MQTT) Client() mqtt.Config {
	return mqtt.Config{Server: m.Server, TopicPrefix: m.TopicPrefix, Username: m.Username, Password: m.Password,
		CACert: m.CACert, ClientCert: m.ClientCert, ClientKey: m.ClientKey, Keepalive: m.Keepalive.D(),
		StatsInterval: m.StatsInterval.D(), BufferSize: m.BufferSize, SpoolDir: m.SpoolDir, SpoolMax: m.SpoolMax,
		Management: m.Management,
		RateLimit:  m.RateLimit, RateBurst: m.RateBurst}
}

// MulticastService returns the multicast service's configuration; the core fills
// in what it owns (clock, scheduler, reports, logger, ping slots).
func (c Config) MulticastService() multicast.Config {
	m := c.Multicast
	// DurationsAsGiven: "0s" in the file means a session may start now.
	return multicast.Config{Dir: c.Storage.Dir, Region: c.Gateway.Region, MinStartLead: m.MinStartLead.D(), MaxStartAhead: m.MaxStartAhead.D(),
		DurationsAsGiven: true, TxPower: int8(max(math.MinInt8, min(m.TxPower, math.MaxInt8))), // out of int8: still refused
		LateRetries: m.LateRetries}
}

// SchedulerConfig returns the TX scheduler's configuration for region r;
// the caller adds the GPS. An unknown power_policy is an error naming it.
func (c Config) SchedulerConfig(r *region.Region) (scheduler.Config, error) {
	s := c.Scheduler
	pp, err := scheduler.ParsePowerPolicy(s.PowerPolicy)
	if err != nil {
		return scheduler.Config{}, keyed("scheduler.", err)
	}
	// The keys the file has no say on keep the scheduler's defaults; those
	// it has are taken as written (a zero is refused, not defaulted).
	sc := scheduler.Config{}.WithDefaults()
	sc.Region, sc.Capacity, sc.MinLead, sc.MaxAdvance = r, s.Capacity, s.MinLead.D(), s.MaxAdvance.D()
	sc.HandoffLead = s.HandoffLead.D()
	sc.Holdover, sc.PowerPolicy, sc.Beaconing = s.Holdover.D(), pp, s.Beacons
	sc.Latitude, sc.Longitude = c.Gateway.Latitude, c.Gateway.Longitude
	return sc, nil
}

// validateSections has each package check its own section.
func (c Config) validateSections(r *region.Region) error {
	sc, err := c.SchedulerConfig(r)
	if err != nil {
		return err
	}
	if err := sc.Validate(); err != nil {
		return keyed("", err)
	}
	if c.MQTT.Enabled {
		if err := c.MQTT.Client().Validate(); err != nil {
			return keyed("", err)
		}
	}
	ms := c.MulticastService()
	if err := ms.Validate(); err != nil {
		return keyed("", err)
	}
	return nil
}

// keyed turns a package's validation error into an Error naming the key:
// a *hal.FieldError gives it, otherwise the message starts "key: ".
func keyed(prefix string, err error) error {
	var fe *hal.FieldError
	if errors.As(err, &fe) {
		key := fe.Field
		if !strings.HasPrefix(key, prefix) {
			key = prefix + key
		}
		return &Error{Key: key, Msg: strings.TrimPrefix(fe.Error(), fe.Field+": ")}
	}
	if key, msg, ok := strings.Cut(err.Error(), ": "); ok && !strings.Contains(key, " ") {
		return &Error{Key: key, Msg: msg}
	}
	return err
}
