package mqtt

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"time"
)

// Config is the client's configuration (the [mqtt] section of lgw.toml,
// converted by package config). Zero values take the defaults below;
// Validate holds every limit, for `lgw config check` and New alike.
type Config struct {
	// Server is tcp://host:port, ssl://host:port or tls://host:port.
	Server string
	// TopicPrefix starts every topic (default "lgw").
	TopicPrefix string
	// Username and Password authenticate; the password never appears in
	// logs or responses.
	Username, Password string
	// CACert, ClientCert and ClientKey are PEM files for TLS and mutual
	// TLS.
	CACert, ClientCert, ClientKey string
	// Keepalive is the MQTT keepalive.
	Keepalive time.Duration
	// StatsInterval is how often stats are published.
	StatsInterval time.Duration
	// BufferSize bounds the uplinks and stats kept in memory while the
	// broker is unreachable.
	BufferSize int
	// SpoolDir is the on-disk spool of reports and responses waiting for
	// the broker (absolute; empty: memory only); SpoolMax bounds its
	// records (default DefaultSpoolMax).
	SpoolDir string
	SpoolMax int
	// Management enables the management operations (RestartConcentrator,
	// SetLogLevel); when false they answer AccessDeniedException.
	Management bool
	// RateLimit (commands per second) and RateBurst size the token bucket
	// that answers floods with ThrottlingException.
	RateLimit float64
	RateBurst int
}

// Limits of Config.
const (
	MinKeepalive     = time.Second
	MaxKeepalive     = 30 * time.Minute
	MinStatsInterval = time.Second
	MaxBufferSize    = 1000000
	MaxSpoolMax      = 1000000
)

// WithDefaults returns c with every zero value set to its default.
func (c Config) WithDefaults() Config {
	if c.TopicPrefix == "" {
		c.TopicPrefix = DefaultTopicPrefix
	}
	if c.Keepalive == 0 {
		c.Keepalive = DefaultKeepalive
	}
	if c.StatsInterval == 0 {
		c.StatsInterval = DefaultStatsInterval
	}
	if c.BufferSize == 0 {
		c.BufferSize = DefaultBufferSize
	}
	if c.SpoolMax == 0 {
		c.SpoolMax = DefaultSpoolMax
	}
	if c.RateLimit == 0 {
		c.RateLimit = DefaultRateLimit
	}
	if c.RateBurst == 0 {
		c.RateBurst = DefaultRateBurst
	}
	return c
}

// Validate checks every value (after WithDefaults). Errors start with the
// configuration key ("mqtt.keepalive: ...").
func (c Config) Validate() error {
	u, err := url.Parse(c.Server)
	switch {
	case c.Server == "":
		return errors.New("mqtt.server: required")
	case err != nil || u.Host == "":
		return fmt.Errorf("mqtt.server: %q: want scheme://host:port", c.Server)
	}
	switch u.Scheme {
	case "tcp", "ssl", "tls", "mqtt", "mqtts":
	default:
		return fmt.Errorf("mqtt.server: scheme %q (allowed: tcp, ssl, tls, mqtt, mqtts)", u.Scheme)
	}
	p := c.TopicPrefix
	if p == "" || strings.ContainsAny(p, "#+") || strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") {
		return fmt.Errorf("mqtt.topic_prefix: %q: want a topic level without +, # or leading/trailing /", p)
	}
	if (c.ClientCert == "") != (c.ClientKey == "") {
		return errors.New("mqtt.client_key: client_cert and client_key go together")
	}
	if c.Keepalive < MinKeepalive || c.Keepalive > MaxKeepalive {
		return fmt.Errorf("mqtt.keepalive: %v: want %v to %v", c.Keepalive, MinKeepalive, MaxKeepalive)
	}
	if c.StatsInterval < MinStatsInterval {
		return fmt.Errorf("mqtt.stats_interval: %v: want at least %v", c.StatsInterval, MinStatsInterval)
	}
	if c.BufferSize < 1 || c.BufferSize > MaxBufferSize {
		return fmt.Errorf("mqtt.buffer_size: %d: want 1 to %d", c.BufferSize, MaxBufferSize)
	}
	if c.SpoolMax < 1 || c.SpoolMax > MaxSpoolMax {
		return fmt.Errorf("mqtt.spool_max: %d: want 1 to %d", c.SpoolMax, MaxSpoolMax)
	}
	if c.SpoolDir != "" && !filepath.IsAbs(c.SpoolDir) {
		return fmt.Errorf("mqtt.spool_dir: %q: want an absolute path", c.SpoolDir)
	}
	if c.RateLimit <= 0 || c.RateBurst < 1 {
		return fmt.Errorf("mqtt.rate_limit: rate_limit %v and rate_burst %d must be positive", c.RateLimit, c.RateBurst)
	}
	return nil
}
