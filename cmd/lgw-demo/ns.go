package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/lgwagent/lgw/clock"
)

// networkServer is the demo's scripted network server: it speaks lgw's
// public MQTT API (docs/mqtt-api.md) like any other client would.
type networkServer struct {
	addr, prefix string
	clk          clock.Clock
	out          io.Writer

	mu        sync.Mutex
	gateway   string
	online    chan struct{}
	responses map[string]chan rsp
	seq       int
	uplinks   int
	sent      int
	refused   map[string]int
	beacons   float64
	statsSeen int
}

type rsp struct {
	RequestId string          `json:"RequestId"`
	Result    json.RawMessage `json:"Result"`
	Error     *struct {
		Type    string `json:"Type"`
		Message string `json:"Message"`
	} `json:"Error"`
}

func newNetworkServer(addr, prefix string, clk clock.Clock, out io.Writer) *networkServer {
	return &networkServer{addr: addr, prefix: prefix, clk: clk, out: out, online: make(chan struct{}),
		responses: map[string]chan rsp{}, refused: map[string]int{}}
}

func (n *networkServer) printf(format string, args ...any) {
	n.mu.Lock()
	defer n.mu.Unlock()
	fmt.Fprintf(n.out, "%s  ", n.clk.Now().UTC().Format("15:04:05.000"))
	fmt.Fprintf(n.out, format, args...)
	fmt.Fprintln(n.out)
}

// connect connects to the broker and subscribes, waiting for the broker's
// acknowledgement: the demo does it before the agent starts, so the
// broker never replays a retained message to this subscription while the
// agent publishes its retained state (mochi-mqtt/server#200, a data race
// in the broker's retained-message index).
func (n *networkServer) connect() (paho.Client, error) {
	subscribe := func(c paho.Client) paho.Token { return c.Subscribe(n.prefix+"/+/#", 1, n.handle) }
	opts := paho.NewClientOptions().AddBroker("tcp://" + n.addr).SetClientID("demo-network-server").
		SetAutoReconnect(true).SetConnectTimeout(5 * time.Second)
	var connected atomic.Bool
	opts.SetOnConnectHandler(func(c paho.Client) {
		if connected.Swap(true) { // the first subscription is made below, and waited for
			subscribe(c)
		}
	})
	c := paho.NewClient(opts)
	if t := c.Connect(); !t.WaitTimeout(10*time.Second) || t.Error() != nil {
		return nil, fmt.Errorf("network server: connect to %s: %v", n.addr, t.Error())
	}
	if t := subscribe(c); !t.WaitTimeout(10*time.Second) || t.Error() != nil {
		c.Disconnect(250)
		return nil, fmt.Errorf("network server: subscribe: %v", t.Error())
	}
	return c, nil
}

// run drives the script on a connected client until duration has passed.
func (n *networkServer) run(ctx context.Context, c paho.Client, duration time.Duration) error {
	defer c.Disconnect(250)

	end := time.After(duration)
	select {
	case <-n.online:
	case <-time.After(20 * time.Second):
		return fmt.Errorf("network server: the gateway never came online")
	case <-ctx.Done():
		return nil
	}
	if err := n.script(ctx, c); err != nil {
		n.printf("script: %v", err)
	}
	select {
	case <-end:
	case <-ctx.Done():
	}
	return nil
}

// script creates the two groups, schedules their sessions and sends data.
func (n *networkServer) script(ctx context.Context, c paho.Client) error {
	now := n.clk.Now().UTC()
	steps := []struct {
		op   string
		body map[string]any
	}{
		{"CreateMulticastGroup", map[string]any{"Id": "demo-class-c", "LoRaWAN": map[string]any{
			"RfRegion": "EU868", "DlClass": "ClassC", "McAddr": "01aa02bb",
			"McNwkSKey": "2b7e151628aed2a6abf7158809cf4f3c", "McAppSKey": "3c4fcf098815f7aba6d2ae2816157e2b"}}},
		{"StartMulticastGroupSession", map[string]any{"Id": "demo-class-c", "LoRaWAN": map[string]any{
			"SessionStartTime": now.Add(5 * time.Second).Format(time.RFC3339), "SessionTimeout": 60}}},
		{"SendDataToMulticastGroup", sendBody("demo-class-c", "hello class C #1", 10)},
		{"SendDataToMulticastGroup", sendBody("demo-class-c", "hello class C #2", 10)},
		{"SendDataToMulticastGroup", sendBody("demo-class-c", "firmware chunk 0001", 201)},
		{"CreateMulticastGroup", map[string]any{"Id": "demo-class-b", "LoRaWAN": map[string]any{
			"RfRegion": "EU868", "DlClass": "ClassB", "McAddr": "01cc03dd",
			"McNwkSKey": "000102030405060708090a0b0c0d0e0f", "McAppSKey": "0f0e0d0c0b0a09080706050403020100"}}},
		{"StartMulticastGroupSession", map[string]any{"Id": "demo-class-b", "LoRaWAN": map[string]any{
			"SessionStartTime": now.Add(10 * time.Second).Format(time.RFC3339), "SessionTimeout": 120, "PingSlotPeriod": 32}}},
		{"SendDataToMulticastGroup", sendBody("demo-class-b", "hello class B #1", 20)},
		{"SendDataToMulticastGroup", sendBody("demo-class-b", "hello class B #2", 20)},
		{"SendDataToMulticastGroup", sendBody("demo-class-b", strings.Repeat("too long for DR0 ", 4), 20)},
		{"SendDataToMulticastGroup", sendBody("no-such-group", "lost?", 10)},
	}
	for _, s := range steps {
		r, err := n.call(ctx, c, s.op, s.body)
		if err != nil {
			return err
		}
		if r.Error != nil {
			n.printf("%-28s -> %s: %s", s.op, r.Error.Type, r.Error.Message)
			continue
		}
		n.printf("%-28s -> ok %s", s.op, compact(r.Result))
	}
	return nil
}

func sendBody(group, text string, port int) map[string]any {
	return map[string]any{"Id": group, "PayloadData": base64.StdEncoding.EncodeToString([]byte(text)),
		"WirelessMetadata": map[string]any{"LoRaWAN": map[string]any{"FPort": port}}}
}

func (n *networkServer) call(ctx context.Context, c paho.Client, op string, body map[string]any) (rsp, error) {
	n.mu.Lock()
	n.seq++
	id := fmt.Sprintf("demo-%d", n.seq)
	ch := make(chan rsp, 1)
	n.responses[id] = ch
	gw := n.gateway
	n.mu.Unlock()
	body["RequestId"] = id
	b, _ := json.Marshal(body)
	if t := c.Publish(n.prefix+"/"+gw+"/cmd/"+op, 1, false, b); !t.WaitTimeout(5*time.Second) || t.Error() != nil {
		return rsp{}, fmt.Errorf("publish %s: %v", op, t.Error())
	}
	select {
	case r := <-ch:
		return r, nil
	case <-time.After(10 * time.Second):
		return rsp{}, fmt.Errorf("%s: no response in 10 s", op)
	case <-ctx.Done():
		return rsp{}, ctx.Err()
	}
}

func (n *networkServer) handle(_ paho.Client, m paho.Message) {
	parts := strings.Split(m.Topic(), "/")
	if len(parts) < 3 {
		return
	}
	gw, kind := parts[1], parts[2]
	switch kind {
	case "state":
		var s struct {
			Online bool `json:"online"`
		}
		if json.Unmarshal(m.Payload(), &s) == nil && s.Online {
			n.mu.Lock()
			first := n.gateway == ""
			if first {
				n.gateway = gw
				close(n.online)
			}
			n.mu.Unlock()
			if first {
				n.printf("gateway %s online", gw)
			}
		}
	case "rsp":
		var r rsp
		if json.Unmarshal(m.Payload(), &r) != nil {
			return
		}
		n.mu.Lock()
		ch := n.responses[r.RequestId]
		delete(n.responses, r.RequestId)
		n.mu.Unlock()
		if ch != nil {
			ch <- r
		}
	case "up":
		n.printUplink(m.Payload())
	case "down":
		n.printReport(m.Payload())
	case "stats":
		n.printStats(m.Payload())
	}
}

func (n *networkServer) printUplink(b []byte) {
	var u struct {
		Params struct {
			Radio struct {
				Freq     float64 `json:"freq"`
				Datr     string  `json:"datr"`
				Hardware struct {
					Tmst   uint32  `json:"tmst"`
					RSSI   float64 `json:"rssi"`
					SNR    float64 `json:"snr"`
					Status int     `json:"status"`
				} `json:"hardware"`
			} `json:"radio"`
			Payload string `json:"payload"`
		} `json:"params"`
	}
	if err := json.Unmarshal(b, &u); err != nil {
		n.printf("uplink: undecodable: %v", err)
		return
	}
	n.mu.Lock()
	n.uplinks++
	n.mu.Unlock()
	r := u.Params.Radio
	n.printf("UP    tmst=%-10d %8.3f MHz %-10s rssi=%5.0f snr=%5.1f crc=%d", r.Hardware.Tmst, r.Freq, r.Datr,
		r.Hardware.RSSI, r.Hardware.SNR, r.Hardware.Status)
}

func (n *networkServer) printReport(b []byte) {
	var d struct {
		Type string `json:"type"`
		Meta struct {
			PacketID       string `json:"packet_id"`
			MulticastGroup string `json:"multicast_group"`
		} `json:"meta"`
		Params struct {
			CounterDown uint32 `json:"counter_down"`
			Status      string `json:"status"`
			Message     string `json:"message"`
			Duplicate   bool   `json:"duplicate"`
			Radio       struct {
				Freq     float64 `json:"freq"`
				Datr     string  `json:"datr"`
				Hardware struct {
					Tmst uint32 `json:"tmst"`
				} `json:"hardware"`
			} `json:"radio"`
		} `json:"params"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		n.printf("report: undecodable: %v", err)
		return
	}
	r := d.Params.Radio
	n.mu.Lock()
	if d.Type == "downlink" {
		n.sent++
	} else {
		n.refused[d.Params.Status]++
	}
	n.mu.Unlock()
	if d.Type == "downlink" {
		n.printf("DOWN  tmst=%-10d %8.3f MHz %-10s fcnt=%-4d %-14s SENT%s", r.Hardware.Tmst, r.Freq, r.Datr,
			d.Params.CounterDown, d.Meta.MulticastGroup, dupNote(d.Params.Duplicate))
		return
	}
	n.printf("DOWN  %-14s fcnt=%-4d %s: %s", d.Meta.MulticastGroup, d.Params.CounterDown, d.Params.Status, d.Params.Message)
}

func dupNote(dup bool) string {
	if dup {
		return " (duplicate)"
	}
	return ""
}

func (n *networkServer) printStats(b []byte) {
	var s map[string]any
	if json.Unmarshal(b, &s) != nil {
		return
	}
	n.mu.Lock()
	n.statsSeen++
	if v, ok := s["beacons"].(float64); ok {
		n.beacons = v
	}
	n.mu.Unlock()
	n.printf("STATS %s", compact(b))
}

func (n *networkServer) summary() {
	n.mu.Lock()
	defer n.mu.Unlock()
	fmt.Fprintf(n.out, "\nsummary: %d uplinks, %d downlinks sent, refused %v, %d beacons, %d stats messages\n",
		n.uplinks, n.sent, n.refused, int(n.beacons), n.statsSeen)
}

func compact(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 160 {
		s = s[:157] + "..."
	}
	return s
}
