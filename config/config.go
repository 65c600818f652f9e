// Package config is lgw's configuration: one TOML file (default
// /etc/lgw/lgw.toml) decoded into one typed struct, defaults set in one
// place, unknown keys refused by name, and every value validated with an
// error that names the key and the allowed values.
package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/lgwagent/lgw/board"
	"github.com/lgwagent/lgw/control"
	"github.com/lgwagent/lgw/mqtt"
	"github.com/lgwagent/lgw/multicast"
	"github.com/lgwagent/lgw/scheduler"
	"github.com/lgwagent/lgw/sx1302"
)

// DefaultPath is where the daemon looks for its configuration.
const DefaultPath = "/etc/lgw/lgw.toml"

// Config is the whole configuration.
type Config struct {
	Gateway      Gateway      `toml:"gateway"`
	Concentrator Concentrator `toml:"concentrator"`
	Scheduler    Scheduler    `toml:"scheduler"`
	MQTT         MQTT         `toml:"mqtt"`
	Storage      Storage      `toml:"storage"`
	Multicast    Multicast    `toml:"multicast"`
	Control      Control      `toml:"control"`
	Log          Log          `toml:"log"`
	// Forwarders are the network servers spoken to over Semtech's UDP
	// protocol ([[forwarder]]); none by default.
	Forwarders []Forwarder `toml:"forwarder"`
}

// Gateway identifies the gateway and where it stands.
type Gateway struct {
	// ID is the gateway ID, 16 hex digits; empty means the chip EUI.
	ID string `toml:"id"`
	// Region is a region name (see region.Names).
	Region string `toml:"region"`
	// Latitude and Longitude in degrees, Altitude in metres: sent in class
	// B beacons.
	Latitude  float64 `toml:"latitude"`
	Longitude float64 `toml:"longitude"`
	Altitude  float64 `toml:"altitude"`
}

// Storage says where state lives.
type Storage struct {
	// Dir holds multicast groups, sessions and frame counters.
	Dir string `toml:"dir"`
}

// Multicast holds the session-schedule rules of the seed API.
type Multicast struct {
	// MinStartLead is how far ahead a session must start at the least.
	MinStartLead Duration `toml:"min_start_lead"`
	// MaxStartAhead is how far ahead a session may start at the most.
	MaxStartAhead Duration `toml:"max_start_ahead"`
	// TxPower is the multicast TX power in dBm; 0 means the region's
	// default downlink power.
	TxPower int `toml:"tx_power"`
	// LateRetries is how many times a frame that reached the chip too late
	// and was never emitted is sent again, same frame counter (0 to 10).
	LateRetries int `toml:"late_retries"`
}

// Scheduler tunes the TX queue.
type Scheduler struct {
	// Capacity is the queue size per RF chain.
	Capacity int `toml:"capacity"`
	// MinLead is the shortest time ahead a transmission is accepted.
	MinLead Duration `toml:"min_lead"`
	// HandoffLead is how long before its start a transmission is handed
	// to the chip (or as soon as its RF chain is free after that); from
	// min_lead to 1s.
	HandoffLead Duration `toml:"handoff_lead"`
	// MaxAdvance is the longest time ahead a transmission is accepted.
	MaxAdvance Duration `toml:"max_advance"`
	// PowerPolicy is "refuse" or "clamp": what to do with a power above
	// the limit.
	PowerPolicy string `toml:"power_policy"`
	// Beacons turns class B beaconing on.
	Beacons bool `toml:"beacons"`
	// Holdover is how long the GPS time reference stays valid without PPS.
	Holdover Duration `toml:"holdover"`
}

// Control is the local control socket the CLI talks to.
type Control struct {
	// Socket is the Unix socket path.
	Socket string `toml:"socket"`
	// Group owns the socket (mode 0660); empty keeps the daemon's group.
	Group string `toml:"group"`
}

// Log sets the log level.
type Log struct {
	// Level is debug, info, warn or error.
	Level string `toml:"level"`
}

// Duration is a time.Duration written as "30m", "1h30m", "500ms".
type Duration time.Duration

// UnmarshalText parses a Go duration string.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("want a duration like 30s, 10m or 1h: %w", err)
	}
	*d = Duration(v)
	return nil
}

// MarshalText writes the duration as a Go duration string.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// D returns the time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// Default returns the configuration with every default set. The values
// are the running packages' own defaults, so a key left out means the
// same here and in the daemon.
func Default() Config {
	return Config{
		Gateway: Gateway{Region: "EU868"},
		Concentrator: Concentrator{Board: "sim", FirmwareDir: "/usr/share/lgw/firmware", SPISpeed: board.DefaultMaxSPISpeed,
			Temperature: sx1302.DefaultTemperature},
		Scheduler: Scheduler{Capacity: scheduler.DefaultCapacity, MinLead: Duration(scheduler.DefaultMinLead),
			MaxAdvance: Duration(scheduler.DefaultMaxAdvance), PowerPolicy: scheduler.PowerRefuse.String(),
			Holdover: Duration(scheduler.DefaultHoldover), HandoffLead: Duration(scheduler.DefaultHandoffLead)},
		MQTT: MQTT{Enabled: true, Server: "tcp://127.0.0.1:1883", TopicPrefix: mqtt.DefaultTopicPrefix,
			Keepalive: Duration(mqtt.DefaultKeepalive), StatsInterval: Duration(mqtt.DefaultStatsInterval),
			BufferSize: mqtt.DefaultBufferSize, SpoolMax: mqtt.DefaultSpoolMax, Management: true, RateLimit: mqtt.DefaultRateLimit,
			RateBurst: mqtt.DefaultRateBurst},
		Storage: Storage{Dir: "/var/lib/lgw"},
		Multicast: Multicast{MinStartLead: Duration(multicast.DefaultMinStartLead),
			MaxStartAhead: Duration(multicast.DefaultMaxStartAhead), LateRetries: multicast.DefaultLateRetries},
		Control: Control{Socket: control.DefaultSocket},
		Log:     Log{Level: "info"},
	}
}

// Error is a configuration error about one key.
type Error struct {
	// Key is the dotted key ("gateway.region").
	Key string
	// Msg says what is wrong and what is allowed.
	Msg string
}

// Error implements error.
func (e *Error) Error() string { return e.Key + ": " + e.Msg }

// SyntaxError is a configuration that is not valid TOML or does not fit
// the configuration's types.
type SyntaxError struct {
	// Line is the 1-based line, 0 when unknown.
	Line int
	Msg  string
}

// Error implements error.
func (e *SyntaxError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

// Load reads, decodes and validates a configuration file. Relative paths
// in it (ResolvePaths) are relative to the file's directory, so that
// `lgw run --config examples/sim.toml` works from any directory.
func Load(path string) (Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	cfg, err := Parse(string(b))
	if err != nil {
		return Config{}, fmt.Errorf("config %s: %w", path, err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return Config{}, fmt.Errorf("config %s: %w", path, err)
	}
	cfg.ResolvePaths(filepath.Dir(abs))
	return cfg, nil
}

// ResolvePaths makes the relative file and directory paths of the
// configuration (firmware_dir, sim.traffic, storage.dir, control.socket,
// the MQTT TLS files) relative to dir. Empty and absolute paths stay.
func (c *Config) ResolvePaths(dir string) {
	for _, p := range []*string{&c.Concentrator.FirmwareDir, &c.Concentrator.Sim.Traffic, &c.Storage.Dir,
		&c.Control.Socket, &c.MQTT.CACert, &c.MQTT.ClientCert, &c.MQTT.ClientKey} {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(dir, *p)
		}
	}
}

// Parse decodes and validates a configuration. Keys not set keep their
// defaults; unknown keys are errors.
func Parse(text string) (Config, error) {
	cfg, err := Decode(text)
	if err != nil {
		return Config{}, err
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// Decode decodes a configuration over the defaults without validating
// the values (Parse does both); unknown keys are errors.
func Decode(text string) (Config, error) {
	cfg := Default()
	md, err := toml.Decode(text, &cfg)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return Config{}, &SyntaxError{Line: pe.Position.Line, Msg: pe.Message}
		}
		return Config{}, &SyntaxError{Msg: err.Error()}
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return Config{}, &Error{Key: keys[0], Msg: "unknown key (unknown keys: " + strings.Join(keys, ", ") + ")"}
	}
	return cfg, nil
}
