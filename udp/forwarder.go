package udp

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/gateway"
	"github.com/lgwagent/lgw/udp/gwmp"
)

// uplinkQueue bounds the uplinks waiting to be sent to one server.
const uplinkQueue = 1024

// maxDatagram is the largest datagram read; a PULL_RESP of a 255-byte
// payload is well under 1 kB.
const maxDatagram = 65535

// Forwarder talks GWMP to one network server: an "up" socket for
// PUSH_DATA/PUSH_ACK and a "down" socket for PULL_DATA/PULL_ACK,
// PULL_RESP and TX_ACK, both bound to an ephemeral local port.
type Forwarder struct {
	cfg  Config
	name string
	// origin names the forwarder to the core ("udp:" + name); reports of
	// its downlinks carry it.
	origin string
	eui    gwmp.EUI
	core   Core
	opts   Options
	clk    clock.Clock
	log    *zap.Logger

	ups    chan Uplink
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.Mutex
	up, down *net.UDPConn
	upAddr   *net.UDPAddr
	downAddr *net.UDPAddr
	st       Status
	started  time.Time
	pushes   map[uint16]time.Time // PUSH_DATA tokens awaiting their PUSH_ACK, and when sent
	pullTok  uint16
	pullOpen bool
	iv       interval
	// downlinks tracks this server's queued downlinks until their report.
	downlinks tracker
}

// interval counts what one stat reports; it restarts at every stat.
type interval struct {
	rxnb, rxok, rxfw, dwnb, txnb uint32
	pushSent, pushAcked          uint32
}

func newForwarder(c Config, eui gwmp.EUI, core Core, opts Options) *Forwarder {
	return &Forwarder{cfg: c, name: c.Name(), origin: "udp:" + c.Name(), eui: eui, core: core, opts: opts, clk: opts.Clock,
		log: opts.Log.With(zap.String("server", c.Name())), ups: make(chan Uplink, uplinkQueue),
		pushes: map[uint16]time.Time{}, st: Status{Server: c.Name(), State: "resolving"}}
}

func (f *Forwarder) start(ctx context.Context) {
	ctx, f.cancel = context.WithCancel(ctx)
	f.mu.Lock()
	f.started = f.clk.Now()
	f.st.Since = f.started
	f.mu.Unlock()
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		f.run(ctx)
	}()
}

func (f *Forwarder) stop() {
	if f.cancel == nil {
		return
	}
	f.cancel()
	f.wg.Wait()
}

// run resolves the server (retrying every keepalive), opens the sockets
// and then sends keepalives, stats and uplinks until ctx ends.
func (f *Forwarder) run(ctx context.Context) {
	keep := f.clk.NewTicker(f.cfg.Keepalive)
	defer keep.Stop()
	for attempt := 0; ; attempt++ {
		err := f.open()
		if err == nil {
			break
		}
		f.setError(err)
		if attempt%10 == 0 {
			f.log.Warn("udp forwarder cannot reach its server; retrying every keepalive", zap.Error(err), zap.Int("attempt", attempt+1))
		}
		if !f.waitTick(ctx, keep) {
			return
		}
	}
	// run owns the sockets: closing them ends the readers.
	defer func() {
		_ = f.up.Close()
		_ = f.down.Close()
	}()
	f.log.Info("udp forwarder started", zap.Stringer("up", f.upAddr), zap.Stringer("down", f.downAddr))
	f.setState("connecting")
	f.wg.Add(2)
	go func() { defer f.wg.Done(); f.readLoop(f.up, f.upAddr, f.handleUp) }()
	go func() { defer f.wg.Done(); f.readLoop(f.down, f.downAddr, func(b []byte) { f.handleDown(ctx, b) }) }()
	stat := f.clk.NewTicker(f.cfg.StatInterval)
	defer stat.Stop()
	f.sendPull()
	for {
		select {
		case <-ctx.Done():
			return
		case <-keep.C():
			f.checkReachable()
			f.sendPull()
		case <-stat.C():
			f.sendStat(ctx)
		case u := <-f.ups:
			f.sendUplink(u)
		}
	}
}

func (f *Forwarder) waitTick(ctx context.Context, t clock.Ticker) bool {
	select {
	case <-ctx.Done():
		return false
	case <-t.C():
		return true
	}
}

// open resolves the server's two addresses and opens a socket for each,
// on the loopback when the server is there.
func (f *Forwarder) open() error {
	upAddr, err := net.ResolveUDPAddr("udp", net.JoinHostPort(f.cfg.Server, fmt.Sprint(f.cfg.PortUp)))
	if err != nil {
		return fmt.Errorf("resolve %s: %w", f.cfg.Server, err)
	}
	downAddr, err := net.ResolveUDPAddr("udp", net.JoinHostPort(f.cfg.Server, fmt.Sprint(f.cfg.PortDown)))
	if err != nil {
		return fmt.Errorf("resolve %s: %w", f.cfg.Server, err)
	}
	local := &net.UDPAddr{}
	if upAddr.IP.IsLoopback() {
		local.IP = upAddr.IP
	}
	up, err := net.ListenUDP("udp", local)
	if err != nil {
		return fmt.Errorf("open up socket: %w", err)
	}
	down, err := net.ListenUDP("udp", local)
	if err != nil {
		_ = up.Close()
		return fmt.Errorf("open down socket: %w", err)
	}
	f.mu.Lock()
	f.up, f.down, f.upAddr, f.downAddr = up, down, upAddr, downAddr
	f.mu.Unlock()
	return nil
}

// readLoop reads datagrams until the socket is closed; a datagram from
// another address than the server's is counted and ignored.
func (f *Forwarder) readLoop(c *net.UDPConn, from *net.UDPAddr, handle func([]byte)) {
	buf := make([]byte, maxDatagram)
	for {
		n, addr, err := c.ReadFromUDP(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			f.setError(fmt.Errorf("read: %w", err))
			continue
		}
		if !addr.IP.Equal(from.IP) || addr.Port != from.Port {
			f.count(func(s *Status) { s.Foreign++ })
			f.log.Debug("udp datagram from another address ignored", zap.Stringer("from", addr))
			continue
		}
		handle(buf[:n])
	}
}

// decode parses a datagram's header, counting and logging a malformed one
// or one of a type that does not belong on this socket.
func (f *Forwarder) decode(b []byte, want ...gwmp.Type) (gwmp.Packet, bool) {
	p, err := gwmp.Decode(b)
	if err == nil {
		for _, t := range want {
			if p.Type == t {
				return p, true
			}
		}
		err = fmt.Errorf("unexpected %s", p.Type)
	}
	f.count(func(s *Status) { s.Malformed++ })
	f.log.Warn("malformed udp datagram dropped", zap.Error(err), zap.Int("bytes", len(b)))
	return gwmp.Packet{}, false
}

// handleUp takes a PUSH_ACK.
func (f *Forwarder) handleUp(b []byte) {
	p, ok := f.decode(b, gwmp.PushAck)
	if !ok {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.pushes[p.Token]; !ok {
		f.log.Debug("PUSH_ACK with an unknown token ignored", zap.Uint16("token", p.Token))
		return
	}
	delete(f.pushes, p.Token)
	f.st.PushAcked++
	f.iv.pushAcked++
	f.ackedLocked()
}

// ackedLocked records an acknowledgement from the server.
func (f *Forwarder) ackedLocked() {
	f.st.LastAck = f.clk.Now()
	if f.st.State != "up" {
		if f.st.State == "unreachable" {
			f.log.Info("udp server reachable again")
		}
		f.st.State, f.st.Since, f.st.Error = "up", f.st.LastAck, ""
	}
}

// checkReachable marks the server unreachable once no acknowledgement
// came for MissedAcks keepalive periods.
func (f *Forwarder) checkReachable() {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.clk.Now()
	last := f.st.LastAck
	if last.IsZero() {
		last = f.started
	}
	if f.st.State != "unreachable" && now.Sub(last) >= time.Duration(f.cfg.MissedAcks)*f.cfg.Keepalive {
		f.log.Warn("udp server unreachable: no acknowledgement", zap.Duration("for", now.Sub(last)))
		f.st.State, f.st.Since = "unreachable", now
	}
}

func (f *Forwarder) setState(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.st.State, f.st.Since = s, f.clk.Now()
}

func (f *Forwarder) setError(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.st.Error = err.Error()
}

func (f *Forwarder) count(fn func(*Status)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(&f.st)
}

func (f *Forwarder) status() Status {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.st
}

// adapterStatus is the status as the core's Snapshot shows it.
func (f *Forwarder) adapterStatus() gateway.AdapterStatus {
	st := f.status()
	d := fmt.Sprintf("last ack %s, %d/%d uplinks acked, %d/%d keepalives acked, %d downlinks (%d refused, %d sent, %d failed), %d malformed, %d foreign",
		stamp(st.LastAck), st.PushAcked, st.PushSent, st.PullAcked, st.PullSent, st.Downlinks, st.Refused, st.Sent,
		st.Failed, st.Malformed, st.Foreign)
	if st.Error != "" {
		d += ", last error: " + st.Error
	}
	return gateway.AdapterStatus{Name: f.origin, Server: f.name, Connected: st.State == "up", Published: st.Forwarded,
		Dropped: st.Dropped, State: st.State, Since: st.Since, Detail: d}
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format(time.RFC3339)
}

// newToken returns a random token.
func newToken() uint16 { return uint16(rand.Uint32()) }

// send writes a datagram to addr; a failure is recorded in the status.
func (f *Forwarder) send(c *net.UDPConn, addr *net.UDPAddr, p gwmp.Packet) bool {
	if _, err := c.WriteToUDP(p.Encode(), addr); err != nil {
		f.setError(fmt.Errorf("send %s: %w", p.Type, err))
		f.log.Debug("udp send failed", zap.Stringer("type", p.Type), zap.Error(err))
		return false
	}
	return true
}

// sendPull sends a PULL_DATA keepalive with a fresh token.
func (f *Forwarder) sendPull() {
	f.mu.Lock()
	f.pullTok, f.pullOpen = newToken(), true
	p := gwmp.Packet{Type: gwmp.PullData, Token: f.pullTok, EUI: f.eui}
	f.mu.Unlock()
	if f.send(f.down, f.downAddr, p) {
		f.count(func(s *Status) { s.PullSent++ })
	}
}

// push sends a PUSH_DATA with a fresh token and waits for no ack.
func (f *Forwarder) push(up gwmp.Upstream) bool {
	b, err := up.Encode()
	if err != nil {
		f.log.Error("encode PUSH_DATA", zap.Error(err))
		return false
	}
	f.mu.Lock()
	tok := newToken()
	for _, dup := f.pushes[tok]; dup; _, dup = f.pushes[tok] {
		tok = newToken()
	}
	f.pushes[tok] = f.clk.Now()
	f.mu.Unlock()
	if !f.send(f.up, f.upAddr, gwmp.Packet{Type: gwmp.PushData, Token: tok, EUI: f.eui, JSON: b}) {
		f.mu.Lock()
		delete(f.pushes, tok)
		f.mu.Unlock()
		return false
	}
	f.mu.Lock()
	f.st.PushSent++
	f.iv.pushSent++
	f.mu.Unlock()
	return true
}

// uplink queues a received packet for the run loop without blocking.
func (f *Forwarder) uplink(u Uplink) {
	select {
	case f.ups <- u:
	default:
		f.count(func(s *Status) { s.Dropped++ })
	}
}

// sendUplink counts a received packet and forwards it when the CRC
// settings let it through.
func (f *Forwarder) sendUplink(u Uplink) {
	f.mu.Lock()
	f.iv.rxnb++
	if u.Packet.CRC == gateway.CRCOK {
		f.iv.rxok++
	}
	f.mu.Unlock()
	if !f.cfg.forwards(u.Packet) {
		return
	}
	if f.up == nil || !f.push(gwmp.Upstream{RXPK: []gwmp.RXPK{rxpkOf(u)}}) {
		f.count(func(s *Status) { s.Dropped++ })
		return
	}
	f.mu.Lock()
	f.iv.rxfw++
	f.st.Forwarded++
	f.mu.Unlock()
}

// sendStat sends the stat of the interval that just ended and starts the
// next. ackr is the acknowledgements received in the interval over the
// PUSH_DATA sent in it, at most 100 % (0 when none was sent, as the
// reference).
func (f *Forwarder) sendStat(ctx context.Context) {
	f.mu.Lock()
	iv := f.iv
	f.iv = interval{}
	// A token not acknowledged within an interval is given up.
	now := f.clk.Now()
	for tok, at := range f.pushes {
		if now.Sub(at) >= f.cfg.StatInterval {
			delete(f.pushes, tok)
		}
	}
	f.mu.Unlock()
	st := gwmp.Stat{Time: gwmp.StatTime(f.clk.Now()), RxNb: iv.rxnb, RxOK: iv.rxok, RxFw: iv.rxfw,
		DwNb: iv.dwnb, TxNb: iv.txnb}
	if iv.pushSent > 0 {
		st.ACKR = gwmp.Tenth(min(100, 100*float64(iv.pushAcked)/float64(iv.pushSent)))
	}
	if snap, err := f.core.Snapshot(ctx); err == nil && (snap.Location.Latitude != 0 || snap.Location.Longitude != 0) {
		loc := snap.Location
		lat, lon, alt := gwmp.Degrees(loc.Latitude), gwmp.Degrees(loc.Longitude), int32(math.Round(loc.Altitude))
		st.Lati, st.Long, st.Alti = &lat, &lon, &alt
	}
	f.push(gwmp.Upstream{Stat: &st})
}
