package mqtt_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/mqtt"
	"github.com/lgwagent/lgw/mqtt/broker"
	"github.com/lgwagent/lgw/mqtt/mqtttest"
	"github.com/lgwagent/lgw/scheduler"
)

func TestRetainedStateAndWill(t *testing.T) {
	h := newHarness(t, broker.Options{}, nil)
	// A late subscriber gets the retained online state.
	late := h.b.Collect("lgw/" + gw + "/state")
	m := late.WaitN(wait, 1)[0]
	var s mqtt.State
	if err := json.Unmarshal(m.Payload, &s); err != nil || !s.Online || s.Gateway != gw || s.Board != "sim" || s.Time == nil {
		t.Fatalf("retained state %s (err %v)", m.Payload, err)
	}
	// Closing the connection from the broker side fires the will. The
	// broker refuses the reconnection until the will is seen: a broker may
	// drop the will of a connection taken over by a faster reconnect.
	h.b.Block(gw)
	if err := h.b.Disconnect(gw); err != nil {
		t.Fatal(err)
	}
	will := h.state.Wait(wait, "offline will", func(m broker.Message) bool {
		var s mqtt.State
		return json.Unmarshal(m.Payload, &s) == nil && !s.Online
	})
	h.b.Unblock(gw)
	var ws mqtt.State
	if err := json.Unmarshal(will.Payload, &ws); err != nil || ws.Online || ws.Gateway != gw || ws.Version != "test" || ws.Time != nil {
		t.Fatalf("will %s", will.Payload)
	}
	// The client reconnects by itself and the last state is online again
	// (even when the broker delivers the will after the new online state).
	waitFor(t, "online state after the will", func() bool {
		all := h.state.All()
		return h.c.Connected() && onlineOf(t, all[len(all)-1].Payload) && len(all) >= 3
	})
	if r := h.do("GetMulticastGroup", "after", `{"RequestId":"after","Id":"g"}`); r.Error != nil {
		t.Fatal(r.Error)
	}
	if st := h.c.Stats(); st.Reconnects != 1 || st.Losses != 1 {
		t.Fatalf("stats %+v: want 1 reconnect, 1 loss", st)
	}
}

func TestCleanStopPublishesOffline(t *testing.T) {
	h := newHarness(t, broker.Options{}, nil)
	h.c.Stop()
	if h.waitStates(2) {
		t.Fatal("Stop did not publish offline")
	}
	late := h.b.Collect("lgw/" + gw + "/state")
	var s mqtt.State
	if err := json.Unmarshal(late.WaitN(wait, 1)[0].Payload, &s); err != nil || s.Online {
		t.Fatal("retained state after Stop is not offline")
	}
	if h.c.Connected() {
		t.Fatal("Connected after Stop")
	}
}

func report(i int) mqtt.DownlinkReport {
	return mqtt.DownlinkReport{MessageId: fmt.Sprintf("m%d", i), PHYPayload: []byte{byte(i)},
		Result: scheduler.Result{Code: scheduler.Sent, Packet: hal.TxPacket{Frequency: 869525000,
			DataRate: hal.LoRaRate(12, hal.BW125, hal.CR4_5)}}}
}

func packetIDs(t *testing.T, c *mqtttest.Collector) []string {
	var ids []string
	for _, m := range c.All() {
		var msg mqtt.Message
		if err := json.Unmarshal(m.Payload, &msg); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, msg.Meta.PacketID)
	}
	return ids
}

func TestBrokerRestartResubscribesAndDeliversInOrder(t *testing.T) {
	h := newHarness(t, broker.Options{}, nil)
	down := h.b.Collect("lgw/" + gw + "/down")
	h.c.PublishDownlinkReport(report(0))
	down.WaitN(wait, 1)
	if err := h.b.Stop(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "disconnect", func() bool { return !h.c.Connected() })
	for i := 1; i <= 20; i++ {
		h.c.PublishDownlinkReport(report(i))
	}
	if err := h.b.Restart(); err != nil {
		t.Fatal(err)
	}
	all := down.WaitN(3*wait, 21)
	ids := packetIDs(t, down)
	for i := range 21 {
		if ids[i] != fmt.Sprintf("m%d", i) {
			t.Fatalf("order after reconnect: %v", ids)
		}
	}
	if len(all) != 21 {
		t.Fatalf("%d reports, want 21", len(all))
	}
	h.waitOnline(true)
	// Commands work again: the subscription was restored.
	if r := h.do("GetMulticastGroup", "back", `{"RequestId":"back","Id":"g"}`); r.Error != nil {
		t.Fatal(r.Error)
	}
	if st := h.c.Stats(); st.Published["downlink"] != 21 || st.Buffered != 0 {
		t.Fatalf("stats %+v", st)
	}
}

func TestBufferBoundEvictsStatsFirst(t *testing.T) {
	h := newHarness(t, broker.Options{}, func(c *mqtt.Config) { c.BufferSize = 5 })
	down := h.b.Collect("lgw/" + gw + "/down")
	stats := h.b.Collect("lgw/" + gw + "/stats")
	if err := h.b.Stop(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "disconnect", func() bool { return !h.c.Connected() })
	h.c.PublishStats(mqtt.Stats{QueueDepth: 1})
	h.c.PublishDownlinkReport(report(1))
	h.c.PublishStats(mqtt.Stats{QueueDepth: 2})
	h.c.PublishDownlinkReport(report(2))
	h.c.PublishDownlinkReport(report(3))
	// Full (5). Two more evict both stats; the third evicts report m1.
	h.c.PublishDownlinkReport(report(4))
	h.c.PublishDownlinkReport(report(5))
	h.c.PublishDownlinkReport(report(6))
	st := h.c.Stats()
	if st.Dropped["stats"] != 2 || st.Dropped["downlink"] != 1 || st.Buffered != 5 {
		t.Fatalf("stats %+v: want 2 stats and 1 downlink dropped, 5 buffered", st)
	}
	if err := h.b.Restart(); err != nil {
		t.Fatal(err)
	}
	down.WaitN(3*wait, 5)
	if got := fmt.Sprint(packetIDs(t, down)); got != "[m2 m3 m4 m5 m6]" {
		t.Fatalf("delivered %s", got)
	}
	if n := len(stats.All()); n != 0 {
		t.Fatalf("%d evicted stats delivered", n)
	}
}

func TestStatsEveryInterval(t *testing.T) {
	h := newHarness(t, broker.Options{}, nil)
	stats := h.b.Collect("lgw/" + gw + "/stats")
	select { // the stats loop arms its ticker in its own goroutine
	case <-h.clk.BlockUntil(1):
	case <-time.After(wait):
		t.Fatal("stats ticker never armed")
	}
	h.clk.Advance(30 * time.Second)
	m := stats.WaitN(wait, 1)[0]
	var s mqtt.Stats
	if err := json.Unmarshal(m.Payload, &s); err != nil {
		t.Fatal(err)
	}
	if s.Gateway != gw || s.QueueDepth != 3 || s.Tx[scheduler.Sent] != 5 || !s.MQTT.Connected {
		t.Fatalf("stats %s", m.Payload)
	}
}

func TestUsernamePassword(t *testing.T) {
	users := map[string]string{"gw": "s3cret"}
	h := newHarness(t, broker.Options{Users: users}, func(c *mqtt.Config) { c.Username, c.Password = "gw", "s3cret" })
	if r := h.do("ListMulticastGroups", "u", `{"RequestId":"u"}`); r.Error != nil {
		t.Fatal(r.Error)
	}
	// A wrong password never connects.
	b := mqtttest.Start(t, broker.Options{Users: users})
	cfg := baseConfig(b.URL())
	cfg.Username, cfg.Password = "gw", "wrong"
	c, err := mqtt.New(cfg, gw, newFake(), h.clk, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	states := b.Collect("lgw/" + gw + "/state")
	waitFor(t, "a refused connection attempt", func() bool { return c.Stats().ConnectFailures > 0 })
	if c.Connected() || len(states.All()) != 0 {
		t.Fatal("connected with a wrong password")
	}
}

func TestTLS(t *testing.T) {
	pki := mqtttest.NewPKI(t, gw)
	h := newHarness(t, broker.Options{TLS: pki.ServerTLS(false)}, func(c *mqtt.Config) { c.CACert = pki.CACert })
	if r := h.do("ListMulticastGroups", "tls", `{"RequestId":"tls"}`); r.Error != nil {
		t.Fatal(r.Error)
	}
}

func TestMutualTLS(t *testing.T) {
	pki := mqtttest.NewPKI(t, gw)
	h := newHarness(t, broker.Options{TLS: pki.ServerTLS(true)}, func(c *mqtt.Config) {
		c.CACert, c.ClientCert, c.ClientKey = pki.CACert, pki.ClientCert, pki.ClientKey
	})
	if r := h.do("ListMulticastGroups", "mtls", `{"RequestId":"mtls"}`); r.Error != nil {
		t.Fatal(r.Error)
	}
	// A client key without certificate is a configuration error.
	cfg := baseConfig(h.b.URL())
	cfg.CACert, cfg.ClientKey = pki.CACert, pki.ClientKey
	if _, err := mqtt.New(cfg, gw, newFake(), h.clk, zap.NewNop()); err == nil {
		t.Fatal("client_key without client_cert accepted")
	}
}

func TestNewRefusesBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		gw   string
		mod  func(*mqtt.Config)
	}{
		{"upper-case gateway", "0016C001FF10A235", nil},
		{"short gateway", "0016c001", nil},
		{"bad scheme", gw, func(c *mqtt.Config) { c.Server = "http://127.0.0.1:1" }},
		{"TLS files on tcp", gw, func(c *mqtt.Config) { c.CACert = "/nonexistent" }},
		{"missing CA", gw, func(c *mqtt.Config) { c.Server, c.CACert = "ssl://127.0.0.1:1", "/nonexistent" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := baseConfig("tcp://127.0.0.1:1")
			if tc.mod != nil {
				tc.mod(&cfg)
			}
			if _, err := mqtt.New(cfg, tc.gw, newFake(), h0clk(), zap.NewNop()); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %v", what, wait)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func h0clk() *clock.Virtual { return clock.NewVirtual(time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)) }

func TestConnectRetriesUntilBrokerIsUp(t *testing.T) {
	b := mqtttest.Start(t, broker.Options{})
	states := b.Collect("lgw/" + gw + "/state")
	up := b.Collect("lgw/" + gw + "/up")
	if err := b.Stop(); err != nil {
		t.Fatal(err)
	}
	c, err := mqtt.New(baseConfig(b.URL()), gw, newFake(), h0clk(), zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	c.PublishUplink(hal.RxPacket{Payload: []byte{1, 2, 3}, Frequency: 868100000, DataRate: hal.LoRaRate(7, hal.BW125, hal.CR4_5), CRC: hal.CRCBad})
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	waitFor(t, "a failed connection attempt", func() bool { return c.Stats().ConnectFailures > 0 })
	if err := b.Restart(); err != nil {
		t.Fatal(err)
	}
	states.WaitN(3*wait, 1)
	var msg mqtt.Message
	if err := json.Unmarshal(up.WaitN(wait, 1)[0].Payload, &msg); err != nil || msg.Type != mqtt.TypeUplink {
		t.Fatalf("uplink %+v (err %v)", msg, err)
	}
	if err := c.Start(context.Background()); err == nil {
		t.Fatal("second Start accepted")
	}
}

func onlineOf(t *testing.T, payload []byte) bool {
	var s mqtt.State
	if err := json.Unmarshal(payload, &s); err != nil {
		t.Fatal(err)
	}
	return s.Online
}

// A will that arrives after the new connection's online state (a late
// will) must not leave the retained state offline.
func TestLateWillRepaired(t *testing.T) {
	h := newHarness(t, broker.Options{}, nil)
	if err := h.b.Publish("lgw/"+gw+"/state", []byte(`{"online":false,"gateway":"`+gw+`"}`), true); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "online state republished", func() bool {
		all := h.state.All()
		return len(all) >= 3 && onlineOf(t, all[len(all)-1].Payload)
	})
}
