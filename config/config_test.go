package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lgwagent/lgw/hal/chanplan"
	"time"

	"github.com/BurntSushi/toml"
)

func TestExamplesParse(t *testing.T) {
	for _, f := range []string{"sim.toml", "sx1302-hat.toml"} {
		cfg, err := Load(filepath.Join("..", "examples", f))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if cfg.Gateway.Region != "EU868" {
			t.Errorf("%s: region %q", f, cfg.Gateway.Region)
		}
	}
}

func TestDefaultsAndDurations(t *testing.T) {
	cfg, err := Parse("[multicast]\nmin_start_lead = \"45m\"\n")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Multicast.MinStartLead.D() != 45*time.Minute || cfg.Multicast.MaxStartAhead.D() != 48*time.Hour {
		t.Fatalf("multicast %+v", cfg.Multicast)
	}
	if cfg.MQTT.TopicPrefix != "lgw" || cfg.Control.Socket != "/run/lgw/lgw.sock" || cfg.Scheduler.Capacity != 4096 {
		t.Fatalf("defaults not applied: %+v", cfg)
	}
}

func TestRoundTrip(t *testing.T) {
	var b strings.Builder
	if err := toml.NewEncoder(&b).Encode(Default()); err != nil {
		t.Fatal(err)
	}
	cfg, err := Parse(b.String())
	if err != nil {
		t.Fatalf("printed defaults do not parse: %v\n%s", err, b.String())
	}
	if cfg.Scheduler.MinLead != Default().Scheduler.MinLead || cfg.MQTT.Server != Default().MQTT.Server {
		t.Fatalf("round trip changed values")
	}
}

func TestErrorsNameTheKey(t *testing.T) {
	tests := []struct {
		name, text, key, mention string
	}{
		{"bad region", "[gateway]\nregion = \"EU969\"", "gateway.region", "EU868, US915"},
		{"unknown key", "[gateway]\nregoin = \"EU868\"", "gateway.regoin", "unknown key"},
		{"unknown section", "[radio]\nx = 1", "radio", "unknown key"},
		{"bad id", "[gateway]\nid = \"xyz\"", "gateway.id", "16 hex digits"},
		{"bad latitude", "[gateway]\nlatitude = 95.0", "gateway.latitude", "-90 to 90"},
		{"bad duration", "[multicast]\nmin_start_lead = \"soon\"", "", "duration"},
		{"start window", "[multicast]\nmin_start_lead = \"3h\"\nmax_start_ahead = \"2h\"", "multicast.max_start_ahead", "longer than"},
		{"bad log level", "[log]\nlevel = \"loud\"", "log.level", "debug, info, warn, error"},
		{"bad mqtt scheme", "[mqtt]\nserver = \"http://x:1\"", "mqtt.server", "tcp, ssl"},
		{"bad prefix", "[mqtt]\ntopic_prefix = \"a/#\"", "mqtt.topic_prefix", "+, #"},
		{"cert without key", "[mqtt]\nclient_cert = \"c.pem\"", "mqtt.client_key", "go together"},
		{"power policy", "[scheduler]\npower_policy = \"maybe\"", "scheduler.power_policy", "refuse, clamp"},
		{"min lead", "[scheduler]\nmin_lead = \"0s\"", "scheduler.min_lead", "5ms"},
		{"capacity", "[scheduler]\ncapacity = 0", "scheduler.capacity", "1 to"},
		{"handoff below min lead", "[scheduler]\nmin_lead = \"20ms\"\nhandoff_lead = \"15ms\"", "scheduler.handoff_lead", "min_lead (20ms) to 1s"},
		{"handoff too far", "[scheduler]\nhandoff_lead = \"2s\"", "scheduler.handoff_lead", "to 1s"},
		{"late retries", "[multicast]\nlate_retries = 11", "multicast.late_retries", "0 to 10"},
		{"ppm", "[concentrator.sim]\nppm = 500.0", "concentrator.sim.ppm", "-100 to 100"},
		{"syntax", "region = = 1", "", "line 1"},
		{"temperature", "[concentrator]\ntemperature = 120.0", "concentrator.temperature", "-40 to 85"},
		{"sub_band outside US/AU", "[concentrator]\nsub_band = 2", "concentrator.sub_band", "US915 and AU915 only"},
		{"sub_band range", "[gateway]\nregion = \"US915\"\n[concentrator]\nsub_band = 9", "concentrator.sub_band", "1 to 8"},
		{"sub_band and channels", "[gateway]\nregion = \"US915\"\n[concentrator]\nsub_band = 1\n[[concentrator.channel]]\nfrequency = 902300000",
			"concentrator.sub_band", "not both"},
		{"channel out of reach", "[[concentrator.radio]]\nfrequency = 867500000\n[[concentrator.channel]]\nfrequency = 867100000\n[[concentrator.channel]]\nfrequency = 868500000",
			"concentrator.channel[1]", "868.5 MHz (125kHz) is out of reach of both radios"},
		{"service SF", "[[concentrator.channel]]\nfrequency = 868100000\n[concentrator.service_channel]\nfrequency = 868300000\nspreading_factor = 13\nbandwidth = 250000",
			"concentrator.service_channel", "spreading factor 13"},
		{"fsk without channels", "[concentrator.fsk_channel]\nfrequency = 868800000\nbit_rate = 50000", "concentrator.fsk_channel", "explicit channel list"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.text)
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tc.mention) {
				t.Fatalf("error %q does not mention %q", err, tc.mention)
			}
			if tc.key != "" {
				var ce *Error
				if !errors.As(err, &ce) || ce.Key != tc.key {
					t.Fatalf("error %v: want key %s", err, tc.key)
				}
			}
		})
	}
}

func TestValidateBoard(t *testing.T) {
	cfg := Default()
	cfg.Concentrator.Board = "rak9999"
	err := cfg.ValidateBoard([]string{"sim", "rak2287"})
	if err == nil || !strings.Contains(err.Error(), "concentrator.board") || !strings.Contains(err.Error(), "sim, rak2287") {
		t.Fatalf("got %v", err)
	}
	cfg.Concentrator.Board = "sim"
	if err := cfg.ValidateBoard([]string{"sim"}); err != nil {
		t.Fatal(err)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "none.toml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("got %v", err)
	}
}

func TestChannelPlanFromConfig(t *testing.T) {
	cfg, err := Parse(`[gateway]
region = "US915"
[concentrator]
sub_band = 1`)
	if err != nil {
		t.Fatal(err)
	}
	p, err := cfg.ChannelPlan(chanplan.SX1302)
	if err != nil {
		t.Fatal(err)
	}
	if f, _, _ := p.Frequency(0); f != 902300000 || p.Radios[0].Freq != 902700000 || p.Radios[1].Freq != 903400000 {
		t.Errorf("sub-band 1: %+v", p)
	}
	cfg, err = Parse(`[[concentrator.radio]]
frequency = 867500000
[[concentrator.radio]]
frequency = 868500000
[[concentrator.channel]]
frequency = 868100000
radio = 0
[[concentrator.channel]]
frequency = 868300000
[concentrator.service_channel]
frequency = 868300000
spreading_factor = 9
bandwidth = 125000
[concentrator.fsk_channel]
frequency = 868800000
bit_rate = 100000`)
	if err != nil {
		t.Fatal(err)
	}
	p, err = cfg.ChannelPlan(chanplan.SX1302)
	if err != nil {
		t.Fatal(err)
	}
	if p.MultiSF[0] != (chanplan.IFChannel{Enable: true, Radio: 0, IF: 600000}) || p.MultiSF[1].Radio != 1 ||
		p.ServiceRate.SpreadingFactor != 9 || p.FSKBitRate != 100000 || p.FSK.IF != 300000 {
		t.Errorf("explicit plan: %+v", p)
	}
}
