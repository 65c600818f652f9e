package agent

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/lgwagent/lgw/config"
	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/mqtt/broker"
	"github.com/lgwagent/lgw/mqtt/mqtttest"
	"github.com/lgwagent/lgw/udp/gwmp"
	"github.com/lgwagent/lgw/udp/udptest"
)

// TestUDPAndMQTTTogether runs both adapters on one gateway: uplinks reach
// both, downlinks from both meet in the one scheduler, and a failure after
// a UDP TX_ACK is reported on MQTT.
func TestUDPAndMQTTTogether(t *testing.T) {
	b := mqtttest.Start(t, broker.Options{})
	ups := b.Collect("lgw/+/up")
	downs := b.Collect("lgw/+/down")
	rsps := b.Collect("lgw/+/rsp/SendDownlink")
	r := startUDPAgent(t, 1, false, func(c *config.Config) {
		c.MQTT.Enabled, c.MQTT.Server = true, b.URL()
	})
	s := r.servers[0]
	deadline := time.Now().Add(udptest.Wait)
	for m, _ := r.snapshot(t).Adapter("mqtt"); !m.Connected; m, _ = r.snapshot(t).Adapter("mqtt") {
		if time.Now().After(deadline) {
			t.Fatal("MQTT never connected")
		}
		time.Sleep(time.Millisecond)
	}

	p, _, _ := r.uplink(t, hal.RxPacket{Payload: []byte{0x40, 9, 9, 9}, Frequency: 868100000,
		DataRate: hal.LoRaRate(7, hal.BW125, hal.CR4_5), CRC: hal.CRCOK})
	up := ups.Wait(udptest.Wait, "uplink on MQTT", func(broker.Message) bool { return true })
	if !bytes.Contains(up.Payload, []byte(fmt.Sprintf(`"tmst":%d`, uint32(p.Count)))) {
		t.Fatalf("MQTT uplink %s lacks tmst %d", up.Payload, p.Count)
	}

	// UDP first, then MQTT at the same counter: MQTT's is refused.
	gw := r.a.GatewayID()
	at := p.Count + 1000000
	tx := loraTxpk(868100000, "SF7BW125", 14, 0x60, 1)
	tx.Tmst = u32(uint32(at))
	s.SendTxpk(1, tx)
	if a := s.NextTxAck(); a.Info.Error != gwmp.AckNone {
		t.Fatalf("TX_ACK %+v", a.Info)
	}
	b.MustPublish("lgw/"+gw+"/cmd/SendDownlink", fmt.Sprintf(`{"RequestId":"m1","PHYPayload":"YAE=","Frequency":868100000,"DataRate":5,"Power":14,"Timing":{"Tmst":%d}}`, uint32(at)))
	rsps.Wait(udptest.Wait, "SendDownlink response", func(m broker.Message) bool { return bytes.Contains(m.Payload, []byte(`"m1"`)) })
	downs.Wait(udptest.Wait, "the MQTT downlink's collision report", func(m broker.Message) bool {
		return bytes.Contains(m.Payload, []byte("COLLISION_PACKET"))
	})
	// MQTT first, then UDP: the TX_ACK says the collision.
	at2 := at + 500000
	b.MustPublish("lgw/"+gw+"/cmd/SendDownlink", fmt.Sprintf(`{"RequestId":"m2","PHYPayload":"YAE=","Frequency":868100000,"DataRate":5,"Power":14,"Timing":{"Tmst":%d}}`, uint32(at2)))
	rsps.Wait(udptest.Wait, "SendDownlink response", func(m broker.Message) bool { return bytes.Contains(m.Payload, []byte(`"m2"`)) })
	tx.Tmst = u32(uint32(at2))
	s.SendTxpk(2, tx)
	if a := s.NextTxAck(); a.Info.Error != gwmp.AckCollisionPacket {
		t.Fatalf("TX_ACK %+v, want COLLISION_PACKET", a.Info)
	}
	if !coarse(r.clk, 3*time.Second, func() bool { return len(r.sim.AirLog()) == 2 }) {
		t.Fatalf("air log %+v", r.sim.AirLog())
	}

	// A UDP downlink the chip refuses at hand-off: accepted in its
	// TX_ACK, then reported failed on MQTT and counted.
	r.sim.FailSend(errors.New("spi: transfer failed"), -1)
	tx.Tmst = u32(uint32(at2 + 3000000))
	s.SendTxpk(3, tx)
	if a := s.NextTxAck(); a.Info.Error != gwmp.AckNone {
		t.Fatalf("TX_ACK %+v", a.Info)
	}
	coarse(r.clk, 5*time.Second, func() bool { return r.a.udp.Status()[0].Failed == 1 })
	if st := r.a.udp.Status()[0]; st.Failed != 1 {
		t.Fatalf("status %+v, want one failure", st)
	}
	downs.Wait(udptest.Wait, "the UDP downlink's failure report", func(m broker.Message) bool {
		return bytes.Contains(m.Payload, []byte("TX_FAILED"))
	})
}
