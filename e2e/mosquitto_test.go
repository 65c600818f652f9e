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

// TestMosquittoMulticastSession drives the real lgw through Mosquitto with
// mosquitto_pub and mosquitto_sub: create a class C group, start a
// session, send data, read the seed-format reports; the broker is stopped
// and started again mid-session, and no report is lost and the command
// subscription comes back.
func TestMosquittoMulticastSession(t *testing.T) {
	needMosquitto(t)
	dir := t.TempDir()
	m := startPersistentMosquitto(t, dir)

	const gw = "00000000e2e00001"
	s1 := persistentSub(t, m.port, "lgw/"+gw+"/#")
	d := startDaemon(t, dir, writeConfig(t, dir, m.port))

	state := s1.waitFor(t, "/state", 1, 15*time.Second)
	if st := decode(t, state[0]); st["online"] != true || st["gateway"] != gw {
		t.Fatalf("state %s", state[0])
	}
	cmd := func(s *sub, op, id string, body string, n int) map[string]any {
		t.Helper()
		return command(t, m.port, gw, s, op, id, body, n)
	}
	cmd(s1, "CreateMulticastGroup", "c1", `{"RequestId":"c1","Id":"e2e-c","LoRaWAN":{"RfRegion":"EU868","DlClass":"ClassC","McAddr":"01020304","McNwkSKey":"2b7e151628aed2a6abf7158809cf4f3c","McAppSKey":"3c4fcf098815f7aba6d2ae2816157e2b"}}`, 1)
	start := time.Now().UTC().Truncate(time.Second).Add(4 * time.Second).Format(time.RFC3339)
	cmd(s1, "StartMulticastGroupSession", "s1", `{"RequestId":"s1","Id":"e2e-c","LoRaWAN":{"SessionStartTime":"`+start+`","SessionTimeout":60}}`, 1)
	send := func(s *sub, i, n int) string {
		body := fmt.Sprintf(`{"RequestId":"d%d","Id":"e2e-c","PayloadData":"%s","WirelessMetadata":{"LoRaWAN":{"FPort":10}}}`,
			i, base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("msg %d", i))))
		rsp := cmd(s, "SendDataToMulticastGroup", fmt.Sprintf("d%d", i), body, n)
		id, _ := get(rsp, "Result", "MessageId").(string)
		if id == "" {
			t.Fatalf("no MessageId in %v", rsp)
		}
		return id
	}
	ids := map[string]bool{}
	for i := 0; i < 4; i++ {
		ids[send(s1, i, i+1)] = true
	}
	// Wait for the first report, then take the broker down for a few
	// seconds while the session keeps sending.
	s1.waitFor(t, "/down", 1, 30*time.Second)
	checkGroupsAndSessions(t, d.socket)
	s1.stop()
	m.terminate()
	time.Sleep(3 * time.Second)
	m.start()
	s2 := persistentSub(t, m.port, "lgw/"+gw+"/#")
	// lgw uses a clean session: commands reach it once it is subscribed
	// again, which `lgw status` shows.
	waitMQTTConnected(t, d.socket, 40*time.Second)
	// The command subscription is back: a fifth message goes through.
	ids[send(s2, 4, 1)] = true

	s1.mu.Lock()
	var reports []string
	for _, l := range s1.lines {
		if topic, payload, _ := strings.Cut(l, " "); strings.HasSuffix(topic, "/down") {
			reports = append(reports, payload)
		}
	}
	s1.mu.Unlock()
	reports = append(reports, s2.waitFor(t, "/down", 5-len(reports), 40*time.Second)...)
	fcnts := map[float64]bool{}
	for _, r := range reports {
		rep := decode(t, r)
		if rep["type"] != "downlink" {
			t.Fatalf("report %s", r)
		}
		id, _ := get(rep, "meta", "packet_id").(string)
		if !ids[id] {
			t.Fatalf("report for unknown or repeated message %q: %s", id, r)
		}
		delete(ids, id)
		fc, _ := get(rep, "params", "counter_down").(float64)
		if fcnts[fc] {
			t.Fatalf("FCnt %v reported twice", fc)
		}
		fcnts[fc] = true
		if get(rep, "meta", "gateway") != gw || get(rep, "meta", "multicast_group") != "e2e-c" ||
			get(rep, "meta", "device_addr") != "01020304" || get(rep, "params", "radio", "freq") != 869.525 ||
			get(rep, "params", "radio", "datr") != "SF12BW125" || get(rep, "params", "radio", "modulation", "type") != "LORA" ||
			get(rep, "params", "port") != 10.0 {
			t.Fatalf("report fields: %s", r)
		}
		if tmst, _ := get(rep, "params", "radio", "hardware", "tmst").(float64); tmst <= 0 {
			t.Fatalf("no tmst: %s", r)
		}
		if h, _ := get(rep, "meta", "packet_hash").(string); len(h) != 32 {
			t.Fatalf("packet_hash %q", h)
		}
	}
	if len(ids) != 0 || len(fcnts) != 5 {
		t.Fatalf("missing reports for %v (FCnts %v)", ids, fcnts)
	}
	d.stop(t)
	// A clean stop leaves the retained state offline.
	s3 := subscribe(t, m.port, "lgw/"+gw+"/state")
	if st := decode(t, s3.waitFor(t, "/state", 1, 10*time.Second)[0]); st["online"] != false {
		t.Fatalf("state after stop: %v", st)
	}
}

// command publishes an operation and returns its successful response,
// found among the first n responses to op that s saw.
func command(t *testing.T, port int, gw string, s *sub, op, id, body string, n int) map[string]any {
	t.Helper()
	pub(t, port, "lgw/"+gw+"/cmd/"+op, body)
	for _, r := range s.waitFor(t, "/rsp/"+op, n, 15*time.Second) {
		if rsp := decode(t, r); rsp["RequestId"] == id {
			if rsp["Error"] != nil {
				t.Fatalf("%s: %s", op, r)
			}
			return rsp
		}
	}
	t.Fatalf("%s: no response %s", op, id)
	return nil
}

// terminate stops the broker cleanly (SIGTERM: it saves its sessions).
func (m *mosquitto) terminate() {
	m.t.Helper()
	if err := m.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		m.t.Fatal(err)
	}
	_, _ = m.cmd.Process.Wait()
	m.cmd = nil
}

// startPersistentMosquitto starts a broker that keeps sessions across a
// restart (SIGTERM then start), so the test's subscriber sees what lgw
// delivers while it reconnects.
func startPersistentMosquitto(t *testing.T, dir string) *mosquitto {
	t.Helper()
	m := startMosquitto(t, dir)
	// "user root": Debian's mosquitto started as root switches to the
	// mosquitto user, which cannot write the test's private directory, and
	// the sessions are then lost at the restart ("Error saving in-memory
	// database ... Permission denied"): what lgw delivers before the test's
	// subscriber is back is dropped by the broker. Ignored when not root.
	conf := fmt.Sprintf("listener %d 127.0.0.1\nallow_anonymous true\nuser root\npersistence true\npersistence_location %s/\nlog_dest stderr\nlog_type all\n", m.port, dir)
	if err := os.WriteFile(m.conf, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	m.kill()
	m.start()
	return m
}

// persistentSub subscribes with a fixed client id and a persistent session.
func persistentSub(t *testing.T, port int, filter string) *sub {
	t.Helper()
	s := &sub{done: make(chan struct{})}
	s.cmd = osexec.Command("mosquitto_sub", "-h", "127.0.0.1", "-p", fmt.Sprint(port), "-q", "1", "-v", "-c", "-i", "lgw-e2e-ns", "-t", filter)
	startSub(t, s)
	// mosquitto_sub gives no sign that it subscribed: give it a moment.
	time.Sleep(300 * time.Millisecond)
	return s
}

// waitMQTTConnected polls `lgw status --json` until the daemon's MQTT link
// is up.
func waitMQTTConnected(t *testing.T, socket string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		out, err := osexec.Command(lgwBin, "status", "--socket", socket, "--json").Output()
		if err == nil {
			var st struct {
				MQTT struct {
					Connected bool `json:"connected"`
				} `json:"mqtt"`
			}
			if json.Unmarshal(out, &st) == nil && st.MQTT.Connected {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("lgw did not reconnect to the broker within %v (last status: %s %v)", within, out, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// checkGroupsAndSessions reads the live session through the field CLI.
func checkGroupsAndSessions(t *testing.T, socket string) {
	t.Helper()
	out, err := osexec.Command(lgwBin, "groups", "--socket", socket, "--json").Output()
	if err != nil {
		t.Fatalf("lgw groups: %v", err)
	}
	if strings.Contains(string(out), "2b7e1516") || strings.Contains(string(out), "3c4fcf09") {
		t.Fatalf("lgw groups shows a key: %s", out)
	}
	var groups []map[string]any
	if err := json.Unmarshal(out, &groups); err != nil || len(groups) != 1 || groups[0]["id"] != "e2e-c" ||
		groups[0]["has_keys"] != true || groups[0]["status"] != "Active" {
		t.Fatalf("lgw groups: %v %s", err, out)
	}
	out, err = osexec.Command(lgwBin, "sessions", "--socket", socket, "--json").Output()
	if err != nil {
		t.Fatalf("lgw sessions: %v", err)
	}
	var sessions []map[string]any
	if err := json.Unmarshal(out, &sessions); err != nil || len(sessions) != 1 || sessions[0]["state"] != "Active" ||
		sessions[0]["sent"].(float64) < 1 || sessions[0]["freq"] != 869525000.0 {
		t.Fatalf("lgw sessions: %v %s", err, out)
	}
	// One of the four messages was reported sent, so at most three wait.
	if q := sessions[0]["queued"].(float64); q > 3 {
		t.Fatalf("lgw sessions: %v queued after a report: %s", q, out)
	}
}
