package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lgwagent/lgw/agent"
	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/config"
)

// TestConfigCheckAndRunAgree feeds each limit, just inside and just
// outside, to `lgw config check` and to what `lgw run` runs after loading
// (the decoded configuration, unchecked, handed to the agent on the sim
// board): both accept the one and both refuse the other, naming the key.
func TestConfigCheckAndRunAgree(t *testing.T) {
	tests := []struct {
		key, in, out string
	}{
		{"scheduler.capacity", "1", "0"},
		{"scheduler.capacity", "1048576", "1048577"},
		{"scheduler.min_lead", `"5ms"`, `"4ms"`},
		// handoff_lead (default 80ms) may not be below min_lead: raising
		// min_lead past it takes handoff_lead along.
		{"scheduler.min_lead", "\"1s\"\nhandoff_lead = \"1s\"", `"5s"`},
		{"scheduler.handoff_lead", `"10ms"`, `"9ms"`},
		{"scheduler.handoff_lead", `"1s"`, `"1001ms"`},
		{"scheduler.max_advance", `"1s"`, `"999ms"`},
		{"scheduler.max_advance", `"24h"`, `"48h"`},
		{"scheduler.holdover", `"1s"`, `"0s"`},
		{"scheduler.holdover", `"1h"`, `"61m"`},
		{"scheduler.power_policy", `"clamp"`, `"max"`},
		{"mqtt.keepalive", `"1s"`, `"0s"`},
		{"mqtt.keepalive", `"30m"`, `"31m"`},
		{"mqtt.stats_interval", `"1s"`, `"999ms"`},
		{"mqtt.buffer_size", "1", "0"},
		{"mqtt.buffer_size", "1000000", "1000001"},
		{"mqtt.topic_prefix", `"site-1"`, `"a/#"`},
		{"multicast.tx_power", "36", "37"},
		{"multicast.tx_power", "0", "-1"},
		{"multicast.max_start_ahead", `"31m"`, `"30m"`},
		{"multicast.late_retries", "10", "11"},
		{"multicast.late_retries", "0", "-1"},
		{"concentrator.spi_speed", "100000", "99999"},
		{"concentrator.spi_speed", "2000000", "10000000"},
		{"gateway.latitude", "90.0", "90.5"},
	}
	for _, tc := range tests {
		for _, v := range []string{tc.in, tc.out} {
			accept := v == tc.in
			t.Run(fmt.Sprintf("%s=%s", tc.key, v), func(t *testing.T) {
				section, key, _ := strings.Cut(tc.key, ".")
				text := fmt.Sprintf("[%s]\n%s = %s\n", section, key, v)
				checkOut := configCheck(t, text)
				runErr := runOnce(t, text)
				if accept && (checkOut != "" || runErr != nil) {
					t.Fatalf("refused: check %q, run %v", checkOut, runErr)
				}
				if !accept {
					if !strings.Contains(checkOut, tc.key) {
						t.Fatalf("config check: %q, want an error on %s", checkOut, tc.key)
					}
					if runErr == nil || !strings.Contains(runErr.Error(), tc.key) {
						t.Fatalf("run: %v, want an error on %s", runErr, tc.key)
					}
				}
			})
		}
	}
}

// configCheck runs `lgw config check` on text; "" means ok, else stderr.
func configCheck(t *testing.T, text string) string {
	path := filepath.Join(t.TempDir(), "lgw.toml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := cmdConfig([]string{"check", path}, &out, &errb); code != 0 {
		if errb.Len() == 0 {
			return fmt.Sprintf("exit %d", code)
		}
		return errb.String()
	}
	return ""
}

// runOnce starts the agent on the decoded (unchecked) configuration with
// the sim board and stops it; nil means it ran.
func runOnce(t *testing.T, text string) error {
	cfg, err := config.Decode(text)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg.Storage.Dir, cfg.Control.Socket = dir, filepath.Join(dir, "lgw.sock")
	a, err := agent.New(cfg, agent.Options{Clock: clock.NewVirtual(time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC))})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	select {
	case err := <-done:
		return err
	case <-a.Ready():
		cancel()
		return <-done
	}
}
