package sx1302_test

import (
	"errors"
	"testing"
	"time"

	"periph.io/x/conn/v3/i2c/i2ctest"

	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/sx1302/sx1302test"
)

func TestSendImmediateAndOnPPS(t *testing.T) {
	r := newRig(t, sx1302test.Config{PPS: true}, true)
	if err := r.start(t); err != nil {
		t.Fatal(err)
	}
	defer r.dev.Stop()
	p := &hal.TxPacket{Payload: []byte("now"), Frequency: 868100000, Power: 27,
		DataRate: hal.LoRaRate(7, hal.BW125, hal.CR4_5)}
	t0 := r.clk.Now()
	if err := r.dev.Send(p); err != nil {
		t.Fatal(err)
	}
	r.clk.Advance(time.Second)
	beacon := &hal.TxPacket{Payload: make([]byte, 17), Frequency: 869525000, Power: 14, NoCRC: true, ImplicitHeader: true,
		Preamble: 10, DataRate: hal.LoRaRate(9, hal.BW125, hal.CR4_5), Trigger: hal.Trigger{Mode: hal.OnPPS}}
	if err := r.dev.Send(beacon); err != nil {
		t.Fatal(err)
	}
	r.clk.Advance(2 * time.Second)
	log := r.chip.AirLog()
	if len(log) != 2 {
		t.Fatalf("air log %+v", log)
	}
	// Immediate: after the SX1250 start delay (47413 ticks at SF7 BW125).
	if d := log[0].StartTime.Sub(t0); d < 1480*time.Microsecond || d > 1483*time.Microsecond || log[0].PowerByte != 0x40|14 {
		t.Errorf("immediate emission %+v starts %s after Send", log[0], d)
	}
	// On PPS: the start delay (47413 ticks at SF9 BW125) after a PPS
	// edge; the emulator's edges are whole multiples of 32e6 ticks.
	if frac := log[1].StartTicks % 32000000; frac != 47413 || log[1].Trigger != hal.OnPPS {
		t.Errorf("pps emission %+v at +%d ticks into the second", log[1], frac)
	}
}

func TestStopSilencesRadio(t *testing.T) {
	r := newRig(t, sx1302test.Config{}, true)
	if err := r.start(t); err != nil {
		t.Fatal(err)
	}
	now, _ := r.dev.Counter()
	p := &hal.TxPacket{Payload: []byte{1}, Frequency: 868100000, DataRate: hal.LoRaRate(7, hal.BW125, hal.CR4_5),
		Trigger: hal.Trigger{Mode: hal.AtCount, Count: now + 500000}}
	if err := r.dev.Send(p); err != nil {
		t.Fatal(err)
	}
	if err := r.dev.Stop(); err != nil {
		t.Fatal(err)
	}
	// Stopped before its trigger: it never went on air.
	if l := r.chip.AirLog(); len(l) != 0 {
		t.Fatalf("air log after stop %+v", l)
	}
	if _, err := r.dev.Receive(); !errors.Is(err, hal.ErrNotStarted) {
		t.Fatalf("receive after stop: %v", err)
	}
	if s, _ := r.dev.TxStatus(0); s != hal.TxOff {
		t.Fatalf("status after stop %s", s)
	}
}

func TestTemperature(t *testing.T) {
	r := newRig(t, sx1302test.Config{}, true)
	if _, err := r.dev.Temperature(); !errors.Is(err, hal.ErrNoSensor) {
		t.Fatalf("no sensor: %v", err)
	}
	bus := &i2ctest.Playback{DontPanic: true, Ops: []i2ctest.IO{
		{Addr: 0x39, W: []byte{0xFD}, R: []byte{0x00}},
		{Addr: 0x39, W: []byte{0xFE}, R: []byte{0x53}},
		{Addr: 0x39, W: []byte{0x03, 0x8C}},
		{Addr: 0x39, W: []byte{0x04, 0x04}},
		{Addr: 0x39, W: []byte{0x00}, R: []byte{0x19}},
		{Addr: 0x39, W: []byte{0x02}, R: []byte{0x80}},
	}}
	d := newRigWith(t, bus, 0x39)
	tc, err := d.Temperature()
	if err != nil || tc != 25.5 {
		t.Fatalf("temperature %v %v", tc, err)
	}
	if err := bus.Close(); err != nil {
		t.Fatal(err)
	}
	wrong := &i2ctest.Playback{DontPanic: true, Ops: []i2ctest.IO{
		{Addr: 0x39, W: []byte{0xFD}, R: []byte{0x00}},
		{Addr: 0x39, W: []byte{0xFE}, R: []byte{0x12}},
	}}
	if _, err := newRigWith(t, wrong, 0x39).Temperature(); err == nil {
		t.Fatal("wrong manufacturer accepted")
	}
}

// TestOneRXPoller checks that the driver leaves polling to Receive's
// caller: idle, it reads nothing but the counter every CounterInterval.
func TestOneRXPoller(t *testing.T) {
	r := newRig(t, sx1302test.Config{}, true)
	if err := r.start(t); err != nil {
		t.Fatal(err)
	}
	defer r.dev.Stop()
	before := r.chip.Frames()
	for i := 0; i < 100; i++ {
		r.clk.Advance(10 * time.Millisecond)
	}
	if n := r.chip.Frames() - before; n != 0 {
		t.Fatalf("%d SPI frames in 1 s without a Receive call: the driver polls on its own", n)
	}
	if _, err := r.dev.Receive(); err != nil {
		t.Fatal(err)
	}
	if n := r.chip.Frames() - before; n != 2 {
		t.Fatalf("an empty Receive took %d frames, want 2 (NB_BYTES read twice)", n)
	}
}
