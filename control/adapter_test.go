package control_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/lgwagent/lgw/control"
	"github.com/lgwagent/lgw/gateway"
	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/multicast"
	"github.com/lgwagent/lgw/scheduler/schedulertest"
)

// TestOverTheCore runs the control adapter on a real core (real scheduler
// on the simulator, virtual time): status words the snapshot, and two
// tails both get one uplink, encoded once.
func TestOverTheCore(t *testing.T) {
	rig := schedulertest.New(t, "EU868", nil)
	chip, _ := rig.Sim.Chip()
	g, err := gateway.New(gateway.Config{
		Identity: gateway.Identity{GatewayID: "0016c001ff000001", Version: "v-test", Board: "sim", Region: "EU868", Chip: chip},
		Region:   rig.Region, Concentrator: rig.Sim, Scheduler: rig.Scheduler,
		Multicast: multicast.Config{Dir: t.TempDir()}, Clock: rig.Clock,
	})
	if err != nil {
		t.Fatal(err)
	}
	g.RegisterAdapter("mqtt", func() gateway.AdapterStatus {
		return gateway.AdapterStatus{Server: "tcp://broker:1883", Connected: true, Buffered: 3, Published: 7}
	})
	if err := g.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer g.Stop()
	a := control.Over(g)
	ctx := context.Background()
	st, err := a.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.GatewayID != "0016c001ff000001" || st.Version != "v-test" || st.Concentrator.State != "running" ||
		st.Concentrator.Chip != "sim" || st.MQTT.Server != "tcp://broker:1883" || st.MQTT.Buffered != 3 || st.LogLevel != "info" {
		t.Fatalf("status %+v", st)
	}
	stats, err := a.Stats(ctx)
	if err != nil || stats.MQTTPublished != 7 {
		t.Fatalf("stats %+v %v", stats, err)
	}
	tail1, stop1 := a.Subscribe(ctx)
	defer stop1()
	tail2, stop2 := a.Subscribe(ctx)
	defer stop2()
	rig.Sim.Inject(schedulertest.Start.Add(50*time.Millisecond), hal.RxPacket{Payload: []byte{1, 2, 3},
		Frequency: 868100000, DataRate: hal.LoRaRate(7, hal.BW125, hal.CR4_5), CRC: hal.CRCOK, RSSIChannel: -57, SNR: 9.5})
	for _, tail := range []<-chan control.Event{tail1, tail2} {
		ev := nextUplink(t, rig, tail)
		var d struct {
			Freq uint32  `json:"freq"`
			Datr string  `json:"datr"`
			RSSI float32 `json:"rssi"`
			Size int     `json:"size"`
		}
		if err := json.Unmarshal(ev.Data, &d); err != nil || d.Freq != 868100000 || d.Datr != "SF7BW125" || d.RSSI != -57 || d.Size != 3 {
			t.Fatalf("uplink event %+v (%s): %v", ev, ev.Data, err)
		}
	}
	stop1()
	if _, ok := <-tail1; ok {
		t.Fatal("tail 1 still open after its cancel")
	}
	g.Stop()
	for range tail2 {
	}
}

func nextUplink(t *testing.T, rig *schedulertest.Rig, tail <-chan control.Event) control.Event {
	t.Helper()
	for i := 0; i < 1000; i++ {
		select {
		case ev := <-tail:
			if ev.Kind == "uplink" {
				return ev
			}
		case <-time.After(time.Millisecond):
			rig.Clock.Advance(10 * time.Millisecond)
		}
	}
	t.Fatal("no uplink event")
	return control.Event{}
}
