package mqtt_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/apierr"
	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/gateway"
	"github.com/lgwagent/lgw/mqtt"
	"github.com/lgwagent/lgw/mqtt/broker"
	"github.com/lgwagent/lgw/mqtt/mqtttest"
	"github.com/lgwagent/lgw/multicast"
	"github.com/lgwagent/lgw/scheduler"
)

const gw = "0016c001ff10a235"

const wait = 10 * time.Second

// fakeBackend records calls and answers with err[op] when set.
type fakeBackend struct {
	mu    sync.Mutex
	calls []string
	ins   map[string]any
	err   map[string]error
	block chan struct{}
}

func newFake() *fakeBackend { return &fakeBackend{ins: map[string]any{}, err: map[string]error{}} }

func (f *fakeBackend) rec(op string, in any) error {
	f.mu.Lock()
	f.calls = append(f.calls, op)
	f.ins[op] = in
	err := f.err[op]
	block := f.block
	f.mu.Unlock()
	if block != nil {
		<-block
	}
	return err
}

func (f *fakeBackend) setErr(op string, err error) {
	f.mu.Lock()
	f.err[op] = err
	f.mu.Unlock()
}

func (f *fakeBackend) calledOp(op string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.calls {
		if c == op {
			return true
		}
	}
	return false
}

func (f *fakeBackend) input(op string) any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ins[op]
}

func (f *fakeBackend) CreateMulticastGroup(_ context.Context, in multicast.CreateGroupInput) (multicast.CreateGroupOutput, error) {
	return multicast.CreateGroupOutput{Id: in.Id}, f.rec("CreateMulticastGroup", in)
}
func (f *fakeBackend) GetMulticastGroup(_ context.Context, in multicast.GroupIDInput) (multicast.GroupOutput, error) {
	return multicast.GroupOutput{Id: in.Id, Status: "NoSession", LoRaWAN: multicast.GroupLoRaWANOutput{RfRegion: "EU868", DlClass: "ClassC", McAddr: "01020304", HasKeys: true}}, f.rec("GetMulticastGroup", in)
}
func (f *fakeBackend) ListMulticastGroups(context.Context) (multicast.ListGroupsOutput, error) {
	return multicast.ListGroupsOutput{List: []multicast.GroupOutput{{Id: "g1"}}}, f.rec("ListMulticastGroups", nil)
}
func (f *fakeBackend) DeleteMulticastGroup(_ context.Context, in multicast.GroupIDInput) error {
	return f.rec("DeleteMulticastGroup", in)
}
func (f *fakeBackend) StartMulticastGroupSession(_ context.Context, in multicast.StartSessionInput) (multicast.SessionOutput, error) {
	return multicast.SessionOutput{Id: in.Id, State: multicast.StateScheduled}, f.rec("StartMulticastGroupSession", in)
}
func (f *fakeBackend) GetMulticastGroupSession(_ context.Context, in multicast.GroupIDInput) (multicast.SessionOutput, error) {
	return multicast.SessionOutput{Id: in.Id, State: multicast.StateActive}, f.rec("GetMulticastGroupSession", in)
}
func (f *fakeBackend) CancelMulticastGroupSession(_ context.Context, in multicast.GroupIDInput) error {
	return f.rec("CancelMulticastGroupSession", in)
}
func (f *fakeBackend) SendDataToMulticastGroup(_ context.Context, in multicast.SendDataInput) (multicast.SendDataOutput, error) {
	return multicast.SendDataOutput{MessageId: "m-1"}, f.rec("SendDataToMulticastGroup", in)
}
func (f *fakeBackend) SendDownlink(_ context.Context, in mqtt.SendDownlinkInput) (mqtt.SendDownlinkOutput, error) {
	return mqtt.SendDownlinkOutput{MessageId: "d-1"}, f.rec("SendDownlink", in)
}
func (f *fakeBackend) Stats(context.Context) (mqtt.Stats, error) {
	return mqtt.Stats{QueueDepth: 3, Tx: map[scheduler.Code]uint64{scheduler.Sent: 5}}, f.rec("Stats", nil)
}
func (f *fakeBackend) RestartConcentrator(context.Context) error {
	return f.rec("RestartConcentrator", nil)
}
func (f *fakeBackend) SetLogLevel(_ context.Context, level string) error {
	return f.rec("SetLogLevel", level)
}
func (f *fakeBackend) ResetMulticastStore(context.Context) (gateway.ResetStoreOutput, error) {
	return gateway.ResetStoreOutput{Moved: []string{"/x/multicast-groups.state"}}, f.rec("ResetMulticastStore", nil)
}

type harness struct {
	t       *testing.T
	b       *mqtttest.Broker
	c       *mqtt.Client
	fake    *fakeBackend
	clk     *clock.Virtual
	cfg     mqtt.Config
	rsp     *mqtttest.Collector
	state   *mqtttest.Collector
	started bool
}

func baseConfig(url string) mqtt.Config {
	return mqtt.Config{Server: url, TopicPrefix: "lgw", Keepalive: 30 * time.Second,
		StatsInterval: 30 * time.Second, BufferSize: 100, Management: true, RateLimit: 100, RateBurst: 100}
}

// newHarness starts a broker and a client (modified by mod) and waits for
// the link.
func newHarness(t *testing.T, bopts broker.Options, mod func(*mqtt.Config), opts ...mqtt.Option) *harness {
	t.Helper()
	h := &harness{t: t, b: mqtttest.Start(t, bopts), fake: newFake(),
		clk: clock.NewVirtual(time.Date(2026, 11, 21, 1, 0, 0, 0, time.UTC))}
	h.rsp = h.b.Collect("lgw/" + gw + "/rsp/#")
	h.state = h.b.Collect("lgw/" + gw + "/state")
	h.cfg = baseConfig(h.b.URL())
	if mod != nil {
		mod(&h.cfg)
	}
	c, err := mqtt.New(h.cfg, gw, h.fake, h.clk, zap.NewNop(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	h.c = c
	c.SetState(mqtt.State{Version: "test", Board: "sim", Region: "EU868", Chip: mqtt.Chip{Model: "sim"}})
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Stop)
	h.waitOnline(true)
	return h
}

func (h *harness) waitOnline(online bool) {
	h.t.Helper()
	h.state.Wait(wait, "state", func(m broker.Message) bool {
		var s mqtt.State
		return json.Unmarshal(m.Payload, &s) == nil && s.Online == online
	})
	if online && !h.c.Connected() {
		h.t.Fatal("online state published but Connected() is false")
	}
}

// waitStates waits for the n-th state message and returns its online flag.
func (h *harness) waitStates(n int) bool {
	h.t.Helper()
	all := h.state.WaitN(wait, n)
	var s mqtt.State
	if err := json.Unmarshal(all[n-1].Payload, &s); err != nil {
		h.t.Fatal(err)
	}
	return s.Online
}

// do sends a command and returns its response.
func (h *harness) do(op, rid, body string) mqtt.Response {
	h.t.Helper()
	h.b.MustPublish("lgw/"+gw+"/cmd/"+op, body)
	return h.response(op, rid)
}

func (h *harness) response(op, rid string) mqtt.Response {
	h.t.Helper()
	m := h.rsp.Wait(wait, op+" response "+rid, func(m broker.Message) bool {
		var r mqtt.Response
		return strings.HasSuffix(m.Topic, "/rsp/"+op) && json.Unmarshal(m.Payload, &r) == nil && r.RequestId == rid
	})
	var r mqtt.Response
	if err := json.Unmarshal(m.Payload, &r); err != nil {
		h.t.Fatal(err)
	}
	return r
}

func wantError(t *testing.T, r mqtt.Response, k apierr.Kind, field string) {
	t.Helper()
	if r.Error == nil {
		t.Fatalf("response %+v: want %s", r, k)
	}
	if r.Error.Type != k || r.Error.Field != field {
		t.Fatalf("error %+v: want type %s field %q", r.Error, k, field)
	}
	if r.Result != nil {
		t.Fatalf("error response has a Result: %+v", r)
	}
}
