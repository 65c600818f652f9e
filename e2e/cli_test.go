package e2e

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// TestCLIAgainstRunningDaemon starts `lgw run` on the simulator and runs
// every field command against it, in both output forms.
func TestCLIAgainstRunningDaemon(t *testing.T) {
	dir := t.TempDir()
	// No broker: the daemon keeps retrying MQTT, and the CLI still works.
	d := startDaemon(t, dir, writeConfig(t, dir, freePort(t)))
	lgw := func(args ...string) (string, string, int) {
		t.Helper()
		cmd := exec.Command(lgwBin, args...)
		var out, errb strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return out.String(), errb.String(), code
	}
	sock := []string{"--socket", d.socket}
	tests := []struct {
		cmd   []string
		human []string // substrings of the table form
		json  func(t *testing.T, v any)
	}{
		{[]string{"status"}, []string{"00000000e2e00001", "sim", "EU868"}, func(t *testing.T, v any) {
			m := v.(map[string]any)
			if m["gateway_id"] != "00000000e2e00001" || get(m, "concentrator", "state") != "running" {
				t.Errorf("status %v", m)
			}
		}},
		{[]string{"queue"}, nil, func(t *testing.T, v any) {
			if _, ok := v.([]any); !ok {
				t.Errorf("queue is not a list: %v", v)
			}
		}},
		{[]string{"groups"}, nil, func(t *testing.T, v any) {
			if l, ok := v.([]any); !ok || len(l) != 0 {
				t.Errorf("groups %v", v)
			}
		}},
		{[]string{"sessions"}, nil, func(t *testing.T, v any) {
			if _, ok := v.([]any); !ok {
				t.Errorf("sessions %v", v)
			}
		}},
		{[]string{"stats"}, []string{"rx"}, func(t *testing.T, v any) {
			if _, ok := v.(map[string]any)["rx_received"]; !ok {
				t.Errorf("stats %v", v)
			}
		}},
		{[]string{"log-level", "debug"}, nil, nil},
		{[]string{"status"}, nil, func(t *testing.T, v any) {
			if lvl := v.(map[string]any)["log_level"]; lvl != "debug" {
				t.Errorf("log level after lgw log-level debug: %v", lvl)
			}
		}},
		{[]string{"tx", "--freq", "869.525", "--datr", "SF9BW125", "--power", "14", "--size", "10"}, []string{"SENT"}, func(t *testing.T, v any) {
			m := v.(map[string]any)
			if m["code"] != "SENT" || m["freq"] != 869525000.0 {
				t.Errorf("tx %v", m)
			}
		}},
		{[]string{"tail", "--count", "1"}, []string{"uplink"}, func(t *testing.T, v any) {
			if m, ok := v.(map[string]any); !ok || m["kind"] == nil {
				t.Errorf("tail event %v", v)
			}
		}},
	}
	for _, tc := range tests {
		name := strings.Join(tc.cmd, " ")
		out, errs, code := lgw(append(append([]string{}, tc.cmd...), sock...)...)
		if code != 0 {
			t.Fatalf("lgw %s: exit %d: %s %s", name, code, out, errs)
		}
		for _, want := range tc.human {
			if !strings.Contains(out, want) {
				t.Errorf("lgw %s: table output lacks %q:\n%s", name, want, out)
			}
		}
		if tc.json == nil {
			continue
		}
		out, errs, code = lgw(append(append([]string{}, tc.cmd...), append(sock, "--json")...)...)
		if code != 0 {
			t.Fatalf("lgw %s --json: exit %d: %s %s", name, code, out, errs)
		}
		// tail prints one JSON object a line.
		first := strings.TrimSpace(out)
		if tc.cmd[0] == "tail" {
			first, _, _ = strings.Cut(first, "\n")
		}
		var v any
		if err := json.Unmarshal([]byte(first), &v); err != nil {
			t.Fatalf("lgw %s --json: not JSON: %v\n%s", name, err, out)
		}
		tc.json(t, v)
	}
	// A refused test transmission exits 1 and names the code.
	out, _, code := lgw(append([]string{"tx", "--freq", "2400", "--datr", "SF9BW125", "--size", "5"}, sock...)...)
	if code != 1 || !strings.Contains(out, "TX_FREQ") {
		t.Errorf("tx out of range: exit %d, %s", code, out)
	}
	d.stop(t)
	// With the daemon gone the commands say so.
	_, errs, code := lgw(append([]string{"status"}, sock...)...)
	if code != 1 || !strings.Contains(errs, "not running") {
		t.Errorf("status without daemon: exit %d, %q", code, errs)
	}
}
