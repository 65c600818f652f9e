package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/lgwagent/lgw/control"
	"github.com/lgwagent/lgw/control/controltest"
)

func runCtl(t *testing.T, name string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = cmdCtl(name, args, &o, &e)
	return code, o.String(), e.String()
}

func TestCtlHumanOutput(t *testing.T) {
	agent := controltest.Sample()
	_, sock := controltest.Serve(t, agent)
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"status", nil, []string{
			"daemon        lgw 1.2.3, up 26h3m0s (since 2026-11-20T08:00:00Z)",
			"gateway       0016c001ff10a235 EU868",
			"concentrator  running, board rak2287",
			"chip          SX1302 EUI 0016c001ff10a235, counter 3735928559",
			"firmware      agc 6 arb 2 mcu 1",
			"temperature   41.5 °C",
			"time ref      GPS locked, time reference valid, 9 satellites, last PPS 2026-11-21T09:59:59Z",
			"mqtt          connected to ssl://broker.example.net:8883, 0 buffered",
			"queue         2 scheduled",
			"last rx       2026-11-21T09:59:57Z",
			"log level     info"}},
		{"queue", nil, []string{
			"IN     TRIGGER  TMST        FREQ     DATR       POWER  SIZE  CLASS   ORIGIN             REF",
			"1.5s   gps      3737428559  869.525  SF9BW125   27     17    beacon  beacon             b-1447000128",
			"2.25s  tmst     3738178559  869.525  SF12BW125  14     51    C       multicast:fuota-1  mc-7f3a"}},
		{"groups", nil, []string{
			"ID             MCADDR    CLASS   REGION  KEYS  NEXT FCNT  STATUS",
			"fuota-1        01ab23cd  ClassC  EU868   yes   12         Active",
			"street-lights  01ab23ce  ClassB  EU868   yes   0          NoSession"}},
		{"sessions", nil, []string{
			"GROUP    CLASS   STATE   START                 END                   TIMEOUT  DR  FREQ     PING  QUEUED  SENT",
			"fuota-1  ClassC  Active  2026-11-21T09:50:00Z  2026-11-21T11:58:00Z  2h8m0s   0   869.525  -     1       11"}},
		{"stats", nil, []string{
			"rx        15234 received, 14890 CRC ok, 331 bad CRC, 13 no CRC, 0 dropped",
			"tx        412 requested, 398 sent",
			"not sent  COLLISION_PACKET 3, DUTY_CYCLE 2, TOO_LATE 9",
			"beacons   730 sent",
			"mqtt      16102 published, 0 dropped, 1 reconnects"}},
		{"log-level", []string{"debug"}, []string{"log level set to debug"}},
		{"tx", []string{"--freq", "869.525", "--datr", "sf9bw125", "--power", "14", "--payload", "cafe"},
			[]string{"SENT tmst 1000000  869.525 MHz SF9BW125 14 dBm 2 B chain 0 airtime 0s (ref cli-1)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCtl(t, tt.name, append([]string{"--socket", sock}, tt.args...)...)
			if code != 0 || errOut != "" {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w+"\n") {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
	if agent.Level != "debug" {
		t.Errorf("agent level %q after log-level debug", agent.Level)
	}
}

func TestCtlJSONOutput(t *testing.T) {
	agent := controltest.Sample()
	_, sock := controltest.Serve(t, agent)
	check := func(name string, args []string, got, want any) {
		t.Helper()
		code, out, errOut := runCtl(t, name, append([]string{"--socket", sock, "--json"}, args...)...)
		if code != 0 || errOut != "" {
			t.Fatalf("%s: exit %d, stderr %q", name, code, errOut)
		}
		if err := json.Unmarshal([]byte(out), got); err != nil {
			t.Fatalf("%s: not JSON: %v\n%s", name, err, out)
		}
		if !reflect.DeepEqual(reflect.ValueOf(got).Elem().Interface(), want) {
			t.Errorf("%s: got %+v, want %+v", name, got, want)
		}
	}
	check("status", nil, new(control.Status), agent.StatusV)
	check("queue", nil, new([]control.QueueItem), agent.QueueV)
	check("groups", nil, new([]control.Group), agent.GroupsV)
	check("sessions", nil, new([]control.Session), agent.SessionsV)
	check("stats", nil, new(control.Stats), agent.StatsV)
	check("log-level", []string{"warn"}, new(control.LogLevelArgs), control.LogLevelArgs{Level: "warn"})
	// Flags after the positional argument.
	if code, out, _ := runCtl(t, "log-level", "--socket", sock, "error", "--json"); code != 0 || !strings.Contains(out, `"level": "error"`) {
		t.Errorf("log-level error --json: exit %d, %q", code, out)
	}
	check("tx", []string{"--freq", "868100000", "--datr", "SF7BW125", "--size", "4", "--at", "tmst:5000"},
		new(control.TxResult), control.TxResult{Ref: "cli-1", Code: "SENT", Tmst: 1000000, Freq: 868100000,
			Datr: "SF7BW125", Power: 14, Size: 4})
	want := control.TxRequest{Freq: 868100000, Datr: "SF7BW125", Power: 14, Payload: []byte{0, 1, 2, 3},
		At: control.At{Mode: control.AtCount, Count: 5000}}
	if got := agent.TxRequests[len(agent.TxRequests)-1]; !reflect.DeepEqual(got, want) {
		t.Errorf("tx request %+v, want %+v", got, want)
	}
}

func TestCtlEmptyLists(t *testing.T) {
	_, sock := controltest.Serve(t, &controltest.Agent{})
	for name, want := range map[string]string{"queue": "no scheduled transmissions\n",
		"groups": "no multicast groups\n", "sessions": "no multicast sessions\n"} {
		if code, out, _ := runCtl(t, name, "--socket", sock); code != 0 || out != want {
			t.Errorf("%s: exit %d, %q, want %q", name, code, out, want)
		}
		if code, out, _ := runCtl(t, name, "--socket", sock, "--json"); code != 0 || out != "[]\n" {
			t.Errorf("%s --json: exit %d, %q, want []", name, code, out)
		}
	}
}

func TestCtlTxRefused(t *testing.T) {
	agent := controltest.Sample()
	agent.Tx = func(_ context.Context, req control.TxRequest) (control.TxResult, error) {
		return control.TxResult{Ref: "cli-2", Code: "TOO_LATE", Detail: "starts in 4ms, minimum lead 10ms"}, nil
	}
	_, sock := controltest.Serve(t, agent)
	args := []string{"--socket", sock, "--freq", "868.1", "--datr", "SF7BW125", "--payload", "00", "--at", "+1ms"}
	code, out, _ := runCtl(t, "tx", args...)
	if code != 1 || out != "TOO_LATE: starts in 4ms, minimum lead 10ms (ref cli-2)\n" {
		t.Errorf("exit %d, %q", code, out)
	}
	code, out, _ = runCtl(t, "tx", append(args, "--json")...)
	var r control.TxResult
	if code != 1 || json.Unmarshal([]byte(out), &r) != nil || r.Code != "TOO_LATE" {
		t.Errorf("--json: exit %d, %q", code, out)
	}
	if got := agent.TxRequests[0].At; got.Mode != control.AtDelay || got.String() != "+1ms" {
		t.Errorf("at = %+v", got)
	}
}

func TestCtlTail(t *testing.T) {
	for _, asJSON := range []bool{false, true} {
		agent := controltest.Sample()
		_, sock := controltest.Serve(t, agent)
		subscribed := agent.NextSubscribe()
		args := []string{"--socket", sock, "--count", "2"}
		if asJSON {
			args = append(args, "--json")
		}
		type result struct {
			code     int
			out, err string
		}
		done := make(chan result, 1)
		go func() {
			var o, e bytes.Buffer
			c := cmdCtl("tail", args, &o, &e)
			done <- result{c, o.String(), e.String()}
		}()
		<-subscribed
		agent.Publish(controltest.SampleUplink())
		agent.Publish(controltest.SampleReport())
		r := <-done
		if r.code != 0 || r.err != "" {
			t.Fatalf("json=%v: exit %d, stderr %q", asJSON, r.code, r.err)
		}
		if !asJSON {
			want := "10:00:00.000  uplink  868.100 SF7BW125 rssi -57 snr 9.5 23B\n" +
				"10:00:00.250  report  mc-7f3a SENT tmst 3738178559\n"
			if r.out != want {
				t.Errorf("tail:\n%s\nwant:\n%s", r.out, want)
			}
			continue
		}
		lines := strings.Split(strings.TrimSpace(r.out), "\n")
		want := []control.Event{controltest.SampleUplink(), controltest.SampleReport()}
		if len(lines) != 2 {
			t.Fatalf("tail --json: %d lines:\n%s", len(lines), r.out)
		}
		for i, l := range lines {
			var ev control.Event
			if err := json.Unmarshal([]byte(l), &ev); err != nil || !reflect.DeepEqual(ev, want[i]) {
				t.Errorf("line %d: %s (%v), want %+v", i, l, err, want[i])
			}
		}
	}
}

func TestCtlTailDaemonStops(t *testing.T) {
	agent := controltest.Sample()
	_, sock := controltest.Serve(t, agent)
	subscribed := agent.NextSubscribe()
	done := make(chan int, 1)
	var e bytes.Buffer
	go func() { done <- cmdCtl("tail", []string{"--socket", sock}, &bytes.Buffer{}, &e) }()
	<-subscribed
	agent.CloseSubscriptions()
	if code := <-done; code != 1 || !strings.Contains(e.String(), "closed the stream") {
		t.Errorf("exit %d, stderr %q", code, e.String())
	}
}

func TestCtlDaemonNotRunning(t *testing.T) {
	sock := controltest.SocketPath(t)
	for _, c := range ctlCommands {
		args := []string{"--socket", sock}
		switch c.name {
		case "log-level":
			args = append(args, "info")
		case "tx":
			args = append(args, "--freq", "868.1", "--datr", "SF7BW125", "--size", "1")
		}
		code, out, errOut := runCtl(t, c.name, args...)
		want := "lgw daemon is not running (no socket at " + sock + "): start it with systemctl start lgw\n"
		if code != 1 || out != "" || errOut != want {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", c.name, code, out, errOut)
		}
	}
	if daemonRunning(sock) {
		t.Error("daemonRunning without a daemon")
	}
	_, live := controltest.Serve(t, controltest.Sample())
	if !daemonRunning(live) {
		t.Error("daemonRunning with a daemon = false")
	}
}

func TestCtlSocketFromConfig(t *testing.T) {
	_, sock := controltest.Serve(t, controltest.Sample())
	cfg := filepath.Join(t.TempDir(), "lgw.toml")
	if err := os.WriteFile(cfg, []byte("[control]\nsocket = \""+sock+"\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runCtl(t, "queue", "--config", cfg); code != 0 || !strings.Contains(out, "mc-7f3a") {
		t.Errorf("exit %d, %q, %q", code, out, errOut)
	}
	bad := filepath.Join(t.TempDir(), "bad.toml")
	os.WriteFile(bad, []byte("[control]\nsockett = \"x\"\n"), 0o600)
	if code, _, errOut := runCtl(t, "queue", "--config", bad); code != 1 || !strings.Contains(errOut, "sockett") {
		t.Errorf("bad config: exit %d, %q", code, errOut)
	}
}

func TestCtlErrorsAndUsage(t *testing.T) {
	agent := controltest.Sample()
	_, sock := controltest.Serve(t, agent)
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"log-level", []string{"loud"}, 1, "ValidationException: level"},
		{"log-level", nil, 2, "exactly one LEVEL"},
		{"status", []string{"extra"}, 2, "unexpected arguments"},
		{"status", []string{"--bogus"}, 2, "flag provided but not defined"},
		{"tx", []string{"--datr", "SF7BW125", "--size", "1"}, 2, "--freq: missing"},
		{"tx", []string{"--freq", "abc", "--datr", "SF7BW125", "--size", "1"}, 2, `--freq "abc"`},
		{"tx", []string{"--freq", "868.1", "--size", "1"}, 2, "--datr: missing"},
		{"tx", []string{"--freq", "868.1", "--datr", "SF7BW125"}, 2, "--payload or --size: missing"},
		{"tx", []string{"--freq", "868.1", "--datr", "SF7BW125", "--size", "1", "--payload", "00"}, 2, "not both"},
		{"tx", []string{"--freq", "868.1", "--datr", "SF7BW125", "--size", "256"}, 2, "--size 256"},
		{"tx", []string{"--freq", "868.1", "--datr", "SF7BW125", "--payload", "0g"}, 2, "--payload: want hex"},
		{"tx", []string{"--freq", "868.1", "--datr", "SF7BW125", "--size", "1", "--at", "later"}, 2, "--at"},
		{"tail", []string{"--count", "-1"}, 2, "--count"},
		{"reboot", nil, 2, `unknown command "reboot"`},
	}
	for _, tt := range tests {
		code, _, errOut := runCtl(t, tt.name, append([]string{"--socket", sock}, tt.args...)...)
		if code != tt.wantCode || !strings.Contains(errOut, tt.wantErr) {
			t.Errorf("%s %v: exit %d, stderr %q; want %d with %q", tt.name, tt.args, code, errOut, tt.wantCode, tt.wantErr)
		}
	}
	if code, _, _ := runCtl(t, "status", "-h"); code != 0 {
		t.Errorf("-h exit %d", code)
	}
}

func TestParseFreq(t *testing.T) {
	for in, want := range map[string]uint32{"868.1": 868100000, "869.525": 869525000, "868100000": 868100000,
		"923.3": 923300000} {
		if got, err := parseFreq(in); err != nil || got != want {
			t.Errorf("parseFreq(%q) = %d, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "0", "-868.1", "x", "5000000000", "NaN"} {
		if _, err := parseFreq(in); err == nil {
			t.Errorf("parseFreq(%q) accepted", in)
		}
	}
}
