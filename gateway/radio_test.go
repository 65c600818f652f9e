package gateway_test

import (
	"testing"

	"github.com/lgwagent/lgw/gateway"
	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/region"
)

// The radio options of the UDP protocol reach the packet; without them a
// downlink keeps the LoRaWAN defaults (no CRC, explicit header).
func TestSendDownlinkRadioOptions(t *testing.T) {
	eu, err := region.Lookup("EU868")
	if err != nil {
		t.Fatal(err)
	}
	in := gateway.SendDownlinkInput{PHYPayload: "AQID", Frequency: 868100000, Datr: "SF7BW125",
		Timing: gateway.DownlinkTiming{Immediate: true}}
	req, err := in.Request(eu, 14)
	if err != nil {
		t.Fatal(err)
	}
	if p := req.Packet; !p.NoCRC || p.ImplicitHeader || p.Preamble != 0 {
		t.Fatalf("defaults %+v", p)
	}
	in.Radio = &gateway.RadioOptions{Preamble: 12, CRC: true, ImplicitHeader: true}
	if req, err = in.Request(eu, 14); err != nil {
		t.Fatal(err)
	}
	if p := req.Packet; p.NoCRC || !p.ImplicitHeader || p.Preamble != 12 {
		t.Fatalf("with options %+v", p)
	}
	in.Datr, in.Radio = "50000", &gateway.RadioOptions{FreqDeviation: 25000, CRC: true}
	if req, err = in.Request(eu, 14); err != nil {
		t.Fatal(err)
	}
	if p := req.Packet; p.DataRate != hal.FSKRate(50000, 25000) || p.NoCRC {
		t.Fatalf("FSK %+v", p)
	}
}
