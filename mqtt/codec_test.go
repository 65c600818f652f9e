package mqtt_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lgwagent/lgw/gateway"
	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/mqtt"
	"github.com/lgwagent/lgw/multicast"
	"github.com/lgwagent/lgw/scheduler"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// golden compares got (indented) with testdata/name.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, got, "", "  "); err != nil {
		t.Fatal(err)
	}
	buf.WriteByte('\n')
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("%s differs:\n got %s\nwant %s", name, buf.Bytes(), want)
	}
}

// The seed example: SF12BW125 4/7 at 868.1 MHz, tmst 515586002, power 14.
func seedResult() scheduler.Result {
	return scheduler.Result{Ref: "fdbb09021c4523d9f28bb815ca872c70", Code: scheduler.Sent, Count: 515586002,
		UTC: time.Unix(1504806732, 249041000).UTC(), HasTime: true,
		Packet: hal.TxPacket{Payload: []byte{0x60, 0xb4, 0x65, 0xc3, 0x36, 0x87, 0x47, 0x00, 0x04, 0x00, 0x05, 0x00, 0xd2, 0xad, 0x84, 0x14, 0x7b, 0x7b, 0x34},
			Frequency: 868100000, Power: 14, DataRate: hal.LoRaRate(12, hal.BW125, hal.CR4_7), InvertIQ: true, NoCRC: true}}
}

func TestGoldenDownlinkUnicast(t *testing.T) {
	r := gateway.ReportFromUnicast("7c95bd79864622a4", "fdbb09021c4523d9f28bb815ca872c70", seedResult())
	r.Time = time.Unix(1504806731, 759066000)
	if r.DeviceAddr != "36c365b4" || r.CounterDown != 71 || r.Port != 0 {
		t.Fatalf("frame fields %+v", r)
	}
	b, err := mqtt.EncodeDownlinkReport(r)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "downlink_unicast.json", b)
}

func TestGoldenDownlinkMulticast(t *testing.T) {
	res := seedResult()
	res.HasTime = false
	res.Packet.Frequency = 869525000
	r := gateway.ReportFromMulticast("7c95bd79864622a4", multicast.Report{MessageId: "m-42", GroupId: "fuota-1",
		McAddr: [4]byte{0x36, 0xc3, 0x65, 0xb4}, FCnt: 65607, FPort: 200, Payload: []byte("hello"),
		PHYPayload: res.Packet.Payload, Duplicate: true, Result: res})
	r.Time = time.Unix(1504806731, 0)
	b, err := mqtt.EncodeDownlinkReport(r)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "downlink_multicast.json", b)
}

// A multicast frame sent again after a late hand-off says how many
// attempts it took, in a downlink and in a downlink_error alike.
func TestDownlinkAttempts(t *testing.T) {
	for _, code := range []scheduler.Code{scheduler.Sent, scheduler.TxFailed} {
		res := seedResult()
		res.Code = code
		if code != scheduler.Sent {
			res.Err = scheduler.Refuse(code, "never emitted")
		}
		r := gateway.ReportFromMulticast("7c95bd79864622a4", multicast.Report{MessageId: "m-1", GroupId: "g",
			PHYPayload: res.Packet.Payload, Attempts: 2, Result: res})
		b, err := mqtt.EncodeDownlinkReport(r)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), `"attempts":2`) {
			t.Errorf("%s: %s", code, b)
		}
	}
}

func TestGoldenDownlinkError(t *testing.T) {
	res := seedResult()
	res.Code = scheduler.TooLate
	res.Err = scheduler.Refuse(scheduler.TooLate, "starts in 4ms, minimum lead 10ms")
	r := gateway.ReportFromUnicast("7c95bd79864622a4", "d-7", res)
	r.Time = time.Unix(1504806731, 0)
	b, err := mqtt.EncodeDownlinkReport(r)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "downlink_error.json", b)
}

func TestGoldenUplink(t *testing.T) {
	p := hal.RxPacket{Payload: []byte{0x40, 0xb4, 0x65, 0xc3, 0x36, 0x80, 0x01, 0x00, 0x01, 0xaa, 0x11, 0x22, 0x33, 0x44},
		Frequency: 868300000, IFChain: 1, RFChain: 0, DataRate: hal.LoRaRate(7, hal.BW125, hal.CR4_5), CRC: hal.CRCOK,
		RSSIChannel: -57, RSSISignal: -58, SNR: 9.5, FreqOffset: -120, Count: 3000000000, FineTime: 123456789, HasFineTime: true}
	b, err := mqtt.EncodeUplink("7c95bd79864622a4", p, time.Unix(1504806731, 500000000))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "uplink.json", b)
}

func TestGoldenStateAndStats(t *testing.T) {
	temp := 41.5
	s := mqtt.Stats{Gateway: "7c95bd79864622a4", Time: mqtt.At(time.Unix(1504806731, 0)), Uptime: mqtt.Seconds(90 * time.Minute),
		Rx: mqtt.RxCounts{OK: 120, Bad: 3}, Tx: map[scheduler.Code]uint64{scheduler.Sent: 40, scheduler.DutyCycle: 2},
		QueueDepth: 1, DutyCycle: []mqtt.SubBandUse{{Name: "g3 869.4-869.65", Used: 0.012, Limit: 0.1}}, Beacons: 45,
		TimeRef: mqtt.TimeRef{Locked: true, Age: mqtt.Seconds(800 * time.Millisecond), PPM: -1.25}, Temperature: &temp,
		MQTT: mqtt.ClientStats{Connected: true, Connects: 2, Reconnects: 1, Losses: 1, Published: map[string]uint64{"uplink": 120},
			Dropped: map[string]uint64{"stats": 0}}}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "stats.json", b)
	st := mqtt.State{Online: true, Gateway: "7c95bd79864622a4", Version: "0.1.0", Board: "rak5146",
		Chip: mqtt.Chip{Model: "SX1303", Revision: "0x12", EUI: "0016c001ff10a235"}, Region: "EU868", Time: mqtt.At(time.Unix(1504806731, 0))}
	if b, err = json.Marshal(st); err != nil {
		t.Fatal(err)
	}
	golden(t, "state.json", b)
	var back mqtt.Stats
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
}

// The stats carry the hand-off figures once there was a hand-off.
func TestStatsHandoff(t *testing.T) {
	st := mqtt.StatsOf(gateway.Snapshot{Handoff: gateway.HandoffStatus{Count: 3, MinSlack: 12600 * time.Microsecond, MaxLate: 2 * time.Millisecond}})
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"handoff":{"count":3,"min_slack":0.0126,"max_late":0.002}`) {
		t.Fatalf("%s", b)
	}
	if b, _ := json.Marshal(mqtt.StatsOf(gateway.Snapshot{})); strings.Contains(string(b), "handoff") {
		t.Fatalf("handoff before any: %s", b)
	}
}
