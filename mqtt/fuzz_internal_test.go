package mqtt

import (
	"context"
	"errors"
	"testing"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/apierr"
	"github.com/lgwagent/lgw/gateway/gatewaytest"
	"github.com/lgwagent/lgw/multicast"
	"github.com/lgwagent/lgw/scheduler/schedulertest"
)

// FuzzCommand decodes and runs arbitrary bodies on every operation of the
// real core (multicast manager, SendDownlink admission, on the real
// scheduler over the simulator): no panic, and every error is an
// *apierr.Error (answered with its type).
func FuzzCommand(f *testing.F) {
	for _, s := range []string{
		`{"Id":"g1","LoRaWAN":{"RfRegion":"EU868","DlClass":"ClassC","McAddr":"01020304","McNwkSKey":"000102030405060708090a0b0c0d0e0f","McAppSKey":"f0e0d0c0b0a090807060504030201000"}}`,
		`{"Id":"g1","LoRaWAN":{"DlDr":5,"SessionStartTime":"2026-01-01T00:31:00Z","SessionTimeout":600}}`,
		`{"Id":"g1","PayloadData":"AQID","WirelessMetadata":{"LoRaWAN":{"FPort":2}}}`,
		`{"PHYPayload":"YAQDAgEAAQABqqqqqg==","Frequency":869525000,"DataRate":0,"Power":14,"Timing":{"Tmst":1000000}}`,
		`{"PHYPayload":"YAQDAgEAAQABqqqqqg==","Frequency":869525000,"Datr":"SF9BW125","CodeRate":"4/6","Timing":{"GPSTime":1400000000000}}`,
		`{"Id":"g1","Id":"nope"}`, `{"Level":"debug"}`, `{}`, ``, `[`, `{"LoRaWAN":{"FCnt":4294967295}}`,
	} {
		for op := range Operations {
			f.Add(uint8(op), []byte(s))
		}
	}
	rig := schedulertest.New(f, "EU868", nil)
	g := gatewaytest.New(f, rig, multicast.Config{Dir: f.TempDir(), Region: "EU868"})
	if err := g.Start(context.Background()); err != nil {
		f.Fatal(err)
	}
	c, err := New(Config{Server: "tcp://127.0.0.1:1", Management: true}.WithDefaults(), g.GatewayID(), Over(g), rig.Clock, zap.NewNop())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, op uint8, body []byte) {
		name := Operations[int(op)%len(Operations)]
		if name == OpRestartConcentrator {
			return // restarts the simulator; covered by its own tests
		}
		_, _, err := c.dispatch(context.Background(), name, body)
		var ae *apierr.Error
		if err != nil && !errors.As(err, &ae) {
			t.Fatalf("%s: untyped error %T: %v", name, err, err)
		}
	})
}
