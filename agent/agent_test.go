package agent

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/lgwagent/lgw/board"
	_ "github.com/lgwagent/lgw/board/emulated"
	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/config"
	"github.com/lgwagent/lgw/gateway"
	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/hal/sim"
)

var t0 = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

type collector struct {
	mu   sync.Mutex
	pkts []hal.RxPacket
}

func (c *collector) add(p hal.RxPacket) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pkts = append(c.pkts, p)
}

func (c *collector) n() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.pkts)
}

// startAgent runs an agent on a simulator and a virtual clock.
func startAgent(t *testing.T) (*Agent, *sim.Sim, *clock.Virtual, *collector, func()) {
	t.Helper()
	v := clock.NewVirtual(t0)
	s, err := sim.New(sim.Config{Clock: v})
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Storage.Dir = t.TempDir()
	cfg.Control.Socket = filepath.Join(cfg.Storage.Dir, "lgw.sock")
	// Nothing listens on port 1: the default server, 127.0.0.1:1883, may
	// be a broker of the machine's own or another test's.
	cfg.MQTT.Server = "tcp://127.0.0.1:1"
	a, err := New(cfg, Options{Clock: v, Hardware: &board.Hardware{Concentrator: s}})
	if err != nil {
		t.Fatal(err)
	}
	col, stop := runAgent(t, a)
	<-v.BlockUntil(2) // the scheduler's timer and the RX loop's timer
	return a, s, v, col, stop
}

// runAgent runs a until stop, collecting the uplinks of its event stream.
func runAgent(t *testing.T, a *Agent) (*collector, func()) {
	t.Helper()
	col := &collector{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	select {
	case <-a.Ready():
	case err := <-done:
		t.Fatalf("Run: %v", err)
	}
	sub := a.Gateway().Subscribe("test", 0)
	collected := make(chan struct{})
	go func() {
		defer close(collected)
		for ev := range sub.C {
			if ev.Kind == gateway.EventUplink {
				col.add(*ev.Uplink)
			}
		}
	}()
	stop := func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		<-collected // the gateway's stop ends the subscription
	}
	return col, stop
}

// step advances the clock one poll at a time, letting the RX loop run.
func step(v *clock.Virtual, total time.Duration, cond func() bool) bool {
	for el := time.Duration(0); el < total; el += 10 * time.Millisecond {
		v.Advance(10 * time.Millisecond)
		for i := 0; i < 50 && !cond(); i++ {
			time.Sleep(100 * time.Microsecond) // yield to the loop goroutine
		}
		if cond() {
			return true
		}
	}
	return cond()
}

func TestUplinksReachSinksInOrder(t *testing.T) {
	a, s, v, col, stop := startAgent(t)
	defer stop()
	if a.GatewayID() != "0016c001ff000001" {
		t.Fatalf("gateway id %q, want the chip EUI", a.GatewayID())
	}
	for i := 0; i < 3; i++ {
		s.Inject(t0.Add(time.Duration(100+50*i)*time.Millisecond), hal.RxPacket{
			Payload: []byte{byte(i)}, Frequency: 868100000, DataRate: hal.LoRaRate(7, hal.BW125, hal.CR4_5), CRC: hal.CRCOK})
	}
	s.Inject(t0.Add(300*time.Millisecond), hal.RxPacket{Payload: []byte{9}, Frequency: 868300000,
		DataRate: hal.LoRaRate(12, hal.BW125, hal.CR4_5), CRC: hal.CRCBad})
	if !step(v, time.Second, func() bool { return col.n() == 4 }) {
		t.Fatalf("got %d uplinks, want 4", col.n())
	}
	for i := 0; i < 3; i++ {
		if col.pkts[i].Payload[0] != byte(i) {
			t.Fatalf("uplinks out of order: %v", col.pkts)
		}
	}
	snap, err := a.Gateway().Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rx := snap.Rx; rx.OK != 3 || rx.Bad != 1 || rx.Errors != 0 {
		t.Fatalf("counts %+v", rx)
	}
}

func TestReceiveErrorsAreSurvived(t *testing.T) {
	a, s, v, col, stop := startAgent(t)
	defer stop()
	s.FailReceive(errors.New("spi: transfer failed"), 25)
	s.Inject(t0.Add(50*time.Millisecond), hal.RxPacket{Payload: []byte{1}, Frequency: 868100000,
		DataRate: hal.LoRaRate(7, hal.BW125, hal.CR4_5), CRC: hal.CRCOK})
	if !step(v, 2*time.Second, func() bool { return col.n() == 1 }) {
		t.Fatalf("the uplink never arrived after the receive errors")
	}
	snap, err := a.Gateway().Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if snap.Rx.Errors != 25 {
		t.Fatalf("counted %d receive errors, want 25", snap.Rx.Errors)
	}
}

func TestBadConfigRefused(t *testing.T) {
	cfg := config.Default()
	cfg.Gateway.Region = "XX1"
	if _, err := New(cfg, Options{}); err == nil {
		t.Fatal("unknown region accepted")
	}
	cfg = config.Default()
	cfg.Concentrator.Board = "nope"
	if _, err := New(cfg, Options{}); err == nil {
		t.Fatal("unknown board accepted")
	}
}
