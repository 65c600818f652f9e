package agent

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/board"
	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/config"
	"github.com/lgwagent/lgw/control"
	"github.com/lgwagent/lgw/gateway"
	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/hal/sim"
	"github.com/lgwagent/lgw/region"
	"github.com/lgwagent/lgw/scheduler"
	"github.com/lgwagent/lgw/udp/gwmp"
	"github.com/lgwagent/lgw/udp/udptest"
)

// udpRig is an agent on the simulator, talking GWMP to test servers over
// the loopback.
type udpRig struct {
	a       *Agent
	sim     *sim.Sim
	clk     *clock.Virtual
	col     *collector
	servers []*udptest.Server
}

// startUDPAgent runs a UDP-only agent (no broker) with n servers; gps
// turns the simulated GPS and class B beacons on.
func startUDPAgent(t *testing.T, n int, gps bool, edit func(*config.Config)) *udpRig {
	t.Helper()
	v := clock.NewVirtual(t0)
	s, err := sim.New(sim.Config{Clock: v, GPS: sim.GPSConfig{Enabled: gps, Latitude: 48.85, Longitude: 2.35}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Storage.Dir = t.TempDir()
	cfg.Control.Socket = filepath.Join(cfg.Storage.Dir, "lgw.sock")
	cfg.MQTT.Enabled = false
	cfg.Scheduler.Beacons = gps
	cfg.Gateway.Latitude, cfg.Gateway.Longitude, cfg.Gateway.Altitude = 48.85, 2.35, 35
	r := &udpRig{sim: s, clk: v}
	for range n {
		srv := udptest.New(t)
		r.servers = append(r.servers, srv)
		cfg.Forwarders = append(cfg.Forwarders, config.Forwarder{Server: "127.0.0.1", PortUp: srv.PortUp(),
			PortDown: srv.PortDown(), Keepalive: config.Duration(5 * time.Second), StatInterval: config.Duration(30 * time.Second)})
	}
	if edit != nil {
		edit(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	hw := &board.Hardware{Concentrator: s}
	if gps {
		hw.GPS = s.GPS()
	}
	a, err := New(cfg, Options{Clock: v, Hardware: hw, Level: zap.NewAtomicLevel()})
	if err != nil {
		t.Fatal(err)
	}
	r.a = a
	var stop func()
	r.col, stop = runAgent(t, a)
	t.Cleanup(stop)
	for _, srv := range r.servers {
		srv.NextPull()
	}
	// The scheduler's timer, the RX loop's ticker, and each forwarder's
	// keepalive and stat tickers.
	<-v.BlockUntil(2 + 2*n)
	if gps && !coarse(v, 10*time.Second, func() bool { return r.snapshot(t).TimeRef.Valid }) {
		t.Fatal("the GPS time reference never became valid")
	}
	return r
}

func (r *udpRig) snapshot(t *testing.T) gateway.Snapshot {
	t.Helper()
	s, err := r.a.Gateway().Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// status is what `lgw status` shows.
func (r *udpRig) status(t *testing.T) control.Status {
	t.Helper()
	return control.StatusOf(r.snapshot(t))
}

// coarse advances the clock 100 ms at a time, with a short pause for the
// goroutines fed by its timers, until cond holds.
func coarse(v *clock.Virtual, total time.Duration, cond func() bool) bool {
	for el := time.Duration(0); el < total && !cond(); el += 100 * time.Millisecond {
		v.Advance(100 * time.Millisecond)
		time.Sleep(time.Millisecond)
	}
	return cond()
}

// uplink injects a packet 50 ms from now and returns it as the agent
// received it, once every server has its rxpk.
func (r *udpRig) uplink(t *testing.T, p hal.RxPacket) (hal.RxPacket, time.Time, []gwmp.RXPK) {
	t.Helper()
	at := r.clk.Now().Add(50 * time.Millisecond)
	n := r.col.n()
	r.sim.Inject(at, p)
	if !step(r.clk, time.Second, func() bool { return r.col.n() == n+1 }) {
		t.Fatal("the uplink never reached the agent")
	}
	r.col.mu.Lock()
	got := r.col.pkts[n]
	r.col.mu.Unlock()
	var rx []gwmp.RXPK
	for _, s := range r.servers {
		rx = append(rx, s.NextRXPK())
	}
	return got, at, rx
}

func u32(v uint32) *uint32 { return &v }
func u64(v uint64) *uint64 { return &v }
func i32(v int32) *int32   { return &v }

func loraTxpk(freq uint32, datr string, powe int32, data ...byte) gwmp.TXPK {
	return gwmp.TXPK{Freq: gwmp.MHz(freq), Powe: &powe, Modu: "LORA", DatR: gwmp.DataRate{LoRa: datr}, CodR: "4/5",
		IPol: true, Data: data}
}

func TestUDPUplinkEveryFieldToEveryServer(t *testing.T) {
	r := startUDPAgent(t, 2, true, nil)
	p, at, rx := r.uplink(t, hal.RxPacket{Payload: []byte{0x40, 0x11, 0x22, 0x33, 0x44, 0, 1, 0, 9, 9, 9, 9, 9},
		Frequency: 868500000, IFChain: 2, RFChain: 1, DataRate: hal.LoRaRate(10, hal.BW125, hal.CR4_5), CRC: hal.CRCOK,
		RSSIChannel: -101.4, RSSISignal: -103.6, SNR: -4.25, FreqOffset: 612})
	gpsAt := scheduler.UTCToGPS(at)
	for i, x := range rx {
		if x.Tmst != uint32(p.Count) || x.Chan != 2 || x.RFCh != 1 || x.Freq != 868500000 || x.Stat != 1 ||
			x.Modu != "LORA" || x.DatR.LoRa != "SF10BW125" || x.CodR != "4/5" || x.RSSI != -101 || *x.RSSIS != -104 ||
			float64(*x.LSNR) != -4.3 || *x.Foff != 612 || int(x.Size) != len(p.Payload) || string(x.Data) != string(p.Payload) {
			t.Fatalf("server %d: rxpk %+v does not match %+v", i, x, p)
		}
		if x.Tmms == nil || *x.Tmms != uint64(gpsAt/time.Millisecond) {
			t.Fatalf("server %d: tmms %v, want %d", i, x.Tmms, gpsAt/time.Millisecond)
		}
		if x.Time == nil || time.Time(*x.Time).Sub(at).Abs() > time.Microsecond {
			t.Fatalf("server %d: time %v, want %v", i, x.Time, at)
		}
	}
	// The stat of the interval reaches both servers too.
	r.clk.Advance(30 * time.Second)
	for i, s := range r.servers {
		st := s.NextStat()
		if st.RxNb != 1 || st.RxOK != 1 || st.RxFw != 1 || st.Lati == nil || float64(*st.Lati) != 48.85 {
			t.Fatalf("server %d: stat %+v", i, st)
		}
	}
}

func TestUDPDownlinkIsEmittedAtItsCounter(t *testing.T) {
	r := startUDPAgent(t, 1, false, nil)
	s := r.servers[0]
	p, _, _ := r.uplink(t, hal.RxPacket{Payload: []byte{0x80, 1, 2, 3}, Frequency: 868100000,
		DataRate: hal.LoRaRate(7, hal.BW125, hal.CR4_5), CRC: hal.CRCOK})
	rx1 := p.Count + 1000000
	tx := loraTxpk(868100000, "SF7BW125", 14, 0x60, 1, 2, 3, 4)
	tx.Tmst = u32(uint32(rx1))
	s.SendTxpk(0x0102, tx)
	if a := s.NextTxAck(); a.Token != 0x0102 || a.Info.Error != gwmp.AckNone {
		t.Fatalf("TX_ACK %+v", a)
	}
	// Without powe: 0 dBm asked, the gain table's lowest entry used, no
	// warning.
	rx2 := rx1 + 500000
	quiet := loraTxpk(868100000, "SF7BW125", 0, 0x60, 9)
	quiet.Powe, quiet.Tmst = nil, u32(uint32(rx2))
	s.SendTxpk(0x0103, quiet)
	if a := s.NextTxAck(); a.Token != 0x0103 || a.Info.Error != gwmp.AckNone || a.Info.Warn != "" {
		t.Fatalf("TX_ACK %+v", a)
	}
	if !coarse(r.clk, 2*time.Second, func() bool { return len(r.sim.AirLog()) == 2 }) {
		t.Fatalf("air log %+v", r.sim.AirLog())
	}
	e := r.sim.AirLog()[0]
	if e.Start != rx1 || e.Frequency != 868100000 || e.DataRate != hal.LoRaRate(7, hal.BW125, hal.CR4_5) ||
		e.Power != 14 || !e.InvertIQ || string(e.Payload) != string(tx.Data) {
		t.Fatalf("emission %+v, want start %d", e, rx1)
	}
	if e := r.sim.AirLog()[1]; e.Start != rx2 || e.Power != 12 {
		t.Fatalf("emission without powe %+v", e)
	}
	// The scheduler confirms the emission once it is over.
	sent := func() bool {
		st := r.a.udp.Status()
		return len(st) == 1 && st[0].Sent == 2 && st[0].Downlinks == 2
	}
	if !coarse(r.clk, 3*time.Second, sent) {
		t.Fatalf("status %+v", r.a.udp.Status())
	}
	if st := r.status(t); !st.MQTT.Disabled || len(st.UDP) != 1 || st.UDP[0].State != "up" ||
		!strings.Contains(st.UDP[0].Detail, "2 downlinks (0 refused, 2 sent, 0 failed)") {
		t.Fatalf("lgw status %+v", st)
	}
}

// TestUDPEveryTxAckError provokes each TX_ACK error of the protocol on the
// real scheduler.
func TestUDPEveryTxAckError(t *testing.T) {
	r := startUDPAgent(t, 1, true, func(c *config.Config) { c.Scheduler.MaxAdvance = config.Duration(10 * time.Minute) })
	s := r.servers[0]
	now, err := r.sim.Counter()
	if err != nil {
		t.Fatal(err)
	}
	gpsNow := scheduler.UTCToGPS(r.clk.Now())
	nextBeacon := (gpsNow/region.BeaconPeriod + 1) * region.BeaconPeriod
	if nextBeacon-gpsNow < time.Second {
		nextBeacon += region.BeaconPeriod
	}
	at := func(tx gwmp.TXPK, c hal.Count) gwmp.TXPK { tx.Tmst = u32(uint32(c)); return tx }
	gps := func(tx gwmp.TXPK, g time.Duration) gwmp.TXPK { tx.Tmms = u64(uint64(g / time.Millisecond)); return tx }
	eu := loraTxpk(868100000, "SF7BW125", 14, 1, 2, 3)
	cases := []struct {
		name string
		tx   gwmp.TXPK
		want gwmp.TxAckInfo
	}{
		{"accepted", at(eu, now+500000), gwmp.TxAckInfo{Error: "NONE"}},
		{"collision with it", at(eu, now+500000), gwmp.TxAckInfo{Error: "COLLISION_PACKET"}},
		{"too late", at(eu, now-1000), gwmp.TxAckInfo{Error: "TOO_LATE"}},
		{"too early", gps(eu, gpsNow+time.Hour), gwmp.TxAckInfo{Error: "TOO_EARLY"}},
		{"on the beacon", gps(loraTxpk(869525000, "SF9BW125", 14, 1), nextBeacon), gwmp.TxAckInfo{Error: "COLLISION_BEACON"}},
		{"outside the band", at(loraTxpk(915000000, "SF7BW125", 14, 1), now+900000), gwmp.TxAckInfo{Error: "TX_FREQ"}},
		{"above the limit", at(loraTxpk(868300000, "SF7BW125", 27, 1), now+900000), gwmp.TxAckInfo{Error: "TX_POWER"}},
		{"between table entries", at(loraTxpk(868500000, "SF7BW125", 13, 1), now+1500000), gwmp.TxAckInfo{Warn: "TX_POWER", Value: i32(12)}},
	}
	for i, c := range cases {
		s.SendTxpk(uint16(i), c.tx)
		a := s.NextTxAck()
		if a.Token != uint16(i) || a.Info.Error != c.want.Error || a.Info.Warn != c.want.Warn ||
			(c.want.Value != nil && (a.Info.Value == nil || *a.Info.Value != *c.want.Value)) {
			t.Errorf("%s: TX_ACK %+v (value %v), want %+v", c.name, a.Info, a.Info.Value, c.want)
		}
	}
	// The clamped one goes out at the power announced.
	if !coarse(r.clk, 2*time.Second, func() bool { return len(r.sim.AirLog()) == 2 }) {
		t.Fatalf("air log %+v", r.sim.AirLog())
	}
	if e := r.sim.AirLog()[1]; e.Start != now+1500000 || e.Power != 12 {
		t.Fatalf("emission %+v", e)
	}
}

func TestUDPGPSUnlocked(t *testing.T) {
	r := startUDPAgent(t, 1, false, nil)
	tx := loraTxpk(869525000, "SF9BW125", 14, 1)
	tx.Tmms = u64(1_400_000_000_000)
	r.servers[0].SendTxpk(5, tx)
	if a := r.servers[0].NextTxAck(); a.Info.Error != gwmp.AckGPSUnlocked {
		t.Fatalf("TX_ACK %+v, want GPS_UNLOCKED", a.Info)
	}
}

func TestUDPServerUnreachableInStatus(t *testing.T) {
	r := startUDPAgent(t, 2, false, nil)
	udpState := func(i int) string { return r.status(t).UDP[i].State }
	for i := range r.servers {
		deadline := time.Now().Add(udptest.Wait)
		for udpState(i) != "up" && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
	}
	r.servers[1].SetAnswering(false, false)
	for i := range 3 {
		r.clk.Advance(5 * time.Second)
		r.servers[1].NextPull()
		// Server 0's answer is in before the clock moves on (a late one
		// would carry the previous keepalive's token).
		deadline := time.Now().Add(udptest.Wait)
		for r.a.udp.Status()[0].PullAcked < uint64(i+2) && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
	}
	deadline := time.Now().Add(udptest.Wait)
	for udpState(1) != "unreachable" && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if udpState(1) != "unreachable" || udpState(0) != "up" {
		t.Fatalf("states %q %q, want up and unreachable", udpState(0), udpState(1))
	}
}

// TestUDPClassBOnGPSTime sends a txpk with tmms: it goes on air at the
// counter the GPS time reference gives for that GPS time.
func TestUDPClassBOnGPSTime(t *testing.T) {
	r := startUDPAgent(t, 1, true, nil)
	gpsNow := scheduler.UTCToGPS(r.clk.Now())
	at := (gpsNow/time.Second + 3) * time.Second // a whole second, 2-3 s ahead
	if at%region.BeaconPeriod < 5*time.Second {
		at += 5 * time.Second // clear of the beacon at the period start
	}
	tx := loraTxpk(869525000, "SF9BW125", 14, 0x60, 1, 2, 3)
	tx.Tmms = u64(uint64(at / time.Millisecond))
	r.servers[0].SendTxpk(42, tx)
	if a := r.servers[0].NextTxAck(); a.Info.Error != gwmp.AckNone {
		t.Fatalf("TX_ACK %+v", a.Info)
	}
	var e *sim.Emission
	coarse(r.clk, 10*time.Second, func() bool {
		for _, x := range r.sim.AirLog() {
			if x.Frequency == 869525000 && x.DataRate.SpreadingFactor == 9 {
				e = &x
				return true
			}
		}
		return false
	})
	if e == nil {
		t.Fatalf("not emitted: air log %+v", r.sim.AirLog())
	}
	// The simulated GPS has no jitter and the crystal no error: the
	// emission starts at the GPS time asked, to the microsecond.
	if got := scheduler.UTCToGPS(e.StartTime); (got - at).Abs() > 2*time.Microsecond {
		t.Fatalf("emission at GPS %v, want %v", got, at)
	}
}
