package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/lgwagent/lgw/control"
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
