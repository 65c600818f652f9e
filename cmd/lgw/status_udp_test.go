package main

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/lgwagent/lgw/control"
	"github.com/lgwagent/lgw/control/controltest"
)

// lgw status shows MQTT turned off and each UDP server, an unreachable
// one in capitals.
func TestStatusShowsUDPServers(t *testing.T) {
	since := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	s := control.Status{MQTT: control.MQTTStatus{Disabled: true}, UDP: []control.UDPStatus{
		{Server: "ns1:1700/1700", State: "up", Since: since, Connected: true, Detail: "4/4 uplinks acked"},
		{Server: "ns2:1700/1700", State: "unreachable", Since: since, Detail: "0/4 uplinks acked"},
	}}
	var b bytes.Buffer
	printStatus(&b, s)
	for _, want := range []string{
		"mqtt\tdisabled\n",
		"udp ns1:1700/1700\tup since 2026-11-21T10:00:00Z, 4/4 uplinks acked\n",
		"udp ns2:1700/1700\tSERVER UNREACHABLE since 2026-11-21T10:00:00Z, 0/4 uplinks acked\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("status lacks %q:\n%s", want, b.String())
		}
	}
}

// TestStatusUDPDocsExample renders the status of docs/cli.md's UDP
// example and compares its udp lines with the documented ones.
func TestStatusUDPDocsExample(t *testing.T) {
	doc, err := os.ReadFile("../../docs/cli.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```\n(udp .*?)```").FindSubmatch(doc)
	if m == nil {
		t.Fatal("no udp example in docs/cli.md")
	}
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	s := controltest.Sample().StatusV
	s.UDP = []control.UDPStatus{
		{Server: "ns1.example.net:1700/1700", State: "up", Since: at("2026-11-21T08:00:01Z"), Connected: true,
			Detail: "last ack 2026-11-21T09:59:58Z, 4120/4120 uplinks acked, 9374/9374 keepalives acked, 812 downlinks (3 refused, 809 sent, 0 failed), 0 malformed, 0 foreign"},
		{Server: "ns2.example.net:1700/1700", State: "unreachable", Since: at("2026-11-21T09:12:40Z"),
			Detail: "last ack 2026-11-21T09:12:10Z, 3310/4120 uplinks acked, 7540/9374 keepalives acked, 0 downlinks (0 refused, 0 sent, 0 failed), 0 malformed, 0 foreign, last error: send PUSH_DATA: network is unreachable"},
	}
	var b bytes.Buffer
	tw := tabwriter.NewWriter(&b, 0, 8, 2, ' ', 0)
	printStatus(tw, s)
	_ = tw.Flush()
	var got []string
	for _, l := range strings.Split(b.String(), "\n") {
		if strings.HasPrefix(l, "udp ") {
			got = append(got, l)
		}
	}
	if want := strings.TrimSpace(string(m[1])); strings.Join(got, "\n") != want {
		t.Fatalf("docs/cli.md shows\n%s\nlgw status prints\n%s", want, strings.Join(got, "\n"))
	}
}
