package mqtt_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/gateway"
	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/mqtt"
	"github.com/lgwagent/lgw/mqtt/broker"
	"github.com/lgwagent/lgw/mqtt/mqtttest"
	"github.com/lgwagent/lgw/multicast"
	"github.com/lgwagent/lgw/scheduler/schedulertest"
)

// TestAdapterOverTheCore runs the MQTT adapter on a real core (the real
// scheduler on the simulator, virtual time) against a real broker: a
// SendDownlink is answered with its MessageId and ends in one report on
// the down topic; an uplink goes out on the up topic; GetGatewayStatus
// words the core's snapshot.
func TestAdapterOverTheCore(t *testing.T) {
	rig := schedulertest.New(t, "EU868", nil)
	chip, _ := rig.Sim.Chip()
	id := chip.EUI.String()
	g, err := gateway.New(gateway.Config{
		Identity: gateway.Identity{GatewayID: id, Version: "v-test", Board: "sim", Region: "EU868", Chip: chip},
		Region:   rig.Region, Concentrator: rig.Sim, Scheduler: rig.Scheduler,
		Multicast: multicast.Config{Dir: t.TempDir()}, Clock: rig.Clock,
	})
	if err != nil {
		t.Fatal(err)
	}
	b := mqtttest.Start(t, broker.Options{})
	rsp, down, up := b.Collect("lgw/"+id+"/rsp/#"), b.Collect("lgw/"+id+"/down"), b.Collect("lgw/"+id+"/up")
	state := b.Collect("lgw/" + id + "/state")
	a, err := mqtt.NewAdapter(baseConfig(b.URL()), g, rig.Clock, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer g.Stop()
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer a.Stop()
	state.Wait(wait, "online state", func(m broker.Message) bool {
		var s mqtt.State
		return json.Unmarshal(m.Payload, &s) == nil && s.Online && s.Board == "sim" && s.Version == "v-test"
	})
	// Virtual time moves while the test waits on the broker.
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
				rig.Clock.Advance(10 * time.Millisecond)
			}
		}
	}()

	b.MustPublish("lgw/"+id+"/cmd/SendDownlink",
		`{"RequestId":"d1","PHYPayload":"YLRlwzaHRwAEAAUA0q2EFHt7NA==","Frequency":869525000,"DataRate":0,"Timing":{"Immediate":true}}`)
	var r struct {
		RequestId string
		Result    struct{ MessageId string }
	}
	m := rsp.Wait(wait, "SendDownlink response", func(m broker.Message) bool {
		return json.Unmarshal(m.Payload, &r) == nil && r.RequestId == "d1"
	})
	if r.Result.MessageId == "" {
		t.Fatalf("response %s", m.Payload)
	}
	down.Wait(wait, "downlink report", func(m broker.Message) bool {
		var msg mqtt.Message
		return json.Unmarshal(m.Payload, &msg) == nil && msg.Type == mqtt.TypeDownlink && msg.Meta.PacketID == r.Result.MessageId
	})

	rig.Sim.Inject(rig.Clock.Now().Add(50*time.Millisecond), hal.RxPacket{Payload: []byte{1, 2, 3},
		Frequency: 868100000, DataRate: hal.LoRaRate(7, hal.BW125, hal.CR4_5), CRC: hal.CRCOK})
	up.Wait(wait, "uplink", func(m broker.Message) bool {
		var msg mqtt.Message
		return json.Unmarshal(m.Payload, &msg) == nil && msg.Type == mqtt.TypeUplink && msg.Meta.Gateway == id
	})

	b.MustPublish("lgw/"+id+"/cmd/GetGatewayStatus", `{"RequestId":"s1"}`)
	var st struct {
		RequestId string
		Result    mqtt.GatewayStatus
	}
	rsp.Wait(wait, "GetGatewayStatus response", func(m broker.Message) bool {
		return json.Unmarshal(m.Payload, &st) == nil && st.RequestId == "s1"
	})
	if st.Result.State.Board != "sim" || st.Result.Stats.Rx.OK != 1 || st.Result.Stats.Tx[gateway.Sent] != 1 {
		t.Fatalf("status %+v", st.Result)
	}
}
