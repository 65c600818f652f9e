package agent

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lgwagent/lgw/board"
	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/config"
	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/hal/sim"
	"github.com/lgwagent/lgw/mqtt"
	"github.com/lgwagent/lgw/mqtt/broker"
	"github.com/lgwagent/lgw/mqtt/mqtttest"
	"github.com/lgwagent/lgw/multicast"
	"github.com/lgwagent/lgw/scheduler"
)

const storeGW = "0016c001ff00e0e0"

// refuseTx refuses every frame: the store is filled, nothing is sent.
type refuseTx struct{}

func (refuseTx) Schedule(scheduler.Request) error {
	return scheduler.Refuse(scheduler.TxFailed, "test")
}
func (refuseTx) Cancel(string) bool { return false }

// fillStore writes a store with a group, a session and queued messages
// (so every file has a previous generation).
func fillStore(t *testing.T, dir string) {
	t.Helper()
	clk := clock.NewVirtual(t0)
	m, err := multicast.Open(multicast.Config{Dir: dir, Clock: clk, Tx: refuseTx{}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := m.CreateMulticastGroup(ctx, multicast.CreateGroupInput{Id: "g", LoRaWAN: multicast.GroupLoRaWAN{
		RfRegion: "EU868", DlClass: multicast.ClassC, McAddr: "01020304",
		McNwkSKey: "000102030405060708090a0b0c0d0e0f", McAppSKey: "f0e0d0c0b0a090807060504030201000"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.StartMulticastGroupSession(ctx, multicast.StartSessionInput{Id: "g", LoRaWAN: multicast.SessionLoRaWAN{
		SessionStartTime: t0.Add(40 * time.Minute).Format(time.RFC3339), SessionTimeout: ptrInt(600)}}); err != nil {
		t.Fatal(err)
	}
	fp := 2
	for i := 0; i < 3; i++ {
		if _, err := m.SendDataToMulticastGroup(ctx, multicast.SendDataInput{Id: "g", PayloadData: base64.StdEncoding.EncodeToString([]byte{byte(i)}),
			WirelessMetadata: multicast.WirelessMetadata{LoRaWAN: multicast.SendLoRaWAN{FPort: &fp}}}); err != nil {
			t.Fatal(err)
		}
	}
	m.Stop()
}

func ptrInt(v int) *int { return &v }

// TestDamagedStoreKeepsTheGatewayServing corrupts, truncates and deletes
// each multicast store file (every generation), alone and together, and
// runs the agent against a real broker: it starts, answers
// GetGatewayStatus with the storage condition, forwards uplinks, shows the
// condition in the retained state, and refuses multicast only while the
// store is unreadable.
func TestDamagedStoreKeepsTheGatewayServing(t *testing.T) {
	files := map[string][]string{
		"groups": {"multicast-groups.state"}, "queue": {"multicast-queue.state"}, "ledger": {"multicast-ledger.state"},
		"all": {"multicast-groups.state", "multicast-queue.state", "multicast-ledger.state"},
	}
	damage := map[string]func(p string) error{
		"corrupt": func(p string) error {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			b[len(b)-3] ^= 0xff
			return os.WriteFile(p, b, 0o600)
		},
		"truncated": func(p string) error {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(p, b[:len(b)/2], 0o600)
		},
		"deleted": os.Remove,
	}
	for fname, fs := range files {
		for dname, dmg := range damage {
			t.Run(fname+"/"+dname, func(t *testing.T) {
				dir := t.TempDir()
				fillStore(t, dir)
				for _, f := range fs {
					for _, p := range []string{filepath.Join(dir, f), filepath.Join(dir, f+".prev")} {
						if err := dmg(p); err != nil {
							t.Fatal(err)
						}
					}
				}
				checkServing(t, dir, dname != "deleted")
			})
		}
	}
}

func checkServing(t *testing.T, dir string, wantDegraded bool) {
	t.Helper()
	b := mqtttest.Start(t, broker.Options{})
	base := "lgw/" + storeGW + "/"
	state := b.Collect(base + "state")
	rsp := b.Collect(base + "rsp/#")
	up := b.Collect(base + "up")
	v := clock.NewVirtual(t0)
	s, err := sim.New(sim.Config{Clock: v})
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Gateway.ID = storeGW
	cfg.Storage.Dir = dir
	cfg.MQTT.Server = b.URL()
	cfg.Control.Socket = filepath.Join(t.TempDir(), "lgw.sock")
	a, err := New(cfg, Options{Clock: v, Hardware: &board.Hardware{Concentrator: s}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	select {
	case <-a.Ready():
	case err := <-done:
		t.Fatalf("lgw did not start on a damaged store: %v", err)
	}
	// The retained state carries the storage condition.
	st := state.Wait(10*time.Second, "online state with storage", func(m broker.Message) bool {
		var s mqtt.State
		return json.Unmarshal(m.Payload, &s) == nil && s.Online && s.Storage != nil
	})
	var ss mqtt.State
	_ = json.Unmarshal(st.Payload, &ss)
	if ss.Storage.Degraded != wantDegraded {
		t.Fatalf("state storage %+v, want degraded %v", ss.Storage, wantDegraded)
	}
	do := func(op, rid, body string) mqtt.Response {
		t.Helper()
		b.MustPublish(base+"cmd/"+op, body)
		m := rsp.Wait(10*time.Second, op, func(m broker.Message) bool {
			var r mqtt.Response
			return strings.HasSuffix(m.Topic, "/"+op) && json.Unmarshal(m.Payload, &r) == nil && r.RequestId == rid
		})
		var r mqtt.Response
		_ = json.Unmarshal(m.Payload, &r)
		return r
	}
	r := do("GetGatewayStatus", "s1", `{"RequestId":"s1"}`)
	raw, _ := json.Marshal(r.Result)
	var gs mqtt.GatewayStatus
	if err := json.Unmarshal(raw, &gs); err != nil || r.Error != nil || gs.Stats.Storage.Storage == "" ||
		gs.Stats.Storage.Degraded != wantDegraded || gs.State.Storage == nil {
		t.Fatalf("GetGatewayStatus: %+v (%v %v)", gs.Stats.Storage, err, r.Error)
	}
	// Uplinks flow.
	s.Inject(t0.Add(100*time.Millisecond), hal.RxPacket{Payload: []byte{7}, Frequency: 868100000,
		DataRate: hal.LoRaRate(7, hal.BW125, hal.CR4_5), CRC: hal.CRCOK})
	if !step(v, 2*time.Second, func() bool { return len(up.All()) > 0 }) {
		t.Fatal("no uplink forwarded")
	}
	r = do("ListMulticastGroups", "l1", `{"RequestId":"l1"}`)
	if wantDegraded {
		if r.Error == nil || r.Error.Type != "InternalServerException" || !strings.Contains(r.Error.Message, dir) {
			t.Fatalf("multicast on a degraded store: %+v", r)
		}
		if r := do("ResetMulticastStore", "x1", `{"RequestId":"x1"}`); r.Error != nil {
			t.Fatalf("reset: %+v", r.Error)
		}
		r = do("ListMulticastGroups", "l2", `{"RequestId":"l2"}`)
	}
	if r.Error != nil {
		t.Fatalf("multicast after the reset: %+v", r.Error)
	}
}
