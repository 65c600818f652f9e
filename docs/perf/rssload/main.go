// Command rssload measures the resident set of `lgw run` with 10,000
// queued downlinks (docs/performance.md, "Memory with 10,000 queued
// downlinks"); docs/perf/rss.sh builds lgw as it ships and runs it.
//
// It starts the repository's in-process test broker, runs `lgw run` on the
// sim board (US915, scheduler.capacity = 10000, mqtt.rate_limit raised so
// no command is throttled, everything else default) and reads the
// daemon's memory at three points: idle (5 s after it came online), right
// after -n SendDownlink commands were accepted and GetGatewayStatus
// reports them all queued, and in the steady state: after the runtime's
// periodic collection (forced every 2 min) that follows the burst, plus
// -settle for the background scavenger to return the freed pages. Each
// point prints VmRSS and where it is: the binary's file mappings, the
// anonymous memory and, from the runtime's own trace (GODEBUG gctrace and
// scavtrace, which only print), the live heap, the heap goal and the heap
// memory the runtime keeps.
//
//	go run ./docs/perf/rssload -lgw bin/lgw
package main

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/lgwagent/lgw/mqtt/broker"
)

func main() {
	lgw := flag.String("lgw", "bin/lgw", "lgw binary to measure")
	n := flag.Int("n", 10000, "downlinks to queue")
	inflight := flag.Int("inflight", 32, "commands in flight at a time")
	ahead := flag.Duration("ahead", 300*time.Second, "how far ahead the first downlink starts")
	settle := flag.Duration("settle", 20*time.Second, "wait after the periodic collection, for the scavenger")
	periods := flag.Int("periods", 1, "periodic collections to report after the burst (2 min apart)")
	flag.Parse()
	if err := run(*lgw, *n, *inflight, *periods, *ahead, *settle); err != nil {
		fmt.Fprintln(os.Stderr, "rssload:", err)
		os.Exit(1)
	}
}

func run(lgw string, n, inflight, periods int, ahead, settle time.Duration) error {
	work, err := os.MkdirTemp("", "rssload")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	b, err := broker.Start(broker.Options{})
	if err != nil {
		return err
	}
	defer func() { _ = b.Stop() }()
	c, err := newClient(b)
	if err != nil {
		return err
	}
	d, err := startDaemon(lgw, work, b.URL())
	if err != nil {
		return err
	}
	defer d.stop()
	fmt.Printf("lgw %s, pid %d, %d downlinks, GOMAXPROCS=%q GOGC=%q GOMEMLIMIT=%q, load %s\n",
		lgw, d.cmd.Process.Pid, n, os.Getenv("GOMAXPROCS"), os.Getenv("GOGC"), os.Getenv("GOMEMLIMIT"), load())

	gw, err := c.waitOnline(20 * time.Second)
	if err != nil {
		return err
	}
	time.Sleep(5 * time.Second)
	d.report("idle (online + 5 s)")

	t0 := time.Now()
	if err := c.burst(gw, n, inflight, d.started, ahead); err != nil {
		return err
	}
	if err := c.checkQueued(gw, n); err != nil {
		return err
	}
	gcs := d.gcCount()
	d.report(fmt.Sprintf("%d queued, at once (burst took %.1f s)", n, time.Since(t0).Seconds()))

	for range periods {
		at, err := d.waitPeriodicGC(gcs, periodicGC+time.Minute)
		if err != nil {
			return err
		}
		time.Sleep(settle)
		gcs = d.gcCount()
		if err := c.checkQueued(gw, n); err != nil {
			return err
		}
		d.report(fmt.Sprintf("%d queued, steady (periodic GC %.0f s after the burst, + %s)",
			n, at.Sub(t0).Seconds(), settle))
	}
	fmt.Printf("load %s\n", load())
	return nil
}

func load() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// daemon is the `lgw run` process and what its runtime traces said.
type daemon struct {
	cmd     *exec.Cmd
	started time.Time
	path    string

	mu       sync.Mutex
	gcs      int
	gcLine   string
	gcAt     float64 // seconds since the daemon's start, of the last GC
	periodic int     // index of the last periodic GC (0: none)
	scav     string
	warnings int
	stopping bool
}

const config = `[gateway]
region = "US915"
[concentrator]
board = "sim"
firmware_dir = "%[1]s/no-firmware"
[scheduler]
capacity = 10000
[mqtt]
server = "%[2]s"
rate_limit = 100000
rate_burst = 100000
[storage]
dir = "%[1]s/state"
[control]
socket = "%[1]s/lgw.sock"
`

func startDaemon(lgw, work, url string) (*daemon, error) {
	path, err := filepath.Abs(lgw)
	if err != nil {
		return nil, err
	}
	cfg := filepath.Join(work, "lgw.toml")
	if err := os.WriteFile(cfg, fmt.Appendf(nil, config, work, url), 0o600); err != nil {
		return nil, err
	}
	cmd := exec.Command(path, "run", "--config", cfg)
	godebug := "gctrace=1,scavtrace=1"
	if g := os.Getenv("GODEBUG"); g != "" {
		godebug = g + "," + godebug
	}
	cmd.Env = append(os.Environ(), "GODEBUG="+godebug)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	d := &daemon{cmd: cmd, path: path}
	d.started = time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go d.read(stderr)
	return d, nil
}

func (d *daemon) stop() {
	d.mu.Lock()
	d.stopping = true
	d.mu.Unlock()
	_ = d.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = d.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = d.cmd.Process.Kill()
		<-done
	}
}

// periodicGC is the runtime's forcegcperiod: a collection at least this
// long after the previous one was started by time, not by allocation.
const periodicGC = 2 * time.Minute

var gcAtRE = regexp.MustCompile(`^gc (\d+) @([0-9.]+)s`)

// read follows the daemon's standard error: the runtime's gctrace and
// scavtrace lines, and the daemon's warnings and errors (the first few
// printed, until the stop).
func (d *daemon) read(r io.Reader) {
	s := bufio.NewScanner(r)
	for s.Scan() {
		l := s.Text()
		d.mu.Lock()
		switch {
		case gcAtRE.MatchString(l):
			g := gcAtRE.FindStringSubmatch(l)
			var at float64
			_, _ = fmt.Sscanf(g[2], "%g", &at)
			d.gcs++
			if d.gcs > 1 && at-d.gcAt >= periodicGC.Seconds()-1 {
				d.periodic = d.gcs
			}
			d.gcLine, d.gcAt = l, at
		case strings.HasPrefix(l, "scav "):
			d.scav = l
		case !d.stopping && (strings.Contains(l, "\twarn\t") || strings.Contains(l, "\terror\t")):
			if d.warnings++; d.warnings <= 5 {
				fmt.Println("lgw:", l)
			}
		}
		d.mu.Unlock()
	}
}

func (d *daemon) gcCount() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.gcs
}

// waitPeriodicGC waits for a periodic collection after the after-th
// collection and returns when it came.
func (d *daemon) waitPeriodicGC(after int, limit time.Duration) (time.Time, error) {
	end := time.Now().Add(limit)
	for time.Now().Before(end) {
		d.mu.Lock()
		ok := d.periodic > after
		d.mu.Unlock()
		if ok {
			return time.Now(), nil
		}
		time.Sleep(time.Second)
	}
	return time.Time{}, fmt.Errorf("no periodic collection within %s of the burst", limit)
}

var gcRE = regexp.MustCompile(`(\d+)->(\d+)->(\d+) MB, (\d+) MB goal`)

// report prints the daemon's resident set and where it is.
func (d *daemon) report(label string) {
	pid := d.cmd.Process.Pid
	st := status(pid)
	m := smaps(pid, d.path)
	d.mu.Lock()
	gc, scav := d.gcLine, d.scav
	d.mu.Unlock()
	fmt.Printf("\n== %s, load %s\n", label, load())
	fmt.Printf("VmRSS %s (RssAnon %s, RssFile %s), threads %s, CPU so far %.0f ms\n",
		mb(st["VmRSS"]), mb(st["RssAnon"]), mb(st["RssFile"]), st["Threads"], cpuMillis(pid))
	fmt.Printf("  binary file pages: text %s, rodata+pclntab %s, data %s\n",
		mb(m.text), mb(m.rodata), mb(m.data))
	fmt.Printf("  other files (libc...): %s\n", mb(m.otherFiles))
	fmt.Printf("  anonymous: %s (bss+noptrbss %s, other anonymous %s), stacks of the main thread %s\n",
		mb(m.anon), mb(m.bss), mb(m.anon-m.bss), mb(m.stack))
	if g := gcRE.FindStringSubmatch(gc); g != nil {
		fmt.Printf("  last GC: heap %s MB at start -> %s MB at end, %s MB marked live, goal %s MB (%s)\n",
			g[1], g[2], g[3], g[4], gc[:strings.Index(gc, ":")])
	}
	if scav != "" {
		fmt.Printf("  scavenger: %s\n", scav)
	}
}

// cpuMillis is the process's time on a CPU, all threads, from the
// scheduler's own account (/proc/<pid>/task/*/schedstat, ns).
func cpuMillis(pid int) float64 {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	var ns float64
	for _, t := range tasks {
		b, _ := os.ReadFile(t)
		var v float64
		if _, err := fmt.Sscan(string(b), &v); err == nil {
			ns += v
		}
	}
	return ns / 1e6
}

func mb(kb any) string {
	switch v := kb.(type) {
	case int:
		return fmt.Sprintf("%.1f MB", float64(v)/1024)
	case string:
		var k int
		_, _ = fmt.Sscanf(v, "%d", &k)
		return fmt.Sprintf("%.1f MB", float64(k)/1024)
	}
	return "?"
}

func status(pid int) map[string]string {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	m := map[string]string{}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok {
			m[k] = strings.TrimSpace(v)
		}
	}
	return m
}

// mappings sums smaps Rss (KiB) by kind.
type mappings struct {
	text, rodata, data, bss, otherFiles, anon, stack int
}

func smaps(pid int, binary string) mappings {
	f, err := os.Open(fmt.Sprintf("/proc/%d/smaps", pid))
	if err != nil {
		return mappings{}
	}
	defer f.Close()
	var m mappings
	var perms, name string
	afterBinary := false
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) >= 5 && strings.Contains(fields[0], "-") && len(fields[1]) == 4 {
			perms, name = fields[1], ""
			if len(fields) >= 6 {
				name = fields[5]
			}
			if name != "" {
				afterBinary = name == binary
			}
			continue
		}
		if len(fields) < 2 || fields[0] != "Rss:" {
			continue
		}
		var kb int
		_, _ = fmt.Sscanf(fields[1], "%d", &kb)
		switch {
		case name == binary && perms[2] == 'x':
			m.text += kb
		case name == binary && perms[1] == 'w':
			m.data += kb
		case name == binary:
			m.rodata += kb
		case name == "[stack]":
			m.stack += kb
			m.anon += kb
		case name == "" && afterBinary && perms[1] == 'w':
			// The anonymous mapping right after the binary's data
			// segment is its bss.
			m.bss += kb
			m.anon += kb
			afterBinary = false
		case name == "" || strings.HasPrefix(name, "["):
			m.anon += kb
		default:
			m.otherFiles += kb
		}
	}
	return m
}

// client is the network server's side, as the broker's inline client.
type client struct {
	b *broker.Broker

	mu      sync.Mutex
	online  chan string
	waiting map[string]chan response
}

type response struct {
	Result json.RawMessage `json:"Result"`
	Error  *struct {
		Type, Message string
	} `json:"Error"`
	RequestID string `json:"RequestId"`
}

func newClient(b *broker.Broker) (*client, error) {
	c := &client{b: b, online: make(chan string, 1), waiting: map[string]chan response{}}
	if err := b.Subscribe("lgw/+/state", c.state); err != nil {
		return nil, err
	}
	if err := b.Subscribe("lgw/+/rsp/+", c.response); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *client) state(m broker.Message) {
	var s struct {
		Online  bool   `json:"online"`
		Gateway string `json:"gateway"`
	}
	if json.Unmarshal(m.Payload, &s) == nil && s.Online {
		select {
		case c.online <- s.Gateway:
		default:
		}
	}
}

func (c *client) response(m broker.Message) {
	var r response
	if err := json.Unmarshal(m.Payload, &r); err != nil {
		return
	}
	c.mu.Lock()
	ch := c.waiting[r.RequestID]
	delete(c.waiting, r.RequestID)
	c.mu.Unlock()
	if ch != nil {
		ch <- r
	}
}

func (c *client) waitOnline(limit time.Duration) (string, error) {
	select {
	case gw := <-c.online:
		return gw, nil
	case <-time.After(limit):
		return "", fmt.Errorf("lgw not online within %s", limit)
	}
}

// call publishes a command and returns a channel for its response.
func (c *client) call(gw, op, id string, body map[string]any) (chan response, error) {
	ch := make(chan response, 1)
	c.mu.Lock()
	c.waiting[id] = ch
	c.mu.Unlock()
	body["RequestId"] = id
	p, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	return ch, c.b.Publish("lgw/"+gw+"/cmd/"+op, p, false)
}

func wait(ch chan response, what string) (response, error) {
	select {
	case r := <-ch:
		if r.Error != nil {
			return r, fmt.Errorf("%s: %s: %s", what, r.Error.Type, r.Error.Message)
		}
		return r, nil
	case <-time.After(30 * time.Second):
		return response{}, fmt.Errorf("%s: no response in 30 s", what)
	}
}

// burst sends n class A downlinks 100 ms apart, the first ahead after
// now on the sim's counter (which counts µs from the daemon's start),
// keeping inflight commands outstanding.
func (c *client) burst(gw string, n, inflight int, started time.Time, ahead time.Duration) error {
	payload := base64.StdEncoding.EncodeToString([]byte("0123456789abcdefghi")) // 19 bytes
	first := uint32((time.Since(started) + ahead) / time.Microsecond)
	slots := make(chan struct{}, inflight)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		slots <- struct{}{}
		ch, err := c.call(gw, "SendDownlink", fmt.Sprintf("d%d", i), map[string]any{
			"PHYPayload": payload, "Frequency": 923300000, "DataRate": 12,
			"Timing": map[string]any{"Tmst": first + uint32(i)*100000}})
		if err != nil {
			return err
		}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if _, err := wait(ch, fmt.Sprintf("SendDownlink %d", i)); err != nil {
				errs <- err
			}
			<-slots
		}(i)
	}
	wg.Wait()
	close(errs)
	return <-errs
}

func (c *client) checkQueued(gw string, n int) error {
	ch, err := c.call(gw, "GetGatewayStatus", fmt.Sprintf("st%d", time.Now().UnixNano()), map[string]any{})
	if err != nil {
		return err
	}
	r, err := wait(ch, "GetGatewayStatus")
	if err != nil {
		return err
	}
	var st struct {
		Stats struct {
			QueueDepth int `json:"queue_depth"`
		}
	}
	if err := json.Unmarshal(r.Result, &st); err != nil {
		return fmt.Errorf("GetGatewayStatus: %w", err)
	}
	if st.Stats.QueueDepth != n {
		return fmt.Errorf("queue_depth %d, want %d", st.Stats.QueueDepth, n)
	}
	fmt.Printf("GetGatewayStatus: queue_depth %d\n", st.Stats.QueueDepth)
	return nil
}
