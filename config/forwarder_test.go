package config

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestForwardersParse(t *testing.T) {
	cfg, err := Load(filepath.Join("..", "examples", "udp.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Forwarders) != 2 || !cfg.MQTT.Enabled {
		t.Fatalf("forwarders %+v, mqtt %v", cfg.Forwarders, cfg.MQTT.Enabled)
	}
	primary, backup := cfg.Forwarders[0].UDP(), cfg.Forwarders[1].UDP()
	if primary.Server != "127.0.0.1" || primary.Keepalive != 10*time.Second || primary.StatInterval != 30*time.Second ||
		primary.MissedAcks != 3 || primary.ForwardCRCError {
		t.Fatalf("primary %+v", primary)
	}
	// Keys left out take the adapter's defaults.
	if backup.Keepalive != 10*time.Second || backup.StatInterval != 30*time.Second || backup.PortUp != 1700 {
		t.Fatalf("backup %+v", backup)
	}
}

func TestUDPOnlyNeedsNoBroker(t *testing.T) {
	cfg, err := Parse("[mqtt]\nenabled = false\nserver = \"\"\n[[forwarder]]\nserver = \"ns.example.net\"\n")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MQTT.Enabled || len(cfg.Forwarders) != 1 {
		t.Fatalf("%+v %+v", cfg.MQTT, cfg.Forwarders)
	}
	if cfg, err := Parse(""); err != nil || !cfg.MQTT.Enabled || len(cfg.Forwarders) != 0 {
		t.Fatalf("default: mqtt %v forwarders %d, %v", cfg.MQTT.Enabled, len(cfg.Forwarders), err)
	}
}

func TestForwarderErrorsNameTheKey(t *testing.T) {
	tests := []struct{ text, key, mention string }{
		{"[[forwarder]]\nport_up = 1700", "forwarder[0].server", "required"},
		{"[[forwarder]]\nserver = \"a\"\n[[forwarder]]\nserver = \"b\"\nport_down = 0\nport_up = 99999", "forwarder[1].port_up", "65535"},
		{"[[forwarder]]\nserver = \"a\"\nkeepalive = \"100ms\"", "forwarder[0].keepalive", "1s"},
		{"[[forwarder]]\nserver = \"a\"\nstat_interval = \"0.5s\"", "forwarder[0].stat_interval", "1s"},
		{"[[forwarder]]\nserver = \"a\"\n[[forwarder]]\nserver = \"a\"", "forwarder[1].server", "already forwarder[0]"},
		{"[[forwarder]]\nserver = \"a\"\nport = 1700", "forwarder.port", "unknown key"},
		{"[mqtt]\nenabled = false", "mqtt.enabled", "[[forwarder]]"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.text)
		var ce *Error
		if !errors.As(err, &ce) || ce.Key != tt.key || !strings.Contains(err.Error(), tt.mention) {
			t.Errorf("%q: error %v, want key %s mentioning %q", tt.text, err, tt.key, tt.mention)
		}
	}
}

// TestUDPDocsConfig parses every TOML example of docs/udp.md.
func TestUDPDocsConfig(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "docs", "udp.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```toml\n(.*?)```").FindAllStringSubmatch(string(b), -1)
	if len(blocks) < 3 {
		t.Fatalf("%d TOML examples in docs/udp.md, want at least 3", len(blocks))
	}
	for _, m := range blocks {
		text := regexp.MustCompile("(?m)^   ").ReplaceAllString(m[1], "") // examples inside list items
		cfg, err := Parse(text)
		if err != nil {
			t.Errorf("%s\n%v", text, err)
			continue
		}
		if len(cfg.Forwarders) == 0 {
			t.Errorf("%s\nno [[forwarder]]", text)
		}
	}
}
