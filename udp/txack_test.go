package udp_test

import (
	"errors"
	"net"
	"testing"

	"github.com/lgwagent/lgw/udp"
	"github.com/lgwagent/lgw/udp/gwmp"
)

func TestTxAckNamesEveryRefusal(t *testing.T) {
	r := newRig(t, 1, nil)
	s := r.servers[0]
	cases := []struct{ code, want string }{
		{"TOO_LATE", "TOO_LATE"},
		{"TOO_EARLY", "TOO_EARLY"},
		{"COLLISION_PACKET", "COLLISION_PACKET"},
		{"COLLISION_BEACON", "COLLISION_BEACON"},
		{"TX_FREQ", "TX_FREQ"},
		{"TX_POWER", "TX_POWER"},
		{"GPS_UNLOCKED", "GPS_UNLOCKED"},
		{"QUEUE_FULL", "COLLISION_PACKET"},
		{"DUTY_CYCLE", "DUTY_CYCLE"},
	}
	for i, c := range cases {
		r.core.set(udp.Admission{Code: c.code, Err: errors.New("because")})
		s.SendTxpk(uint16(i), txpkAt(1000))
		a := s.NextTxAck()
		if a.Token != uint16(i) || a.Info.Error != c.want || a.Info.Warn != "" {
			t.Fatalf("%s: TX_ACK %+v, want error %s", c.code, a, c.want)
		}
	}
	if st := r.svc.Status()[0]; st.Refused != uint64(len(cases)) || st.Downlinks != uint64(len(cases)) {
		t.Fatalf("status %+v", st)
	}
}

func TestTxAckWarnsOfAClampedPower(t *testing.T) {
	r := newRig(t, 1, nil)
	s := r.servers[0]
	r.core.set(udp.Admission{Power: 12})
	tx := txpkAt(1000)
	s.SendTxpk(1, tx) // asks 14 dBm
	a := s.NextTxAck()
	if a.Info.Warn != gwmp.AckTxPower || a.Info.Value == nil || *a.Info.Value != 12 || a.Info.Error != "" {
		t.Fatalf("TX_ACK %+v, want warn TX_POWER value 12", a.Info)
	}
	// A power no concentrator takes is refused without reaching the core.
	p := int32(300)
	tx.Powe = &p
	s.SendTxpk(2, tx)
	if a := s.NextTxAck(); a.Info.Error != gwmp.AckTxPower {
		t.Fatalf("TX_ACK %+v, want error TX_POWER", a.Info)
	}
}

func TestFailureAfterTheTxAckIsCounted(t *testing.T) {
	r := newRig(t, 1, nil)
	s := r.servers[0]
	s.SendTxpk(1, txpkAt(1000))
	s.NextTxAck()
	_, done := r.core.last()
	done(udp.Result{Code: "TX_FAILED", Err: errors.New("chip did not emit")})
	if st := r.svc.Status()[0]; st.Failed != 1 || st.Sent != 0 {
		t.Fatalf("status %+v", st)
	}
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
		gwmp.Packet{Type: gwmp.PullResp, Token: 2, JSON: []byte(`{"txpk":{"imme":true,"freq":868.1,"modu":"LORA","datr":"SF77BW125","codr":"4/5","data":"AQ=="}}`)}.Encode(),
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
	if err := (udp.Config{Server: "ns"}).Validate(); err != nil {
		t.Fatalf("defaults refused: %v", err)
	}
}
