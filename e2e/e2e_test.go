// Package e2e runs the real lgw binary end to end: against Mosquitto,
// driven with mosquitto_pub and read with mosquitto_sub, and through every
// field CLI command. It has only tests.
package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var lgwBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "lgw-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	lgwBin = filepath.Join(dir, "lgw")
	out, err := exec.Command("go", "build", "-o", lgwBin, "../cmd/lgw").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build lgw: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// mosquitto is a broker process on a fixed port that can be killed and
// started again.
type mosquitto struct {
	t    *testing.T
	port int
	conf string
	cmd  *exec.Cmd
}

func needMosquitto(t *testing.T) {
	t.Helper()
	for _, b := range []string{"mosquitto", "mosquitto_pub", "mosquitto_sub"} {
		if _, err := exec.LookPath(b); err != nil {
			t.Skipf("!!! %s is not installed: the Mosquitto end-to-end test is SKIPPED (apt-get install mosquitto mosquitto-clients; make test does it)", b)
		}
	}
}

func startMosquitto(t *testing.T, dir string) *mosquitto {
	t.Helper()
	m := &mosquitto{t: t, port: freePort(t), conf: filepath.Join(dir, "mosquitto.conf")}
	conf := fmt.Sprintf("listener %d 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\n", m.port)
	if err := os.WriteFile(m.conf, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	m.start()
	t.Cleanup(func() {
		m.kill()
		if t.Failed() {
			b, _ := os.ReadFile(m.conf + ".log")
			t.Logf("mosquitto log:\n%s", b)
		}
	})
	return m
}

func (m *mosquitto) start() {
	m.t.Helper()
	m.cmd = exec.Command("mosquitto", "-c", m.conf)
	if f, err := os.OpenFile(m.conf+".log", os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600); err == nil {
		m.cmd.Stderr = f
	}
	if err := m.cmd.Start(); err != nil {
		m.t.Fatalf("start mosquitto: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", m.port)); err == nil {
			c.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	m.t.Fatalf("mosquitto did not listen on %d", m.port)
}

func (m *mosquitto) kill() {
	if m.cmd != nil && m.cmd.Process != nil {
		_ = m.cmd.Process.Kill()
		_, _ = m.cmd.Process.Wait()
		m.cmd = nil
	}
}

// sub runs mosquitto_sub -v on a filter and collects "topic payload"
// lines.
type sub struct {
	cmd   *exec.Cmd
	mu    sync.Mutex
	lines []string
	done  chan struct{}
}

func subscribe(t *testing.T, port int, filter string) *sub {
	t.Helper()
	s := &sub{done: make(chan struct{})}
	s.cmd = exec.Command("mosquitto_sub", "-h", "127.0.0.1", "-p", fmt.Sprint(port), "-q", "1", "-v", "-t", filter)
	startSub(t, s)
	return s
}

func startSub(t *testing.T, s *sub) {
	t.Helper()
	out, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(s.done)
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			s.mu.Lock()
			s.lines = append(s.lines, sc.Text())
			s.mu.Unlock()
		}
	}()
	t.Cleanup(s.stop)
}

func (s *sub) stop() {
	if s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
		_ = s.cmd.Wait()
	}
}

// waitFor returns the payloads of the lines whose topic ends with suffix,
// once there are n of them.
func (s *sub) waitFor(t *testing.T, suffix string, n int, within time.Duration) []string {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		var got []string
		s.mu.Lock()
		for _, l := range s.lines {
			topic, payload, _ := strings.Cut(l, " ")
			if strings.HasSuffix(topic, suffix) {
				got = append(got, payload)
			}
		}
		s.mu.Unlock()
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("saw %d messages on *%s within %v, want %d", len(got), suffix, within, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func pub(t *testing.T, port int, topic, payload string) {
	t.Helper()
	out, err := exec.Command("mosquitto_pub", "-h", "127.0.0.1", "-p", fmt.Sprint(port), "-q", "1", "-t", topic, "-m", payload).CombinedOutput()
	if err != nil {
		t.Fatalf("mosquitto_pub %s: %v %s", topic, err, out)
	}
}

// daemon is a running `lgw run`.
type daemon struct {
	cmd    *exec.Cmd
	socket string
	log    *bytes.Buffer
	mu     *sync.Mutex
}

func writeConfig(t *testing.T, dir string, mqttPort int) string {
	t.Helper()
	root, _ := filepath.Abs("..")
	cfg := fmt.Sprintf(`[gateway]
id = "00000000e2e00001"
region = "EU868"
latitude = 48.8566
longitude = 2.3522
[concentrator]
board = "sim"
[concentrator.sim]
traffic = %q
gps = true
[scheduler]
beacons = true
[mqtt]
server = "tcp://127.0.0.1:%d"
stats_interval = "5s"
[storage]
dir = %q
[multicast]
min_start_lead = "2s"
[control]
socket = %q
[log]
level = "debug"
`, filepath.Join(root, "examples", "traffic.jsonl"), mqttPort, filepath.Join(dir, "state"), filepath.Join(dir, "lgw.sock"))
	p := filepath.Join(dir, "lgw.toml")
	if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func startDaemon(t *testing.T, dir, cfg string) *daemon {
	t.Helper()
	d := &daemon{socket: filepath.Join(dir, "lgw.sock"), log: &bytes.Buffer{}, mu: &sync.Mutex{}}
	d.cmd = exec.Command(lgwBin, "run", "--config", cfg)
	d.cmd.Stderr = lockedWriter{d.mu, d.log}
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if d.cmd.ProcessState == nil {
			_ = d.cmd.Process.Kill()
			_ = d.cmd.Wait()
		}
		if t.Failed() {
			d.mu.Lock()
			t.Logf("lgw log:\n%s", d.log.String())
			d.mu.Unlock()
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.Dial("unix", d.socket); err == nil {
			c.Close()
			return d
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("lgw did not open its control socket in 20 s")
	return nil
}

// stop sends SIGTERM and waits for a clean exit.
func (d *daemon) stop(t *testing.T) {
	t.Helper()
	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- d.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("lgw exited with %v after SIGTERM", err)
		}
	case <-time.After(15 * time.Second):
		_ = d.cmd.Process.Kill()
		t.Fatal("lgw did not stop after SIGTERM")
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

func decode(t *testing.T, payload string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(payload), &m); err != nil {
		t.Fatalf("not JSON: %v: %s", err, payload)
	}
	return m
}

// get walks a decoded JSON object: get(m, "params", "radio", "freq").
func get(m map[string]any, path ...string) any {
	var v any = m
	for _, p := range path {
		o, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = o[p]
	}
	return v
}
