package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/lgwagent/lgw/udp/gwmp"
)

// udpServer is the demo's class A network server on Semtech's UDP
// protocol, as ChirpStack or The Things Stack would be: one port for both
// directions, PUSH_ACK and PULL_ACK for every datagram, and a reply in
// RX1 (the uplink's tmst plus 1 s, same channel) to every fourth data
// uplink. The third of every four replies is asked for at the uplink's
// own tmst, to show a TOO_LATE TX_ACK.
type udpServer struct {
	conn *net.UDPConn
	p    func(format string, args ...any)

	mu      sync.Mutex
	gwDown  *net.UDPAddr
	token   uint16
	uplinks int
	replies int
	acks    map[string]int
	stats   int
}

func newUDPServer(printf func(string, ...any)) (*udpServer, error) {
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, fmt.Errorf("udp network server: %w", err)
	}
	return &udpServer{conn: c, p: printf, acks: map[string]int{}}, nil
}

// Port is the server's port (port_up and port_down).
func (s *udpServer) Port() int { return s.conn.LocalAddr().(*net.UDPAddr).Port }

// run serves until ctx ends.
func (s *udpServer) run(ctx context.Context) {
	go func() {
		<-ctx.Done()
		_ = s.conn.Close()
	}()
	buf := make([]byte, 65535)
	for {
		n, from, err := s.conn.ReadFromUDP(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		p, err := gwmp.Decode(buf[:n])
		if err != nil {
			s.p("UDP   malformed datagram from the gateway: %v", err)
			continue
		}
		s.handle(from, p)
	}
}

func (s *udpServer) handle(from *net.UDPAddr, p gwmp.Packet) {
	switch p.Type {
	case gwmp.PushData:
		_, _ = s.conn.WriteToUDP(gwmp.Packet{Type: gwmp.PushAck, Token: p.Token}.Encode(), from)
		up, err := gwmp.DecodeUpstream(p.JSON)
		if err != nil {
			s.p("UDP   PUSH_DATA undecodable: %v", err)
			return
		}
		for _, r := range up.RXPK {
			s.uplink(r)
		}
		if st := up.Stat; st != nil {
			s.mu.Lock()
			s.stats++
			s.mu.Unlock()
			s.p("UDP   stat rxnb=%d rxok=%d rxfw=%d ackr=%.1f%% dwnb=%d txnb=%d", st.RxNb, st.RxOK, st.RxFw, float64(st.ACKR), st.DwNb, st.TxNb)
		}
	case gwmp.PullData:
		s.mu.Lock()
		if s.gwDown == nil {
			s.p("UDP   gateway %s pulling from %s", p.EUI, from)
		}
		s.gwDown = from
		s.mu.Unlock()
		_, _ = s.conn.WriteToUDP(gwmp.Packet{Type: gwmp.PullAck, Token: p.Token}.Encode(), from)
	case gwmp.TxAck:
		a, err := gwmp.DecodeTxAck(p.JSON)
		if err != nil {
			s.p("UDP   TX_ACK undecodable: %v", err)
			return
		}
		name := a.Error
		if a.Warn != "" {
			name = "warning " + a.Warn
		}
		s.mu.Lock()
		s.acks[name]++
		s.mu.Unlock()
		s.p("UDP   TX_ACK token=%-5d %s", p.Token, name)
	}
}

// uplink prints a data uplink and answers every fourth in RX1.
func (s *udpServer) uplink(r gwmp.RXPK) {
	s.mu.Lock()
	s.uplinks++
	n, down := s.uplinks, s.gwDown
	s.mu.Unlock()
	s.p("UDP   rxpk tmst=%-10d %8.3f MHz %-10s rssi=%4d lsnr=%5.1f size=%d", r.Tmst, float64(r.Freq)/1e6, r.DatR,
		r.RSSI, lsnr(r.LSNR), r.Size)
	if n%4 != 0 || down == nil || len(r.Data) < 5 || r.Data[0]>>5 != 2 {
		return
	}
	s.mu.Lock()
	s.replies++
	late := s.replies%4 == 3
	s.token++
	token := s.token
	s.mu.Unlock()
	tmst, powe := r.Tmst+1000000, int32(14)
	if late {
		tmst = r.Tmst
	}
	// Unconfirmed data down to the uplink's DevAddr with ACK set; a demo
	// MIC.
	phy := []byte{0x60, r.Data[1], r.Data[2], r.Data[3], r.Data[4], 0x20, byte(s.replies), 0, 0xde, 0xad, 0xbe, 0xef}
	tx := gwmp.TXPK{Tmst: &tmst, Freq: r.Freq, Powe: &powe, Modu: "LORA", DatR: r.DatR, CodR: "4/5", IPol: true, Data: phy}
	b, err := gwmp.Downstream{TXPK: tx}.Encode()
	if err != nil {
		return
	}
	_, _ = s.conn.WriteToUDP(gwmp.Packet{Type: gwmp.PullResp, Token: token, JSON: b}.Encode(), down)
	s.p("UDP   PULL_RESP token=%-5d class A reply at tmst=%d%s", token, tmst, map[bool]string{true: " (deliberately too late)"}[late])
}

func lsnr(v *gwmp.Tenth) float64 {
	if v == nil {
		return 0
	}
	return float64(*v)
}

// summary is one line of what the server saw.
func (s *udpServer) summary() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fmt.Sprintf("udp summary: %d rxpk, %d replies, TX_ACK %v, %d stat", s.uplinks, s.replies, s.acks, s.stats)
}

// keepalive is the demo's forwarder keepalive and stat period.
const (
	udpKeepalive = 5 * time.Second
	udpStat      = 15 * time.Second
)
