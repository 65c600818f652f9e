package mqtt

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/apierr"
	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/config"
	"github.com/lgwagent/lgw/hal/sim"
	"github.com/lgwagent/lgw/multicast"
	"github.com/lgwagent/lgw/multicast/multicasttest"
	"github.com/lgwagent/lgw/region"
)

// fuzzBackend runs every operation for real: the multicast manager on a
// simulator and a virtual clock, SendDownlink's validation against EU868.
type fuzzBackend struct {
	*multicast.Manager
	reg *region.Region
}

func (b fuzzBackend) SendDownlink(_ context.Context, in SendDownlinkInput) (SendDownlinkOutput, error) {
	if _, err := in.Request(b.reg, 14); err != nil {
		return SendDownlinkOutput{}, err
	}
	return SendDownlinkOutput{MessageId: "m"}, nil
}
func (fuzzBackend) Stats(context.Context) (Stats, error)      { return Stats{}, nil }
func (fuzzBackend) RestartConcentrator(context.Context) error { return nil }
func (fuzzBackend) SetLogLevel(context.Context, string) error { return nil }

// FuzzCommand decodes and runs arbitrary bodies on every operation: no
// panic, and every error is an *apierr.Error (answered with its type).
func FuzzCommand(f *testing.F) {
	for _, s := range []string{
		`{"Id":"g1","LoRaWAN":{"RfRegion":"EU868","DlClass":"ClassC","McAddr":"01020304","McNwkSKey":"000102030405060708090a0b0c0d0e0f","McAppSKey":"f0e0d0c0b0a090807060504030201000"}}`,
		`{"Id":"g1","LoRaWAN":{"DlDr":5,"SessionStartTime":"2026-03-01T12:31:00Z","SessionTimeout":600}}`,
		`{"Id":"g1","PayloadData":"AQID","WirelessMetadata":{"LoRaWAN":{"FPort":2}}}`,
		`{"PHYPayload":"YAQDAgEAAQABqqqqqg==","Frequency":869525000,"DataRate":0,"Power":14,"Timing":{"Tmst":1000000}}`,
		`{"PHYPayload":"YAQDAgEAAQABqqqqqg==","Frequency":869525000,"Datr":"SF9BW125","CodeRate":"4/6","Timing":{"GPSTime":1400000000000}}`,
		`{"Id":"g1","Id":"nope"}`, `{"Level":"debug"}`, `{}`, ``, `[`, `{"LoRaWAN":{"FCnt":4294967295}}`,
	} {
		for op := range Operations {
			f.Add(uint8(op), []byte(s))
		}
	}
	clk := clock.NewVirtual(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	s, err := sim.New(sim.Config{Clock: clk})
	if err != nil {
		f.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		f.Fatal(err)
	}
	m, err := multicast.Open(multicast.Config{Dir: f.TempDir(), Clock: clk, Tx: multicasttest.New(clk, s)})
	if err != nil {
		f.Fatal(err)
	}
	if err := m.Start(context.Background()); err != nil {
		f.Fatal(err)
	}
	f.Cleanup(m.Stop)
	eu, _ := region.Lookup("EU868")
	c, err := New(config.MQTT{Server: "tcp://127.0.0.1:1", Management: true}, "0016c001ff10a235",
		fuzzBackend{Manager: m, reg: eu}, clk, zap.NewNop())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, op uint8, body []byte) {
		name := Operations[int(op)%len(Operations)]
		_, _, err := c.dispatch(context.Background(), name, body)
		var ae *apierr.Error
		if err != nil && !errors.As(err, &ae) {
			t.Fatalf("%s: untyped error %T: %v", name, err, err)
		}
	})
}
