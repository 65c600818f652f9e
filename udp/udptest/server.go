// Package udptest is a network server's side of GWMP for tests: it
// listens on two loopback UDP ports, acknowledges PUSH_DATA and PULL_DATA
// (unless told not to), collects rxpk, stat and TX_ACK, and sends
// PULL_RESP to the gateway's downstream address.
package udptest

import (
	"encoding/json"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/lgwagent/lgw/udp/gwmp"
)

// Wait bounds how long the helpers wait for a datagram over the loopback.
// It only guards against a hang; tests never measure time with it.
const Wait = 20 * time.Second

// TxAck is a TX_ACK the server received.
type TxAck struct {
	Token uint16
	EUI   gwmp.EUI
	Info  gwmp.TxAckInfo
}

// Server is the test network server.
type Server struct {
	t        testing.TB
	up, down *net.UDPConn

	rxpk  chan gwmp.RXPK
	stats chan gwmp.Stat
	acks  chan TxAck
	pulls chan gwmp.Packet

	mu         sync.Mutex
	gwDown     *net.UDPAddr
	eui        gwmp.EUI
	ackPush    bool
	ackPull    bool
	bad        []error
	pullsTotal int
}

// New starts a server on two ephemeral loopback ports; it stops with the
// test.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{t: t, rxpk: make(chan gwmp.RXPK, 1024), stats: make(chan gwmp.Stat, 64),
		acks: make(chan TxAck, 64), pulls: make(chan gwmp.Packet, 64), ackPush: true, ackPull: true}
	var err error
	if s.up, err = net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)}); err != nil {
		t.Fatal(err)
	}
	if s.down, err = net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); s.serve(s.up) }()
	go func() { defer wg.Done(); s.serve(s.down) }()
	t.Cleanup(func() {
		_ = s.up.Close()
		_ = s.down.Close()
		wg.Wait()
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, err := range s.bad {
			t.Errorf("udptest: the gateway sent a bad datagram: %v", err)
		}
	})
	return s
}

// PortUp and PortDown are the server's ports.
func (s *Server) PortUp() int   { return s.up.LocalAddr().(*net.UDPAddr).Port }
func (s *Server) PortDown() int { return s.down.LocalAddr().(*net.UDPAddr).Port }

// SetAnswering turns the PUSH_ACK and PULL_ACK answers on or off (to
// simulate a server that went away).
func (s *Server) SetAnswering(push, pull bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ackPush, s.ackPull = push, pull
}

// Pulls returns how many PULL_DATA arrived so far.
func (s *Server) Pulls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pullsTotal
}

// EUI returns the gateway EUI of the last datagram.
func (s *Server) EUI() gwmp.EUI {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.eui
}

func (s *Server) fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bad = append(s.bad, err)
}

func (s *Server) serve(c *net.UDPConn) {
	buf := make([]byte, 65535)
	for {
		n, from, err := c.ReadFromUDP(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		p, err := gwmp.Decode(buf[:n])
		if err != nil {
			s.fail(err)
			continue
		}
		s.handle(c, from, p)
	}
}

func (s *Server) handle(c *net.UDPConn, from *net.UDPAddr, p gwmp.Packet) {
	s.mu.Lock()
	s.eui = p.EUI
	ackPush, ackPull := s.ackPush, s.ackPull
	s.mu.Unlock()
	switch p.Type {
	case gwmp.PushData:
		up, err := gwmp.DecodeUpstream(p.JSON)
		if err != nil {
			s.fail(err)
			return
		}
		if ackPush {
			_, _ = c.WriteToUDP(gwmp.Packet{Type: gwmp.PushAck, Token: p.Token}.Encode(), from)
		}
		for _, r := range up.RXPK {
			s.rxpk <- r
		}
		if up.Stat != nil {
			s.stats <- *up.Stat
		}
	case gwmp.PullData:
		s.mu.Lock()
		s.gwDown = from
		s.pullsTotal++
		s.mu.Unlock()
		if ackPull {
			_, _ = c.WriteToUDP(gwmp.Packet{Type: gwmp.PullAck, Token: p.Token}.Encode(), from)
		}
		select {
		case s.pulls <- p:
		default:
		}
	case gwmp.TxAck:
		a, err := gwmp.DecodeTxAck(p.JSON)
		if err != nil {
			s.fail(err)
			return
		}
		s.acks <- TxAck{Token: p.Token, EUI: p.EUI, Info: a}
	default:
		s.fail(errors.New("unexpected " + p.Type.String() + " from the gateway"))
	}
}

func next[T any](t testing.TB, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(Wait):
		t.Fatalf("udptest: no %s within %v", what, Wait)
		var zero T
		return zero
	}
}

// NextRXPK returns the next rxpk received.
func (s *Server) NextRXPK() gwmp.RXPK { s.t.Helper(); return next(s.t, s.rxpk, "rxpk") }

// NextStat returns the next stat received.
func (s *Server) NextStat() gwmp.Stat { s.t.Helper(); return next(s.t, s.stats, "stat") }

// NextTxAck returns the next TX_ACK received.
func (s *Server) NextTxAck() TxAck { s.t.Helper(); return next(s.t, s.acks, "TX_ACK") }

// NextPull returns the next PULL_DATA received.
func (s *Server) NextPull() gwmp.Packet { s.t.Helper(); return next(s.t, s.pulls, "PULL_DATA") }

// NoRXPK fails the test if an rxpk is waiting.
func (s *Server) NoRXPK() {
	s.t.Helper()
	select {
	case r := <-s.rxpk:
		s.t.Fatalf("udptest: unexpected rxpk %+v", r)
	default:
	}
}

// WaitGateway waits for a first PULL_DATA, after which PULL_RESP can be
// sent.
func (s *Server) WaitGateway() {
	s.t.Helper()
	deadline := time.Now().Add(Wait)
	for time.Now().Before(deadline) {
		s.mu.Lock()
		ok := s.gwDown != nil
		s.mu.Unlock()
		if ok {
			return
		}
		time.Sleep(time.Millisecond)
	}
	s.t.Fatalf("udptest: no PULL_DATA within %v", Wait)
}

// SendTxpk sends a PULL_RESP carrying tx with the given token.
func (s *Server) SendTxpk(token uint16, tx gwmp.TXPK) {
	s.t.Helper()
	b, err := json.Marshal(gwmp.Downstream{TXPK: tx})
	if err != nil {
		s.t.Fatal(err)
	}
	s.SendDown(gwmp.Packet{Type: gwmp.PullResp, Token: token, JSON: b}.Encode())
}

// SendDown sends raw bytes to the gateway's downstream socket.
func (s *Server) SendDown(b []byte) {
	s.t.Helper()
	s.WaitGateway()
	s.mu.Lock()
	to := s.gwDown
	s.mu.Unlock()
	if _, err := s.down.WriteToUDP(b, to); err != nil {
		s.t.Fatal(err)
	}
}

// GatewayDown returns the gateway's downstream address (after a
// PULL_DATA).
func (s *Server) GatewayDown() *net.UDPAddr {
	s.t.Helper()
	s.WaitGateway()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gwDown
}
