package sx1302test

import (
	"os"
	"path/filepath"
	"runtime"

	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/sx1302"
)

// Pump runs fn while moving the virtual clock to each pending timer, so a
// start sequence full of waits runs instantly. It returns fn's error.
func Pump(v *clock.Virtual, fn func() error) error {
	done := make(chan error, 1)
	go func() { done <- fn() }()
	for {
		select {
		case err := <-done:
			return err
		default:
		}
		if next, ok := v.NextDeadline(); ok {
			// fn may have returned and left timers of its own (a
			// driver's background readers): do not run time on for them.
			select {
			case err := <-done:
				return err
			default:
			}
			v.Set(next)
		} else {
			runtime.Gosched()
		}
	}
}

// WriteSyntheticFirmware writes placeholder AGC and ARB images of the right
// size into dir. They are not Semtech's firmware: only the emulator runs
// them (it accepts any image of the right size).
func WriteSyntheticFirmware(dir string) error {
	for i, name := range []string{sx1302.FirmwareAGC, sx1302.FirmwareARB} {
		b := make([]byte, sx1302.FirmwareLen)
		for j := range b {
			b[j] = byte(j*7 + i*13)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}
