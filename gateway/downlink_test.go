package gateway_test

import (
	"errors"
	"testing"

	"github.com/lgwagent/lgw/apierr"
	"github.com/lgwagent/lgw/gateway"
	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/region"
	"github.com/lgwagent/lgw/scheduler"
)

func ptr[T any](v T) *T { return &v }

func TestSendDownlinkRequest(t *testing.T) {
	eu, err := region.Lookup("EU868")
	if err != nil {
		t.Fatal(err)
	}
	ok := gateway.SendDownlinkInput{PHYPayload: "YLRlwzaHRwAEAAUA0q2EFHt7NA==", Frequency: 869525000, DataRate: ptr(0),
		Timing: gateway.DownlinkTiming{Tmst: ptr(uint32(1000))}}
	req, err := ok.Request(eu, 27)
	if err != nil {
		t.Fatal(err)
	}
	if req.Class != scheduler.ClassA || req.Timing.Mode != scheduler.AtCount || req.Timing.Count != 1000 ||
		req.Packet.Power != 27 || !req.Packet.InvertIQ || !req.Packet.NoCRC || req.Packet.DataRate.SpreadingFactor != 12 {
		t.Fatalf("request %+v", req)
	}
	c := ok
	c.DataRate, c.Datr, c.CodeRate, c.Timing = nil, "SF9BW125", "4/6", gateway.DownlinkTiming{Immediate: true}
	if req, err = c.Request(eu, 14); err != nil || req.Class != scheduler.ClassC || req.Packet.DataRate != hal.LoRaRate(9, hal.BW125, hal.CR4_6) {
		t.Fatalf("datr request %+v %v", req, err)
	}
	g := ok
	g.Timing = gateway.DownlinkTiming{GPSTime: ptr(int64(1400000000000))}
	if req, err = g.Request(eu, 14); err != nil || req.Class != scheduler.ClassB || req.Timing.Mode != scheduler.AtGPSTime {
		t.Fatalf("gps request %+v %v", req, err)
	}
	for _, tc := range []struct {
		field string
		mod   func(*gateway.SendDownlinkInput)
	}{
		{"PHYPayload", func(in *gateway.SendDownlinkInput) { in.PHYPayload = "!!" }},
		{"PHYPayload", func(in *gateway.SendDownlinkInput) { in.PHYPayload = "" }},
		{"Frequency", func(in *gateway.SendDownlinkInput) { in.Frequency = 0 }},
		{"Frequency", func(in *gateway.SendDownlinkInput) { in.Frequency = 868 }},
		{"DataRate", func(in *gateway.SendDownlinkInput) { in.DataRate = nil }},
		{"DataRate", func(in *gateway.SendDownlinkInput) { in.Datr = "SF7BW125" }},
		{"DataRate", func(in *gateway.SendDownlinkInput) { in.DataRate = ptr(42) }},
		{"Datr", func(in *gateway.SendDownlinkInput) { in.DataRate, in.Datr = nil, "SF13BW125" }},
		{"CodeRate", func(in *gateway.SendDownlinkInput) { in.DataRate, in.Datr, in.CodeRate = nil, "SF7BW125", "5/4" }},
		{"CodeRate", func(in *gateway.SendDownlinkInput) { in.CodeRate = "4/5" }},
		{"Power", func(in *gateway.SendDownlinkInput) { in.Power = ptr(99) }},
		{"RfChain", func(in *gateway.SendDownlinkInput) { in.RfChain = ptr(2) }},
		{"Class", func(in *gateway.SendDownlinkInput) { in.Class = "D" }},
		{"Timing", func(in *gateway.SendDownlinkInput) { in.Timing = gateway.DownlinkTiming{} }},
		{"Timing", func(in *gateway.SendDownlinkInput) { in.Timing.Immediate = true }},
		{"Timing.GPSTime", func(in *gateway.SendDownlinkInput) { in.Timing = gateway.DownlinkTiming{GPSTime: ptr(int64(-1))} }},
	} {
		in := ok
		tc.mod(&in)
		_, err := in.Request(eu, 14)
		var ae *apierr.Error
		if !errors.As(err, &ae) || ae.Kind != apierr.Validation || ae.Field != tc.field {
			t.Errorf("%s: got %v, want ValidationException on %s", tc.field, err, tc.field)
		}
	}
}
