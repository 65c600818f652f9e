package control_test

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/lgwagent/lgw/control"
	"github.com/lgwagent/lgw/gateway"
	"github.com/lgwagent/lgw/hal"
)

// TestTailExampleInDocs: the `lgw tail --json` line of docs/cli.md is what
// EventOf writes for that uplink.
func TestTailExampleInDocs(t *testing.T) {
	b, err := os.ReadFile("../docs/cli.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(b), "$ lgw tail --json --count 1\n")
	if !ok {
		t.Fatal("docs/cli.md has no lgw tail --json example")
	}
	doc, _, _ := strings.Cut(after, "\n")
	p := gateway.Uplink{Payload: make([]byte, 23), Frequency: 868100000, DataRate: hal.LoRaRate(7, hal.BW125, hal.CR4_5),
		CRC: hal.CRCOK, RSSIChannel: -57, SNR: 9.5, Count: 3738000000}
	ev := control.EventOf(gateway.Event{Kind: gateway.EventUplink, Time: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC), Uplink: &p})
	got, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := json.Compact(&want, []byte(doc)); err != nil {
		t.Fatalf("example %q: %v", doc, err)
	}
	if string(got) != want.String() {
		t.Fatalf("EventOf writes\n%s\nthe docs show\n%s", got, want.String())
	}
}
