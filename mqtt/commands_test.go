package mqtt_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lgwagent/lgw/apierr"
	"github.com/lgwagent/lgw/mqtt"
	"github.com/lgwagent/lgw/mqtt/broker"
	"github.com/lgwagent/lgw/multicast"
)

func TestEveryOperationRouted(t *testing.T) {
	h := newHarness(t, broker.Options{}, nil)
	cases := []struct {
		op, body, backend, want string
	}{
		{"CreateMulticastGroup", `{"Id":"g1","LoRaWAN":{"RfRegion":"EU868","DlClass":"ClassC","McAddr":"01020304"}}`, "CreateMulticastGroup", `"Id":"g1"`},
		{"GetMulticastGroup", `{"Id":"g1"}`, "GetMulticastGroup", `"McAddr":"01020304"`},
		{"ListMulticastGroups", ``, "ListMulticastGroups", `"List":[{"Id":"g1"`},
		{"DeleteMulticastGroup", `{"Id":"g1"}`, "DeleteMulticastGroup", `"Result":{}`},
		{"StartMulticastGroupSession", `{"Id":"g1","LoRaWAN":{"DlDr":0,"DlFreq":869525000,"SessionStartTime":"2026-11-21T03:00:00Z","SessionTimeout":60}}`, "StartMulticastGroupSession", `"State":"Scheduled"`},
		{"GetMulticastGroupSession", `{"Id":"g1"}`, "GetMulticastGroupSession", `"State":"Active"`},
		{"CancelMulticastGroupSession", `{"Id":"g1"}`, "CancelMulticastGroupSession", `"Result":{}`},
		{"DeleteMulticastGroupSession", `{"Id":"g2"}`, "CancelMulticastGroupSession", `"Result":{}`},
		{"SendDataToMulticastGroup", `{"Id":"g1","PayloadData":"AQID","WirelessMetadata":{"LoRaWAN":{"FPort":2}}}`, "SendDataToMulticastGroup", `"MessageId":"m-1"`},
		{"SendDownlink", `{"PHYPayload":"YAQDAgEAAQABqqqqqg==","Frequency":869525000,"DataRate":0,"Power":14,"Timing":{"Tmst":1000000}}`, "SendDownlink", `"MessageId":"d-1"`},
		{"GetGatewayStatus", ``, "Stats", `"queue_depth":3`},
		{"RestartConcentrator", ``, "RestartConcentrator", `"Result":{}`},
		{"SetLogLevel", `{"Level":"debug"}`, "SetLogLevel", `"Level":"debug"`},
		{"ResetMulticastStore", ``, "ResetMulticastStore", `"Moved":["/x/multicast-groups.state"]`},
	}
	for i, tc := range cases {
		t.Run(tc.op, func(t *testing.T) {
			rid := "r" + string(rune('a'+i))
			body := tc.body
			if body == "" {
				body = `{"RequestId":"` + rid + `"}`
			} else {
				body = `{"RequestId":"` + rid + `",` + body[1:]
			}
			r := h.do(tc.op, rid, body)
			if r.Error != nil {
				t.Fatalf("error %+v", r.Error)
			}
			raw, _ := json.Marshal(r)
			if !strings.Contains(string(raw), tc.want) {
				t.Fatalf("response %s: want %s", raw, tc.want)
			}
			if h.fake.input(tc.backend) == nil && tc.backend != "ListMulticastGroups" && tc.backend != "Stats" && tc.backend != "RestartConcentrator" && !h.fake.calledOp(tc.backend) {
				t.Fatalf("backend %s not called", tc.backend)
			}
		})
	}
	in := h.fake.input("StartMulticastGroupSession").(multicast.StartSessionInput)
	if in.Id != "g1" || in.LoRaWAN.DlFreq == nil || *in.LoRaWAN.DlFreq != 869525000 || *in.LoRaWAN.SessionTimeout != 60 {
		t.Fatalf("decoded session input %+v", in)
	}
	if got := h.fake.input("CancelMulticastGroupSession").(multicast.GroupIDInput); got.Id != "g2" {
		t.Fatalf("DeleteMulticastGroupSession routed with %+v", got)
	}
	sd := h.fake.input("SendDownlink").(mqtt.SendDownlinkInput)
	if sd.Timing.Tmst == nil || *sd.Timing.Tmst != 1000000 || *sd.DataRate != 0 {
		t.Fatalf("decoded SendDownlink %+v", sd)
	}
	if got := h.fake.input("SetLogLevel"); got != "debug" {
		t.Fatalf("SetLogLevel got %v", got)
	}
}

func TestErrorTypes(t *testing.T) {
	h := newHarness(t, broker.Options{}, nil)
	h.fake.setErr("GetMulticastGroup", apierr.Newf(apierr.ResourceNotFound, "Id", "no group %q", "nope"))
	h.fake.setErr("StartMulticastGroupSession", apierr.Newf(apierr.Conflict, "", "a session is active"))
	h.fake.setErr("DeleteMulticastGroup", errors.New("disk full"))
	h.fake.setErr("RestartConcentrator", apierr.Wrap(apierr.InternalServer, errors.New("spi: timeout"), "restart"))
	cases := []struct {
		name, op, body string
		kind           apierr.Kind
		field          string
	}{
		{"malformed JSON", "GetMulticastGroup", `{"RequestId":"x1","Id":`, apierr.Validation, ""},
		{"not an object", "ListMulticastGroups", `["x2"]`, apierr.Validation, ""},
		{"unknown field", "GetMulticastGroup", `{"RequestId":"x3","Id":"g","Colour":"red"}`, apierr.Validation, "Colour"},
		{"nested unknown field", "StartMulticastGroupSession", `{"RequestId":"x4","Id":"g","LoRaWAN":{"DlDR":1}}`, apierr.Validation, "LoRaWAN.DlDR"},
		{"wrong case", "GetMulticastGroup", `{"RequestId":"x5","id":"g"}`, apierr.Validation, "id"},
		{"bad field type", "StartMulticastGroupSession", `{"RequestId":"x6","Id":"g","LoRaWAN":{"DlDr":"fast"}}`, apierr.Validation, "LoRaWAN.DlDr"},
		{"bad RequestId", "GetMulticastGroupSession", `{"RequestId":7,"Id":"g"}`, apierr.Validation, "RequestId"},
		{"unknown operation", "FormatDisk", `{"RequestId":"x8"}`, apierr.Validation, ""},
		{"bad log level", "SetLogLevel", `{"RequestId":"x9","Level":"loud"}`, apierr.Validation, "Level"},
		{"not found", "GetMulticastGroup", `{"RequestId":"x10","Id":"nope"}`, apierr.ResourceNotFound, "Id"},
		{"conflict", "StartMulticastGroupSession", `{"RequestId":"x11","Id":"g","LoRaWAN":{"SessionStartTime":"2026-11-21T03:00:00Z"}}`, apierr.Conflict, ""},
		{"plain error is internal", "DeleteMulticastGroup", `{"RequestId":"x12","Id":"g"}`, apierr.InternalServer, ""},
		{"internal", "RestartConcentrator", `{"RequestId":"x13"}`, apierr.InternalServer, ""},
		{"duplicate key", "GetMulticastGroup", `{"RequestId":"x14","Id":"g1","Id":"nope"}`, apierr.Validation, "Id"},
		{"nested duplicate key", "StartMulticastGroupSession", `{"RequestId":"x15","Id":"g","LoRaWAN":{"DlDr":1,"DlDr":2}}`, apierr.Validation, "LoRaWAN.DlDr"},
		{"GPSTime beyond int64", "SendDownlink", `{"RequestId":"x17","PHYPayload":"YAQDAgEAAQABqqqqqg==","Frequency":869525000,"DataRate":0,"Timing":{"GPSTime":92233720368547758070}}`, apierr.Validation, "Timing.GPSTime"},
		{"Tmst beyond uint32", "SendDownlink", `{"RequestId":"x18","PHYPayload":"YAQDAgEAAQABqqqqqg==","Frequency":869525000,"DataRate":0,"Timing":{"Tmst":4294967296}}`, apierr.Validation, "Timing.Tmst"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var rid string
			var r struct{ RequestId string }
			if json.Unmarshal([]byte(tc.body), &r) == nil {
				rid = r.RequestId
			}
			resp := h.do(tc.op, rid, tc.body)
			wantError(t, resp, tc.kind, tc.field)
		})
	}
}

// A command on cmd/ with no operation is answered on rsp/.
func TestEmptyOperationAnswered(t *testing.T) {
	h := newHarness(t, broker.Options{}, nil)
	wantError(t, h.do("", "e1", `{"RequestId":"e1"}`), apierr.Validation, "")
}

func TestManagementDisabled(t *testing.T) {
	h := newHarness(t, broker.Options{}, func(c *mqtt.Config) { c.Management = false })
	wantError(t, h.do("RestartConcentrator", "a", `{"RequestId":"a"}`), apierr.AccessDenied, "")
	wantError(t, h.do("SetLogLevel", "b", `{"RequestId":"b","Level":"debug"}`), apierr.AccessDenied, "")
	wantError(t, h.do("ResetMulticastStore", "r", `{"RequestId":"r"}`), apierr.AccessDenied, "")
	if r := h.do("GetGatewayStatus", "c", `{"RequestId":"c"}`); r.Error != nil {
		t.Fatalf("read-only operation refused: %+v", r.Error)
	}
	if h.fake.input("RestartConcentrator") != nil || h.fake.input("SetLogLevel") != nil || h.fake.calledOp("ResetMulticastStore") {
		t.Fatal("management operation reached the backend")
	}
}

func TestThrottling(t *testing.T) {
	h := newHarness(t, broker.Options{}, func(c *mqtt.Config) { c.RateLimit, c.RateBurst = 1, 2 })
	// The virtual clock does not move: the bucket holds 2 tokens.
	for _, rid := range []string{"t1", "t2"} {
		if r := h.do("GetMulticastGroup", rid, `{"RequestId":"`+rid+`","Id":"g"}`); r.Error != nil {
			t.Fatalf("%s: %+v", rid, r.Error)
		}
	}
	wantError(t, h.do("GetMulticastGroup", "t3", `{"RequestId":"t3","Id":"g"}`), apierr.Throttling, "")
	h.clk.Advance(time.Second)
	if r := h.do("GetMulticastGroup", "t4", `{"RequestId":"t4","Id":"g"}`); r.Error != nil {
		t.Fatalf("after refill: %+v", r.Error)
	}
	if s := h.c.Stats(); s.Throttled != 1 || s.Commands != 4 {
		t.Fatalf("stats %+v: want 1 throttled of 4", s)
	}
}

func TestFullCommandQueueThrottles(t *testing.T) {
	h := newHarness(t, broker.Options{}, nil, mqtt.WithCommandQueue(1))
	block := make(chan struct{})
	h.fake.mu.Lock()
	h.fake.block = block
	h.fake.mu.Unlock()
	// q1 occupies the worker, q2 the queue slot, q3 is refused.
	for _, rid := range []string{"q1", "q2", "q3"} {
		h.b.MustPublish("lgw/"+gw+"/cmd/GetMulticastGroup", `{"RequestId":"`+rid+`","Id":"g"}`)
		if rid == "q1" {
			waitCalls(t, h.fake, 1)
		}
	}
	wantError(t, h.response("GetMulticastGroup", "q3"), apierr.Throttling, "")
	close(block)
	for _, rid := range []string{"q1", "q2"} {
		if r := h.response("GetMulticastGroup", rid); r.Error != nil {
			t.Fatalf("%s: %+v", rid, r.Error)
		}
	}
}

func TestCommandDeadline(t *testing.T) {
	h := newHarness(t, broker.Options{}, nil, mqtt.WithCommandTimeout(100*time.Millisecond))
	block := make(chan struct{})
	h.fake.mu.Lock()
	h.fake.block = block
	h.fake.mu.Unlock()
	wantError(t, h.do("GetMulticastGroup", "slow", `{"RequestId":"slow","Id":"g"}`), apierr.InternalServer, "")
	close(block)
}

func waitCalls(t *testing.T, f *fakeBackend, n int) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		f.mu.Lock()
		got := len(f.calls)
		f.mu.Unlock()
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d backend calls, want %d", got, n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestKeysNeverEchoed(t *testing.T) {
	h := newHarness(t, broker.Options{}, nil)
	all := h.b.Collect("#")
	const nwk, app = "2b7e151628aed2a6abf7158809cf4f3c", "000102030405060708090a0b0c0d0e0f"
	h.fake.setErr("CreateMulticastGroup", apierr.Newf(apierr.Validation, "LoRaWAN.McAppSKey", "key %s is weak; other %s", app, strings.ToUpper(nwk)))
	body := `{"RequestId":"k1","Id":"g1","LoRaWAN":{"RfRegion":"EU868","DlClass":"ClassC","McAddr":"01020304","McNwkSKey":"` + nwk + `","McAppSKey":"` + app + `"}}`
	wantError(t, h.do("CreateMulticastGroup", "k1", body), apierr.Validation, "LoRaWAN.McAppSKey")
	h.fake.setErr("CreateMulticastGroup", nil)
	if r := h.do("CreateMulticastGroup", "k2", strings.Replace(body, "k1", "k2", 1)); r.Error != nil {
		t.Fatal(r.Error)
	}
	h.do("GetMulticastGroup", "k3", `{"RequestId":"k3","Id":"g1"}`)
	for _, m := range all.All() {
		if m.Topic == "lgw/"+gw+"/cmd/CreateMulticastGroup" {
			continue // the request itself
		}
		for _, k := range []string{nwk, app} {
			if bytes.Contains(bytes.ToLower(m.Payload), []byte(k)) {
				t.Fatalf("key echoed on %s: %s", m.Topic, m.Payload)
			}
		}
	}
}
