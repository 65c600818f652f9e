package gateway_test

import (
	"errors"
	"testing"

	"github.com/lgwagent/lgw/apierr"
	"github.com/lgwagent/lgw/gateway"
	"github.com/lgwagent/lgw/region"
)

func TestSendDownlinkRanges(t *testing.T) {
	eu, err := region.Lookup("EU868")
	if err != nil {
		t.Fatal(err)
	}
	i64 := func(v int64) *int64 { return &v }
	u32 := func(v uint32) *uint32 { return &v }
	dr0 := 0
	base := func() gateway.SendDownlinkInput {
		return gateway.SendDownlinkInput{PHYPayload: "YAQDAgEAAQABqqqqqg==", Frequency: 869525000, DataRate: &dr0,
			Timing: gateway.DownlinkTiming{Tmst: u32(1000)}}
	}
	cases := []struct {
		name  string
		edit  func(*gateway.SendDownlinkInput)
		field string
	}{
		{"valid", func(*gateway.SendDownlinkInput) {}, ""},
		{"GPSTime max int64", func(in *gateway.SendDownlinkInput) {
			in.Timing = gateway.DownlinkTiming{GPSTime: i64(9223372036854775807)}
		}, "Timing.GPSTime"},
		{"GPSTime just past the bound", func(in *gateway.SendDownlinkInput) {
			in.Timing = gateway.DownlinkTiming{GPSTime: i64(gateway.MaxGPSTimeMillis + 1)}
		}, "Timing.GPSTime"},
		{"GPSTime negative", func(in *gateway.SendDownlinkInput) { in.Timing = gateway.DownlinkTiming{GPSTime: i64(-5)} }, "Timing.GPSTime"},
		{"base64 newline", func(in *gateway.SendDownlinkInput) { in.PHYPayload = "YAQDAgEAAQAB\nqqqqqg==" }, "PHYPayload"},
		{"base64 space", func(in *gateway.SendDownlinkInput) { in.PHYPayload = "YAQDAgEAAQAB qqqqqg==" }, "PHYPayload"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := base()
			tc.edit(&in)
			_, err := in.Request(eu, 14)
			if tc.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var ae *apierr.Error
			if !errors.As(err, &ae) || ae.Kind != apierr.Validation || ae.Field != tc.field {
				t.Fatalf("err %v: want ValidationException on %s", err, tc.field)
			}
		})
	}
}
