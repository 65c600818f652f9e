package udp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/gateway"
	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/scheduler"
	"github.com/lgwagent/lgw/udp"
	"github.com/lgwagent/lgw/udp/gwmp"
	"github.com/lgwagent/lgw/udp/udptest"
)

var (
	t0 = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	gw = hal.EUI64{0x00, 0x16, 0xc0, 0x01, 0xff, 0x00, 0x00, 0x01}
)

// fakeCore answers every downlink as told and reports it on the event
// stream when the test says.
type fakeCore struct {
	mu      sync.Mutex
	refusal error
	invalid error
	power   *int8
	got     []gateway.SendDownlinkInput
	ids     []string
	events  chan gateway.Event
}

func (c *fakeCore) SendDownlink(_ context.Context, in gateway.SendDownlinkInput, origin string) (gateway.SendDownlinkOutput, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.invalid != nil {
		return gateway.SendDownlinkOutput{}, c.invalid
	}
	c.got = append(c.got, in)
	id := fmt.Sprintf("m%d", len(c.got))
	c.ids = append(c.ids, id)
	out := gateway.SendDownlinkOutput{MessageId: id, Refusal: c.refusal}
	if in.Power != nil {
		out.Power = int8(*in.Power)
	}
	if c.power != nil {
		out.Power = *c.power
	}
	if c.refusal != nil {
		// The core reports a refusal too, at once.
		c.events <- gateway.Event{Kind: gateway.EventReport, Report: &gateway.Report{MessageId: id, Origin: origin,
			Result: gateway.TxResult{Code: gateway.CodeOf(c.refusal), Err: c.refusal}}}
	}
	return out, nil
}

func (c *fakeCore) Snapshot(context.Context) (gateway.Snapshot, error) {
	return gateway.Snapshot{Location: gateway.Location{Latitude: 48.85341, Longitude: 2.3488, Altitude: 35.4}}, nil
}

// set changes the next answers: a refusal, an invalid-input error, a
// power.
func (c *fakeCore) set(refusal, invalid error, power *int8) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refusal, c.invalid, c.power = refusal, invalid, power
}

// last returns the last input and its MessageId.
func (c *fakeCore) last() (gateway.SendDownlinkInput, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.got[len(c.got)-1], c.ids[len(c.ids)-1]
}

// finish reports the end of a queued downlink.
func (r *rig) finish(id string, code gateway.Code) {
	r.core.events <- gateway.Event{Kind: gateway.EventReport, Report: &gateway.Report{MessageId: id,
		Origin: "udp:" + r.name(0), Result: gateway.TxResult{Code: code}}}
}

func (r *rig) name(i int) string {
	return fmt.Sprintf("127.0.0.1:%d/%d", r.servers[i].PortUp(), r.servers[i].PortDown())
}

// uplink hands the service a received packet as the core does.
func (r *rig) uplink(u udp.Uplink) {
	p := u.Packet
	r.core.events <- gateway.Event{Kind: gateway.EventUplink, Uplink: &p, GPSTime: u.GPSTime, HasGPSTime: u.HasGPSTime}
}

type rig struct {
	svc     *udp.Service
	core    *fakeCore
	clk     *clock.Virtual
	servers []*udptest.Server
}

// newRig starts a service on a virtual clock with one forwarder per
// server; edit changes each forwarder's configuration.
func newRig(t *testing.T, n int, edit func(*udp.Config)) *rig {
	t.Helper()
	r := &rig{core: &fakeCore{events: make(chan gateway.Event, 64)}, clk: clock.NewVirtual(t0)}
	var cfgs []udp.Config
	for range n {
		s := udptest.New(t)
		r.servers = append(r.servers, s)
		c := udp.Config{Server: "127.0.0.1", PortUp: s.PortUp(), PortDown: s.PortDown(), Keepalive: 5 * time.Second,
			StatInterval: 30 * time.Second}
		if edit != nil {
			edit(&c)
		}
		cfgs = append(cfgs, c)
	}
	svc, err := udp.New(cfgs, gw.String(), r.core, udp.Options{Clock: r.clk})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Start(t.Context(), r.core.events); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Stop)
	r.svc = svc
	for _, s := range r.servers {
		s.NextPull() // the first keepalive goes out at start
	}
	<-r.clk.BlockUntil(2 * n) // every forwarder's keepalive and stat tickers
	return r
}

// waitStatus polls the first forwarder's status until cond holds.
func (r *rig) waitStatus(t *testing.T, i int, cond func(udp.Status) bool) udp.Status {
	t.Helper()
	deadline := time.Now().Add(udptest.Wait)
	for time.Now().Before(deadline) {
		if st := r.svc.Status()[i]; cond(st) {
			return st
		}
		time.Sleep(time.Millisecond)
	}
	st := r.svc.Status()[i]
	t.Fatalf("status never reached the condition: %+v", st)
	return st
}

func loraPacket() hal.RxPacket {
	return hal.RxPacket{Payload: []byte{0x40, 1, 2, 3, 4, 5}, Frequency: 868300000, IFChain: 4, RFChain: 1,
		DataRate: hal.LoRaRate(9, hal.BW125, hal.CR4_6), CRC: hal.CRCOK, RSSIChannel: -57.4, RSSISignal: -61.6,
		SNR: 7.25, FreqOffset: -1221, Count: 3512348611, FineTime: 85224290, HasFineTime: true}
}

// checkRXPK compares an rxpk with the hal packet it came from.
func checkRXPK(t *testing.T, r gwmp.RXPK, u udp.Uplink) {
	t.Helper()
	p := u.Packet
	if r.Tmst != uint32(p.Count) || r.Chan != p.IFChain || r.RFCh != p.RFChain || uint32(r.Freq) != p.Frequency ||
		r.Stat != int8(p.CRC) || r.Modu != p.DataRate.Modulation.String() || int(r.Size) != len(p.Payload) ||
		string(r.Data) != string(p.Payload) {
		t.Fatalf("rxpk %+v does not match %+v", r, p)
	}
	if want := int32(p.RSSIChannel - 0.5); p.RSSIChannel < 0 && r.RSSI != int32(roundHalf(p.RSSIChannel)) {
		t.Fatalf("rssi %d, want %d (from %v)", r.RSSI, want, p.RSSIChannel)
	}
	if (r.FTime != nil) != p.HasFineTime || (p.HasFineTime && *r.FTime != p.FineTime) {
		t.Fatalf("ftime %v, want %v (%v)", r.FTime, p.FineTime, p.HasFineTime)
	}
	if u.HasGPSTime {
		if r.Tmms == nil || *r.Tmms != uint64(u.GPSTime/time.Millisecond) || r.Time == nil {
			t.Fatalf("tmms %v time %v, want %v", r.Tmms, r.Time, u.GPSTime)
		}
	} else if r.Tmms != nil || r.Time != nil {
		t.Fatalf("tmms %v time %v without a GPS time", r.Tmms, r.Time)
	}
	switch p.DataRate.Modulation {
	case hal.LoRa:
		if r.DatR.LoRa != p.DataRate.Datr() || r.CodR != p.DataRate.CodeRate.String() || r.RSSIS == nil ||
			*r.RSSIS != int32(roundHalf(p.RSSISignal)) || r.LSNR == nil || float64(*r.LSNR) != float64(roundTenth(p.SNR)) ||
			r.Foff == nil || *r.Foff != p.FreqOffset {
			t.Fatalf("LoRa fields of %+v do not match %+v", r, p)
		}
	case hal.FSK:
		if r.DatR.FSK != p.DataRate.BitRate || r.CodR != "" || r.LSNR != nil || r.RSSIS != nil {
			t.Fatalf("FSK fields of %+v do not match %+v", r, p)
		}
	}
}

func roundHalf(f float32) float64 {
	if f < 0 {
		return float64(int(f - 0.5))
	}
	return float64(int(f + 0.5))
}

func roundTenth(f float32) float64 { return roundHalf(f*10) / 10 }

func TestUplinksReachEveryServerWithEveryField(t *testing.T) {
	r := newRig(t, 2, nil)
	gpsTime := 1_400_000_000*time.Second + 123456*time.Microsecond
	ups := []udp.Uplink{
		{Packet: loraPacket(), GPSTime: gpsTime, HasGPSTime: true},
		{Packet: hal.RxPacket{Payload: []byte("fsk!"), Frequency: 868800000, IFChain: 9, RFChain: 0,
			DataRate: hal.FSKRate(50000, 25000), CRC: hal.CRCOK, RSSIChannel: -75, Count: 17}},
	}
	for _, u := range ups {
		r.uplink(u)
	}
	for si, s := range r.servers {
		for _, u := range ups {
			got := s.NextRXPK()
			checkRXPK(t, got, u)
		}
		if s.EUI() != gwmp.EUI(gw) {
			t.Fatalf("server %d saw gateway %v, want %v", si, s.EUI(), gw)
		}
	}
	// GPS time to UTC takes the leap seconds into account (18 s since 2017).
	s := r.servers[0]
	r.uplink(ups[0])
	got := s.NextRXPK()
	want := time.Date(1980, 1, 6, 0, 0, 0, 0, time.UTC).Add(gpsTime - 18*time.Second)
	if !time.Time(*got.Time).Equal(want) {
		t.Fatalf("time %v, want %v", time.Time(*got.Time), want)
	}
	r.waitStatus(t, 1, func(st udp.Status) bool { return st.Forwarded == 3 && st.PushAcked == 3 && st.State == "up" })
}

func TestCRCFailedPacketsFollowTheSetting(t *testing.T) {
	bad := loraPacket()
	bad.CRC, bad.HasFineTime = hal.CRCBad, false
	none := loraPacket()
	none.CRC, none.HasFineTime = hal.CRCNone, false
	good := loraPacket()

	r := newRig(t, 1, nil)
	for _, p := range []hal.RxPacket{bad, none, good} {
		r.uplink(udp.Uplink{Packet: p})
	}
	checkRXPK(t, r.servers[0].NextRXPK(), udp.Uplink{Packet: good})
	r.clk.Advance(30 * time.Second)
	st := r.servers[0].NextStat()
	if st.RxNb != 3 || st.RxOK != 1 || st.RxFw != 1 {
		t.Fatalf("stat rxnb=%d rxok=%d rxfw=%d, want 3, 1, 1", st.RxNb, st.RxOK, st.RxFw)
	}
	r.servers[0].NoRXPK()

	r = newRig(t, 1, func(c *udp.Config) { c.ForwardCRCError, c.ForwardNoCRC = true, true })
	for _, p := range []hal.RxPacket{bad, none} {
		r.uplink(udp.Uplink{Packet: p})
		checkRXPK(t, r.servers[0].NextRXPK(), udp.Uplink{Packet: p})
	}
}

func TestStatAtTheInterval(t *testing.T) {
	r := newRig(t, 1, nil)
	s := r.servers[0]
	for range 3 {
		r.uplink(udp.Uplink{Packet: loraPacket()})
		s.NextRXPK()
	}
	r.waitStatus(t, 0, func(st udp.Status) bool { return st.PushAcked == 3 })
	// One downlink sent, one refused.
	s.SendTxpk(7, txpkAt(1000000))
	if a := s.NextTxAck(); a.Info.Error != gwmp.AckNone {
		t.Fatalf("TX_ACK %+v", a)
	}
	_, id := r.core.last()
	r.finish(id, gateway.Sent)
	r.waitStatus(t, 0, func(st udp.Status) bool { return st.Sent == 1 })
	r.core.set(scheduler.Refuse(scheduler.TooLate, "late"), nil, nil)
	s.SendTxpk(8, txpkAt(1000000))
	s.NextTxAck()

	r.clk.Advance(30 * time.Second)
	st := s.NextStat()
	if st.RxNb != 3 || st.RxOK != 3 || st.RxFw != 3 || st.ACKR != 100 || st.DwNb != 2 || st.TxNb != 1 {
		t.Fatalf("stat %+v", st)
	}
	if st.Lati == nil || float64(*st.Lati) != 48.85341 || float64(*st.Long) != 2.3488 || *st.Alti != 35 {
		t.Fatalf("stat position %v %v %v", st.Lati, st.Long, st.Alti)
	}
	if !time.Time(st.Time).Equal(t0.Add(30 * time.Second)) {
		t.Fatalf("stat time %v", time.Time(st.Time))
	}
	// The next interval starts from zero; the stat datagram itself was
	// acknowledged.
	r.waitStatus(t, 0, func(st udp.Status) bool { return st.PushAcked == 4 })
	r.clk.Advance(30 * time.Second)
	if st := s.NextStat(); st.RxNb != 0 || st.DwNb != 0 || st.TxNb != 0 || st.ACKR != 100 {
		t.Fatalf("second stat %+v", st)
	}
	// Nothing acknowledged: ackr falls.
	r.waitStatus(t, 0, func(st udp.Status) bool { return st.PushAcked == 5 })
	s.SetAnswering(false, true)
	r.uplink(udp.Uplink{Packet: loraPacket()})
	s.NextRXPK()
	r.clk.Advance(30 * time.Second)
	if st := s.NextStat(); st.ACKR != 50 {
		t.Fatalf("ackr %v with the uplink unacknowledged and the previous stat acknowledged, want 50", st.ACKR)
	}
}

func TestKeepaliveLossAndRecovery(t *testing.T) {
	r := newRig(t, 1, nil)
	s := r.servers[0]
	r.waitStatus(t, 0, func(st udp.Status) bool { return st.State == "up" && st.PullAcked == 1 })
	s.SetAnswering(false, false)
	for i := range 2 {
		r.clk.Advance(5 * time.Second)
		s.NextPull()
		if st := r.svc.Status()[0]; st.State != "up" {
			t.Fatalf("state %q after %d silent keepalives, want up", st.State, i+1)
		}
	}
	// Three keepalive periods without an acknowledgement.
	r.clk.Advance(5 * time.Second)
	s.NextPull()
	// The server can see the fourth PULL_DATA before the forwarder has
	// counted it (the count follows the write): wait for both.
	st := r.waitStatus(t, 0, func(st udp.Status) bool { return st.State == "unreachable" && st.PullSent == 4 })
	if !st.Since.Equal(t0.Add(15 * time.Second)) {
		t.Fatalf("unreachable since %v", st.Since)
	}
	// What the core's Snapshot (lgw status, MQTT stats) shows.
	var as gateway.AdapterStatus
	r.svc.Register(func(name string, status func() gateway.AdapterStatus) { as = status() })
	detail := regexp.MustCompile(`^last ack 2026-11-21T12:00:00Z, 0/0 uplinks acked, 1/4 keepalives acked, ` +
		`0 downlinks \(0 refused, 0 sent, 0 failed\), 0 malformed, 0 foreign$`)
	if as.Name != "udp:"+r.name(0) || as.Server != r.name(0) || as.Connected || as.State != "unreachable" ||
		!as.Since.Equal(st.Since) || !detail.MatchString(as.Detail) {
		t.Fatalf("adapter status %+v", as)
	}
	s.SetAnswering(true, true)
	r.clk.Advance(5 * time.Second)
	s.NextPull()
	st = r.waitStatus(t, 0, func(st udp.Status) bool { return st.State == "up" && st.PullSent == 5 })
	if st.PullAcked != 2 {
		t.Fatalf("pulls sent %d acked %d, want 5 and 2", st.PullSent, st.PullAcked)
	}
}

func txpkAt(tmst uint32) gwmp.TXPK {
	powe := int32(14)
	return gwmp.TXPK{Tmst: &tmst, Freq: 869525000, RFCh: 0, Powe: &powe, Modu: "LORA",
		DatR: gwmp.DataRate{LoRa: "SF9BW125"}, CodR: "4/5", IPol: true, Data: gwmp.Data{0x60, 1, 2, 3}}
}

func TestPullRespMapsEveryField(t *testing.T) {
	r := newRig(t, 1, nil)
	s := r.servers[0]
	prea, short, size, fdev, powe := uint16(10), uint16(2), uint16(4), uint32(25000), int32(20)
	tmst, tmms := uint32(4000000), uint64(1_400_000_123_000)
	ip := func(v int) *int { return &v }
	bp := func(v bool) *bool { return &v }
	cases := []struct {
		name string
		tx   gwmp.TXPK
		want gateway.SendDownlinkInput
	}{
		{"class A LoRa", gwmp.TXPK{Tmst: &tmst, Freq: 868100000, RFCh: 1, Powe: &powe, Modu: "LORA",
			DatR: gwmp.DataRate{LoRa: "SF7BW125"}, CodR: "4/6", IPol: true, Prea: &prea, Size: &size,
			Data: gwmp.Data{1, 2, 3, 4}, NCRC: true},
			gateway.SendDownlinkInput{PHYPayload: "AQIDBA==", Frequency: 868100000, Datr: "SF7BW125", CodeRate: "4/6",
				Power: ip(20), RfChain: ip(1), InvertIQ: bp(true), Timing: gateway.DownlinkTiming{Tmst: &tmst},
				Radio: &gateway.RadioOptions{Preamble: 10}}},
		{"class B on GPS time, no power, header off, short preamble", gwmp.TXPK{Tmms: &tmms, Freq: 869525000,
			Modu: "LORA", DatR: gwmp.DataRate{LoRa: "SF12BW125"}, CodR: "2/3", Data: gwmp.Data{9}, NHdr: true, Prea: &short},
			gateway.SendDownlinkInput{PHYPayload: "CQ==", Frequency: 869525000, Datr: "SF12BW125", CodeRate: "4/6",
				RfChain: ip(0), InvertIQ: bp(false), Timing: gateway.DownlinkTiming{GPSTime: ptr(int64(1_400_000_123_000))},
				Radio: &gateway.RadioOptions{Preamble: 6, CRC: true, ImplicitHeader: true}}},
		{"immediate FSK", gwmp.TXPK{Imme: true, Tmst: &tmst, Freq: 868800000, Powe: &powe, Modu: "FSK",
			DatR: gwmp.DataRate{FSK: 50000}, FDev: &fdev, Data: gwmp.Data{7, 7}},
			gateway.SendDownlinkInput{PHYPayload: "Bwc=", Frequency: 868800000, Datr: "50000", Power: ip(20),
				RfChain: ip(0), InvertIQ: bp(false), Timing: gateway.DownlinkTiming{Immediate: true},
				Radio: &gateway.RadioOptions{CRC: true, FreqDeviation: 25000}}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s.SendTxpk(uint16(100+i), c.tx)
			a := s.NextTxAck()
			if a.Token != uint16(100+i) || a.Info.Error != gwmp.AckNone || a.EUI != gwmp.EUI(gw) {
				t.Fatalf("TX_ACK %+v", a)
			}
			got, _ := r.core.last()
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("input\n%s\nwant\n%s", dump(got), dump(c.want))
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func dump(in gateway.SendDownlinkInput) string {
	b, _ := json.Marshal(in)
	return fmt.Sprintf("%s radio=%+v", b, in.Radio)
}
