package e2e

import (
	"context"
	"runtime"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/region"
	"github.com/lgwagent/lgw/scheduler"
	"github.com/lgwagent/lgw/sx1302"
	"github.com/lgwagent/lgw/sx1302/sx1302test"
)

// TestClassCThroughSchedulerOnSX1302 schedules a class C downlink through
// the real scheduler on the real SX1302 driver, against the SPI-level
// emulator: the emulator emits it at the counter the scheduler reports.
func TestClassCThroughSchedulerOnSX1302(t *testing.T) {
	v := clock.NewVirtual(time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC))
	chip := sx1302test.New(sx1302test.Config{Clock: v, Fail: t})
	dir := t.TempDir()
	if err := sx1302test.WriteSyntheticFirmware(dir); err != nil {
		t.Fatal(err)
	}
	eu, err := region.Lookup("EU868")
	if err != nil {
		t.Fatal(err)
	}
	plan, err := sx1302.PlanFor(eu)
	if err != nil {
		t.Fatal(err)
	}
	dev, err := sx1302.New(chip, sx1302.Pins{}, sx1302.Opts{FirmwareDir: dir, Plan: plan,
		TxFreq: hal.FreqRange{Min: 863e6, Max: 870e6}}, v, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	if err := sx1302test.Pump(v, func() error { return dev.Start(context.Background()) }); err != nil {
		t.Fatal(err)
	}
	defer dev.Stop()
	res := classCThroughScheduler(t, v, eu, dev, "class C on the SX1302")
	log := chip.AirLog()
	if len(log) != 1 {
		t.Fatalf("emulator air log: %+v", log)
	}
	if log[0].StartTicks != uint32(res.Count)*32 || string(log[0].Payload) != "class C on the SX1302" {
		t.Fatalf("emitted at tick %d, scheduler says tmst %d (tick %d)", log[0].StartTicks, res.Count, uint32(res.Count)*32)
	}
}

// classCThroughScheduler runs the real scheduler on a started
// concentrator, schedules one class C downlink as soon as possible and
// returns its result once sent (virtual time, at most 3 s).
func classCThroughScheduler(t *testing.T, v *clock.Virtual, r *region.Region, dev hal.Concentrator, payload string) scheduler.Result {
	t.Helper()
	s, err := scheduler.New(scheduler.Config{Region: r}, dev, v, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	done := make(chan scheduler.Result, 1)
	err = s.Schedule(scheduler.Request{
		Ref: "c-1", Class: scheduler.ClassC, Origin: "e2e",
		Packet: hal.TxPacket{Payload: []byte(payload), Frequency: 869525000, Power: 14,
			DataRate: hal.LoRaRate(9, hal.BW125, hal.CR4_5), InvertIQ: true, NoCRC: true},
		Timing: scheduler.Timing{Mode: scheduler.ASAP, NotBefore: v.Now().Add(200 * time.Millisecond)},
		Done:   func(r scheduler.Result) { done <- r },
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		select {
		case res := <-done:
			if res.Code != scheduler.Sent {
				t.Fatalf("result %s: %v", res.Code, res.Err)
			}
			return res
		default:
			if i > 3000 {
				t.Fatal("no result after 3 s of virtual time")
			}
			v.Advance(time.Millisecond)
			runtime.Gosched()
		}
	}
}
