package sx1302_test

import (
	"context"
	"testing"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/sx1302"
	"github.com/lgwagent/lgw/sx1302/sx1302test"
)

// BenchmarkStart times Start on the emulator in real time: nearly all of
// it is the deliberate waits of the start sequence (radio resets, radio
// command spacing, calibration), the emulator answering at once.
func BenchmarkStart(b *testing.B) {
	dir := b.TempDir()
	if err := sx1302test.WriteSyntheticFirmware(dir); err != nil {
		b.Fatal(err)
	}
	plan := euPlan(b)
	for b.Loop() {
		chip := sx1302test.New(sx1302test.Config{Clock: clock.Real(), Fail: b})
		d, err := sx1302.New(chip, sx1302.Pins{}, sx1302.Opts{FirmwareDir: dir, Plan: plan}, clock.Real(), zap.NewNop())
		if err != nil {
			b.Fatal(err)
		}
		if err := d.Start(context.Background()); err != nil {
			b.Fatal(err)
		}
		if err := d.Stop(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIdleReceive is one empty poll: what the agent's loop pays every
// 10-40 ms when nothing is received (two NB_BYTES reads on the emulator).
func BenchmarkIdleReceive(b *testing.B) {
	r := newRig(b, sx1302test.Config{}, true)
	if err := r.start(b); err != nil {
		b.Fatal(err)
	}
	defer r.dev.Stop()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.dev.Receive(); err != nil {
			b.Fatal(err)
		}
	}
}
