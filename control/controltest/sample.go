package controltest

import (
	"encoding/json"
	"time"

	"github.com/lgwagent/lgw/control"
)

// Epoch is the fixed time the sample data is built around.
var Epoch = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

// Sample returns an Agent filled with a plausible gateway: a running
// SX1302 with GPS lock, a connected broker, two queued transmissions, a
// class C group with an active session and some counters.
func Sample() *Agent {
	return &Agent{
		StatusV: control.Status{
			Version: "1.2.3", Started: Epoch.Add(-26 * time.Hour), Uptime: 26*time.Hour + 3*time.Minute,
			GatewayID: "0016c001ff10a235", Region: "EU868",
			Concentrator: control.Concentrator{Board: "rak2287", State: "running", Chip: "SX1302",
				EUI: "0016c001ff10a235", Firmware: "agc 6 arb 2 mcu 1", Temperature: 41.5, HasTemperature: true,
				Counter: 3735928559},
			TimeRef: control.TimeRef{GPS: true, Lock: true, Valid: true, LastPPS: Epoch.Add(-400 * time.Millisecond),
				Satellites: 9, Latitude: 48.8566, Longitude: 2.3522, Altitude: 35},
			MQTT:       control.MQTTStatus{Server: "ssl://broker.example.net:8883", Connected: true, Buffered: 0},
			QueueDepth: 2, LastRx: Epoch.Add(-3 * time.Second), LastTx: Epoch.Add(-90 * time.Second),
			LogLevel: "info",
		},
		QueueV: []control.QueueItem{
			{Ref: "b-1447000128", Class: "beacon", TimeLeft: 1500 * time.Millisecond, Trigger: "gps",
				Count: 3737428559, Freq: 869525000, Datr: "SF9BW125", Power: 27, Size: 17, Chain: 0, Origin: "beacon"},
			{Ref: "mc-7f3a", Class: "C", TimeLeft: 2*time.Second + 250*time.Millisecond, Trigger: "tmst",
				Count: 3738178559, Freq: 869525000, Datr: "SF12BW125", Power: 14, Size: 51, Chain: 0,
				Origin: "multicast:fuota-1"},
		},
		GroupsV: []control.Group{
			{ID: "fuota-1", McAddr: "01ab23cd", Class: "ClassC", Region: "EU868", HasKeys: true, NextFCnt: 12,
				Status: "Active"},
			{ID: "street-lights", McAddr: "01ab23ce", Class: "ClassB", Region: "EU868", HasKeys: true, NextFCnt: 0,
				Status: "NoSession"},
		},
		SessionsV: []control.Session{
			{GroupID: "fuota-1", Class: "ClassC", State: "Active", Start: Epoch.Add(-10 * time.Minute),
				End: Epoch.Add(118 * time.Minute), Timeout: 128 * time.Minute, DR: 0, Freq: 869525000,
				Queued: 1, Sent: 11},
		},
		StatsV: control.Stats{Since: Epoch.Add(-26 * time.Hour), RxReceived: 15234, RxOK: 14890, RxBadCRC: 331,
			RxNoCRC: 13, RxDropped: 0, TxRequested: 412, TxSent: 398,
			TxByCode: map[string]uint64{"TOO_LATE": 9, "COLLISION_PACKET": 3, "DUTY_CYCLE": 2},
			Beacons:  730, MQTTPublished: 16102, MQTTDropped: 0, MQTTReconnects: 1},
	}
}

// SampleUplink is an uplink event as tail shows it.
func SampleUplink() control.Event {
	return control.Event{Time: Epoch, Kind: "uplink",
		Summary: "868.100 SF7BW125 rssi -57 snr 9.5 23B",
		Data:    json.RawMessage(`{"freq":868100000,"datr":"SF7BW125","rssi":-57,"lsnr":9.5,"size":23}`)}
}

// SampleReport is a downlink report event as tail shows it.
func SampleReport() control.Event {
	return control.Event{Time: Epoch.Add(250 * time.Millisecond), Kind: "report",
		Summary: "mc-7f3a SENT tmst 3738178559",
		Data:    json.RawMessage(`{"type":"downlink","radio":{"hardware":{"tmst":3738178559,"status":"SENT"}}}`)}
}
