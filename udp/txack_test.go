package udp_test

import (
	"errors"
	"net"
	"testing"

	"github.com/lgwagent/lgw/apierr"
	"github.com/lgwagent/lgw/gateway"
	"github.com/lgwagent/lgw/scheduler"
	"github.com/lgwagent/lgw/udp"
	"github.com/lgwagent/lgw/udp/gwmp"
)

func TestTxAckNamesEveryRefusal(t *testing.T) {
	r := newRig(t, 1, nil)
	s := r.servers[0]
	cases := []struct {
		code scheduler.Code
		want string
	}{
		{scheduler.TooLate, "TOO_LATE"},
		{scheduler.TooEarly, "TOO_EARLY"},
		{scheduler.CollisionPacket, "COLLISION_PACKET"},
		{scheduler.CollisionBeacon, "COLLISION_BEACON"},
		{scheduler.TxFreq, "TX_FREQ"},
		{scheduler.TxPower, "TX_POWER"},
		{scheduler.GPSUnlocked, "GPS_UNLOCKED"},
		{scheduler.QueueFull, "COLLISION_PACKET"},
		{scheduler.DutyCycle, "DUTY_CYCLE"},
	}
	for i, c := range cases {
		r.core.set(scheduler.Refuse(c.code, "because"), nil, nil)
		s.SendTxpk(uint16(i), txpkAt(1000))
		a := s.NextTxAck()
		if a.Token != uint16(i) || a.Info.Error != c.want || a.Info.Warn != "" {
			t.Fatalf("%s: TX_ACK %+v, want error %s", c.code, a, c.want)
		}
	}
	// The refusals' reports were skipped: nothing counts as sent or failed.
	st := r.waitStatus(t, 0, func(st udp.Status) bool { return st.Refused == uint64(len(cases)) })
	if st.Downlinks != uint64(len(cases)) || st.Sent != 0 || st.Failed != 0 {
		t.Fatalf("status %+v", st)
	}
	// Input no transmitter takes is answered by field; other invalid
	// input is not answered.
	r.core.set(nil, apierr.Newf(apierr.Validation, "Power", "40 dBm"), nil)
	s.SendTxpk(20, txpkAt(1000))
	if a := s.NextTxAck(); a.Token != 20 || a.Info.Error != gwmp.AckTxPower {
		t.Fatalf("TX_ACK %+v, want TX_POWER", a)
	}
	r.core.set(nil, apierr.Newf(apierr.Validation, "Frequency", "50 MHz"), nil)
	s.SendTxpk(21, txpkAt(1000))
	if a := s.NextTxAck(); a.Token != 21 || a.Info.Error != gwmp.AckTxFreq {
		t.Fatalf("TX_ACK %+v, want TX_FREQ", a)
	}
	r.core.set(nil, apierr.Newf(apierr.Validation, "PHYPayload", "too long"), nil)
	s.SendTxpk(22, txpkAt(1000))
	r.waitStatus(t, 0, func(st udp.Status) bool { return st.Malformed == 1 })
	r.core.set(nil, nil, nil)
	s.SendTxpk(23, txpkAt(1000))
	if a := s.NextTxAck(); a.Token != 23 {
		t.Fatalf("TX_ACK %+v, want the one of token 23 (22 is not answered)", a)
	}
}

func TestTxAckWarnsOfAClampedPower(t *testing.T) {
	r := newRig(t, 1, nil)
	s := r.servers[0]
	used := int8(12)
	r.core.set(nil, nil, &used)
	s.SendTxpk(1, txpkAt(1000)) // asks 14 dBm
	a := s.NextTxAck()
	if a.Info.Warn != gwmp.AckTxPower || a.Info.Value == nil || *a.Info.Value != 12 || a.Info.Error != "" {
		t.Fatalf("TX_ACK %+v, want warn TX_POWER value 12", a.Info)
	}
	// Without powe there is nothing to warn about.
	tx := txpkAt(1000)
	tx.Powe = nil
	s.SendTxpk(2, tx)
	if a := s.NextTxAck(); a.Info.Error != gwmp.AckNone || a.Info.Warn != "" {
		t.Fatalf("TX_ACK %+v, want NONE", a.Info)
	}
}

func TestReportsEndTheDownlinks(t *testing.T) {
	r := newRig(t, 1, nil)
	s := r.servers[0]
	s.SendTxpk(1, txpkAt(1000))
	s.NextTxAck()
	_, first := r.core.last()
	s.SendTxpk(2, txpkAt(2000))
	s.NextTxAck()
	_, second := r.core.last()
	// A report of another origin, and one of an unknown id, change nothing.
	r.core.events <- gateway.Event{Kind: gateway.EventReport, Report: &gateway.Report{MessageId: first, Origin: "mqtt",
		Result: gateway.TxResult{Code: gateway.Sent}}}
	r.finish("nobody", gateway.Sent)
	r.finish(second, scheduler.TxFailed)
	r.finish(first, gateway.Sent)
	st := r.waitStatus(t, 0, func(st udp.Status) bool { return st.Sent == 1 })
	if st.Failed != 1 {
		t.Fatalf("status %+v, want one sent and one failed", st)
	}
	// A report that overtakes SendDownlink's return is kept for it.
	r.finish("m3", gateway.Sent)
	s.SendTxpk(3, txpkAt(3000))
	s.NextTxAck()
	r.waitStatus(t, 0, func(st udp.Status) bool { return st.Sent == 2 })
}

func TestMalformedAndForeignDatagramsAreDropped(t *testing.T) {
	r := newRig(t, 1, nil)
	s := r.servers[0]
	good := gwmp.Packet{Type: gwmp.PullResp, Token: 9, JSON: []byte(`{"txpk":{"imme":true,"freq":868.1,"modu":"LORA","datr":"SF7BW125","codr":"4/5","data":"AQ=="}}`)}.Encode()
	bad := [][]byte{
		{},
		{2, 0},
		append([]byte{1}, good[1:]...), // protocol version 1
		{2, 0, 0, 9},                   // unknown type
		{2, 0, 0, byte(gwmp.PushData)}, // a gateway's datagram
		gwmp.Packet{Type: gwmp.PullResp, Token: 1, JSON: []byte(`{"txpk":`)}.Encode(),
		gwmp.Packet{Type: gwmp.PullResp, Token: 2, JSON: []byte(`{"txpk":{"imme":true,"freq":868.1,"modu":"LORA","datr":"SF7BW125","codr":"5/4","data":"AQ=="}}`)}.Encode(),
		gwmp.Packet{Type: gwmp.PullResp, Token: 3, JSON: []byte(`{"txpk":{"imme":true,"freq":868.1,"modu":"FSK","datr":50000,"data":"AQ=="}}`)}.Encode(),
	}
	for _, b := range bad {
		s.SendDown(b)
	}
	// From another address: ignored, not even counted as malformed.
	other, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.WriteToUDP(good, s.GatewayDown()); err != nil {
		t.Fatal(err)
	}
	// Then a good one from the server: it is the only one answered.
	s.SendDown(good)
	if a := s.NextTxAck(); a.Token != 9 || a.Info.Error != gwmp.AckNone {
		t.Fatalf("TX_ACK %+v", a)
	}
	st := r.waitStatus(t, 0, func(st udp.Status) bool { return st.Foreign == 1 })
	if st.Malformed != uint64(len(bad)) || st.Downlinks != 4 {
		t.Fatalf("malformed %d (want %d), downlinks %d (want 4)", st.Malformed, len(bad), st.Downlinks)
	}
	r.core.mu.Lock()
	n := len(r.core.got)
	r.core.mu.Unlock()
	if n != 1 {
		t.Fatalf("%d downlinks reached the core, want 1", n)
	}
}

func TestConfigValidation(t *testing.T) {
	cases := []struct {
		c   udp.Config
		key string
	}{
		{udp.Config{}, "server"},
		{udp.Config{Server: "udp://ns:1700"}, "server"},
		{udp.Config{Server: "ns.example.net:1700"}, "server"},
		{udp.Config{Server: "a b"}, "server"},
		{udp.Config{Server: "ns", PortUp: 70000}, "port_up"},
		{udp.Config{Server: "ns", PortDown: -1}, "port_down"},
		{udp.Config{Server: "ns", Keepalive: 1}, "keepalive"},
		{udp.Config{Server: "ns", StatInterval: 1}, "stat_interval"},
		{udp.Config{Server: "ns", MissedAcks: 1000}, "missed_acks"},
	}
	for _, c := range cases {
		var fe *udp.FieldError
		if err := c.c.Validate(); !errors.As(err, &fe) || fe.Key != c.key {
			t.Errorf("%+v: error %v, want one naming %s", c.c, err, c.key)
		}
	}
	for _, ok := range []string{"ns", "eu1.cloud.thethings.network", "127.0.0.1", "::1", "my_host-1.lan"} {
		if err := (udp.Config{Server: ok}).Validate(); err != nil {
			t.Fatalf("%s with defaults refused: %v", ok, err)
		}
	}
	if _, err := udp.New(nil, "xyz", &fakeCore{}, udp.Options{}); err == nil {
		t.Fatal("a bad gateway id accepted")
	}
}
