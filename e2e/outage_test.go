package e2e

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	osexec "os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestReportsSurviveOutageAndSIGKILL stops the broker for longer than
// lgw's memory buffer holds while a class C session sends, kills lgw with
// SIGKILL while the broker is still down, starts both again, and checks
// that every accepted MessageId got exactly one report.
func TestReportsSurviveOutageAndSIGKILL(t *testing.T) {
	needMosquitto(t)
	dir := t.TempDir()
	m := startPersistentMosquitto(t, dir)
	const gw = "00000000e2e00001"
	cfg := writeConfig(t, dir, m.port)
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// A memory buffer of 5 events: uplinks and stats alone overflow it.
	b = []byte(strings.Replace(string(b), "[mqtt]\n", "[mqtt]\nbuffer_size = 5\n", 1))
	if err := os.WriteFile(cfg, b, 0o600); err != nil {
		t.Fatal(err)
	}
	s1 := persistentSub(t, m.port, "lgw/"+gw+"/#")
	d := startDaemon(t, dir, cfg)
	s1.waitFor(t, "/state", 1, 15*time.Second)
	cmd := func(op, id, body string, n int) map[string]any {
		t.Helper()
		return command(t, m.port, gw, s1, op, id, body, n)
	}
	cmd("CreateMulticastGroup", "c1", `{"RequestId":"c1","Id":"out","LoRaWAN":{"RfRegion":"EU868","DlClass":"ClassC","McAddr":"0a0b0c0d","McNwkSKey":"2b7e151628aed2a6abf7158809cf4f3c","McAppSKey":"3c4fcf098815f7aba6d2ae2816157e2b"}}`, 1)
	startAt := time.Now().UTC().Truncate(time.Second).Add(8 * time.Second)
	cmd("StartMulticastGroupSession", "s1", `{"RequestId":"s1","Id":"out","LoRaWAN":{"DlDr":5,"SessionStartTime":"`+startAt.Format(time.RFC3339)+`","SessionTimeout":300}}`, 1)
	const n = 20
	ids := map[string]int{}
	for i := 0; i < n; i++ {
		body := fmt.Sprintf(`{"RequestId":"d%d","Id":"out","PayloadData":"%s","WirelessMetadata":{"LoRaWAN":{"FPort":3}}}`,
			i, base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("outage %d", i))))
		rsp := cmd("SendDataToMulticastGroup", fmt.Sprintf("d%d", i), body, i+1)
		id, _ := get(rsp, "Result", "MessageId").(string)
		if id == "" {
			t.Fatalf("no MessageId in %v", rsp)
		}
		ids[id] = 0
	}
	if time.Now().After(startAt) {
		t.Fatal("the session started before the broker went down: the host is too slow for this test's timing")
	}
	// The broker goes down before the session starts.
	s1.stop()
	m.terminate()
	// Every message goes out while the broker is down.
	waitSessionDrained(t, d.socket, time.Until(startAt)+60*time.Second)
	// More uplinks and stats arrive than the memory buffer holds.
	time.Sleep(2 * time.Second)
	if err := d.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = d.cmd.Wait()
	m.start()
	s2 := persistentSub(t, m.port, "lgw/"+gw+"/#")
	startDaemon(t, dir, cfg)
	reports := s2.waitFor(t, "/down", n, 60*time.Second)
	time.Sleep(2 * time.Second) // any duplicate would arrive by now
	s2.mu.Lock()
	var all []string
	for _, l := range s2.lines {
		if topic, payload, _ := strings.Cut(l, " "); strings.HasSuffix(topic, "/down") {
			all = append(all, payload)
		}
	}
	s2.mu.Unlock()
	if len(all) < len(reports) {
		all = reports
	}
	for _, r := range all {
		rep := decode(t, r)
		id, _ := get(rep, "meta", "packet_id").(string)
		if _, ok := ids[id]; !ok {
			t.Errorf("report for an unknown message: %s", r)
			continue
		}
		ids[id]++
	}
	for id, c := range ids {
		if c != 1 {
			t.Errorf("message %s: %d reports, want exactly 1", id, c)
		}
	}
}

// waitSessionDrained polls `lgw sessions --json` until the session has no
// message queued: every message ended (sent, or refused on a host too
// loaded to meet the timing; either way one report).
func waitSessionDrained(t *testing.T, socket string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		out, err := osexec.Command(lgwBin, "sessions", "--socket", socket, "--json").Output()
		var ss []map[string]any
		if err == nil && json.Unmarshal(out, &ss) == nil && len(ss) == 1 {
			queued, ok := ss[0]["queued"].(float64)
			if ok && queued == 0 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("session not drained within %v: %s %v", within, out, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
