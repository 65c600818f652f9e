package mqtt

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/lgwagent/lgw/gateway"
)

// The stats message carries the other adapters' links: a UDP network
// server that stopped answering shows as unreachable, with since when.
func TestStatsCarryOtherAdapters(t *testing.T) {
	since := time.Unix(1504806000, 0)
	s := gateway.Snapshot{Time: since, Started: since, Adapters: []gateway.AdapterStatus{
		{Name: "mqtt", Server: "tcp://broker:1883", Connected: true},
		{Name: "udp:ns:1700/1700", Server: "ns:1700/1700", State: "unreachable", Since: since},
	}}
	b, err := json.Marshal(StatsOf(s))
	if err != nil {
		t.Fatal(err)
	}
	want := `"adapters":[{"name":"udp:ns:1700/1700","server":"ns:1700/1700","connected":false,"state":"unreachable","since":1504806000}]`
	if !strings.Contains(string(b), want) {
		t.Fatalf("stats %s\nlack %s", b, want)
	}
	b, _ = json.Marshal(StatsOf(gateway.Snapshot{}))
	if strings.Contains(string(b), "adapters") {
		t.Fatalf("stats without other adapters: %s", b)
	}
}
