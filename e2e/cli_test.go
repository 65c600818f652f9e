package e2e

import (
	"encoding/json"
	"os/exec"
	"regexp"
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
		// No broker: down since the start, and why.
		{[]string{"status"}, []string{"00000000e2e00001", "sim", "EU868", "NOT connected to tcp://127.0.0.1:", ", last error: "}, func(t *testing.T, v any) {
			m := v.(map[string]any)
			if m["gateway_id"] != "00000000e2e00001" || get(m, "concentrator", "state") != "running" {
				t.Errorf("status %v", m)
			}
			if since, _ := get(m, "mqtt", "since").(string); since == "" || strings.HasPrefix(since, "0001") || get(m, "mqtt", "last_error") == nil {
				t.Errorf("mqtt status %v: want since and last_error", m["mqtt"])
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
			} else if ts, _ := m["time"].(string); !strings.HasPrefix(ts, "20") {
				t.Errorf("tail event time %q, want the event's time", ts)
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
	// A refused test transmission exits 1 and names the code, once.
	out, _, code := lgw(append([]string{"tx", "--freq", "2400", "--datr", "SF9BW125", "--size", "5"}, sock...)...)
	if code != 1 || !strings.HasPrefix(out, "TX_FREQ: ") || strings.Count(out, "TX_FREQ") != 1 {
		t.Errorf("tx out of range: exit %d, %q", code, out)
	}
	// A daemon-side error names its type once.
	_, errs, code := lgw(append([]string{"log-level", "loud"}, sock...)...)
	if want := "lgw log-level: ValidationException: Level: "; code != 1 || !strings.HasPrefix(errs, want) ||
		strings.Count(errs, "ValidationException") != 1 {
		t.Errorf("log-level loud: exit %d, %q, want %q...", code, errs, want)
	}
	checkDaemonLog(t, d)
	d.stop(t)
	// With the daemon gone the commands say so.
	_, errs, code = lgw(append([]string{"status"}, sock...)...)
	if code != 1 || !strings.Contains(errs, "not running") {
		t.Errorf("status without daemon: exit %d, %q", code, errs)
	}
}

// checkDaemonLog checks the daemon's log off the journal: a timestamp on
// every line, no sd-daemon prefix, the control socket announced once,
// the MQTT retry delay with its unit.
func checkDaemonLog(t *testing.T, d *daemon) {
	t.Helper()
	d.mu.Lock()
	log := d.log.String()
	d.mu.Unlock()
	stamp := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}`)
	for _, l := range strings.Split(strings.TrimSpace(log), "\n") {
		if !stamp.MatchString(l) || strings.HasPrefix(l, "<") {
			t.Errorf("log line without a timestamp or with a prefix: %q", l)
			break
		}
	}
	if n := strings.Count(log, "control socket listening"); n != 1 {
		t.Errorf("control socket listening logged %d times", n)
	}
	if !regexp.MustCompile(`"retry_in": "\d+(\.\d+)?(ms|s)"`).MatchString(log) {
		t.Errorf("no MQTT retry with a unit in the log:\n%s", log)
	}
}
