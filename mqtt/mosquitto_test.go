package mqtt_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/mqtt"
)

// mosquitto runs the Debian broker on a free loopback port.
type mosquitto struct {
	t    *testing.T
	conf string
	port int
	cmd  *exec.Cmd
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func startMosquitto(t *testing.T) *mosquitto {
	bin, err := exec.LookPath("mosquitto")
	if err != nil {
		t.Skip("SKIPPING the Mosquitto end-to-end test: mosquitto is not installed " +
			"(apt-get install -y mosquitto mosquitto-clients)")
	}
	for _, c := range []string{"mosquitto_pub", "mosquitto_sub"} {
		if _, err := exec.LookPath(c); err != nil {
			t.Skipf("SKIPPING the Mosquitto end-to-end test: %s is not installed (apt-get install -y mosquitto-clients)", c)
		}
	}
	m := &mosquitto{t: t, port: freePort(t), conf: filepath.Join(t.TempDir(), "mosquitto.conf")}
	// listener 0 would be a Unix socket in mosquitto 2.x: give a real port.
	conf := fmt.Sprintf("listener %d 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\n", m.port)
	if err := os.WriteFile(m.conf, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	m.start(bin)
	t.Cleanup(m.stop)
	return m
}

func (m *mosquitto) start(bin string) {
	m.cmd = exec.Command(bin, "-c", m.conf)
	if err := m.cmd.Start(); err != nil {
		m.t.Fatal(err)
	}
	waitFor(m.t, "mosquitto listening", func() bool {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", m.port))
		if err == nil {
			c.Close()
		}
		return err == nil
	})
}

func (m *mosquitto) stop() {
	if m.cmd != nil && m.cmd.Process != nil {
		_ = m.cmd.Process.Kill()
		_ = m.cmd.Wait()
		m.cmd = nil
	}
}

// sub starts mosquitto_sub for count messages on topic.
func (m *mosquitto) sub(topic string, count int) (*exec.Cmd, *strings.Builder) {
	out := &strings.Builder{}
	cmd := exec.Command("mosquitto_sub", "-h", "127.0.0.1", "-p", fmt.Sprint(m.port), "-t", topic,
		"-q", "1", "-C", fmt.Sprint(count), "-W", "10")
	cmd.Stdout = out
	if err := cmd.Start(); err != nil {
		m.t.Fatal(err)
	}
	return cmd, out
}

func (m *mosquitto) pub(topic, msg string) {
	out, err := exec.Command("mosquitto_pub", "-h", "127.0.0.1", "-p", fmt.Sprint(m.port), "-t", topic, "-q", "1", "-m", msg).CombinedOutput()
	if err != nil {
		m.t.Fatalf("mosquitto_pub: %v: %s", err, out)
	}
}

func TestMosquittoEndToEnd(t *testing.T) {
	m := startMosquitto(t)
	bin, _ := exec.LookPath("mosquitto")
	fake := newFake()
	c, err := mqtt.New(baseConfig(fmt.Sprintf("tcp://127.0.0.1:%d", m.port)), gw, fake, h0clk(), zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	waitFor(t, "connection", c.Connected)

	// A command with mosquitto_pub, its response with mosquitto_sub.
	sub, out := m.sub("lgw/"+gw+"/rsp/GetMulticastGroup", 1)
	time.Sleep(200 * time.Millisecond) // let mosquitto_sub subscribe: it has no readiness signal
	m.pub("lgw/"+gw+"/cmd/GetMulticastGroup", `{"RequestId":"mq1","Id":"g1"}`)
	if err := sub.Wait(); err != nil {
		t.Fatalf("mosquitto_sub: %v (got %q)", err, out.String())
	}
	var r mqtt.Response
	if err := json.Unmarshal([]byte(strings.TrimSpace(out.String())), &r); err != nil || r.RequestId != "mq1" || r.Error != nil {
		t.Fatalf("response %q (err %v)", out.String(), err)
	}

	// Kill mosquitto, publish reports while it is down, restart it: the
	// reports arrive after the reconnect, in order.
	m.stop()
	waitFor(t, "disconnect", func() bool { return !c.Connected() })
	for i := 1; i <= 5; i++ {
		c.PublishDownlinkReport(report(i))
	}
	m.start(bin)
	// A clean session forgets subscriptions: subscribe before the client's
	// backoff ends (1 s), then wait for the five reports.
	sub, out = m.sub("lgw/"+gw+"/down", 5)
	if err := sub.Wait(); err != nil {
		t.Fatalf("mosquitto_sub after restart: %v (got %q)", err, out.String())
	}
	var ids []string
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var msg mqtt.Message
		if err := json.Unmarshal([]byte(line), &msg); err != nil {
			t.Fatalf("report %q: %v", line, err)
		}
		ids = append(ids, msg.Meta.PacketID)
	}
	if got := fmt.Sprint(ids); got != "[m1 m2 m3 m4 m5]" {
		t.Fatalf("reports after restart: %s", got)
	}
}
