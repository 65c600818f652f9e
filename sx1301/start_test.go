package sx1301_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lgwagent/lgw/sx1301"
	"github.com/lgwagent/lgw/sx1301/sx1301test"
)

// TestStartFailures: every start failure ends the start with an error
// that names the cause.
func TestStartFailures(t *testing.T) {
	g := loadStart(t)
	cases := []struct {
		name string
		cfg  sx1301test.Config
		fw   func(dir string)
		is   error
		want string
	}{
		{name: "wrong version", cfg: sx1301test.Config{Version: 0x58}, is: sx1301.ErrVersion, want: "VERSION register reads 88"},
		{name: "fpga board", cfg: sx1301test.Config{FPGA: 33}, is: sx1301.ErrVersion, want: "FPGA (version 33"},
		{name: "firmware read-back", cfg: sx1301test.Config{CorruptReadback: true}, is: sx1301.ErrFirmware,
			want: "read-back differs at byte 16"},
		{name: "calibration timeout", cfg: sx1301test.Config{HangCalibration: true}, is: sx1301.ErrCalibration,
			want: "calibration did not finish within 2.3s"},
		{name: "radio A not answering", cfg: sx1301test.Config{DeadRadio: 1}, is: sx1301.ErrRadio,
			want: "SX1257 radio A: RX PLL did not lock at 867500000 Hz after 5 attempts"},
		{name: "radio B not answering", cfg: sx1301test.Config{DeadRadio: 2}, is: sx1301.ErrRadio, want: "radio B"},
		{name: "calibration firmware version", cfg: sx1301test.Config{CalVersion: 3}, is: sx1301.ErrFirmware,
			want: "calibration firmware reports version 3, want 2"},
		{name: "AGC firmware version", cfg: sx1301test.Config{AGCVersion: 5}, is: sx1301.ErrFirmware,
			want: "AGC firmware reports version 5, want 4"},
		{name: "firmware missing", fw: func(dir string) { os.Remove(filepath.Join(dir, sx1301.FirmwareARB)) },
			is: sx1301.ErrFirmwareMissing, want: "lgw firmware import <lora_gateway checkout>"},
		{name: "firmware truncated", fw: func(dir string) { os.WriteFile(filepath.Join(dir, sx1301.FirmwareAGC), make([]byte, 100), 0o644) },
			want: "100 bytes, want 8192"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := sx1301test.WriteSyntheticFirmware(dir); err != nil {
				t.Fatal(err)
			}
			if c.fw != nil {
				c.fw(dir)
			}
			r := newRig(t, c.cfg, goldenOpts(t, g.Config, dir))
			err := r.start()
			if err == nil {
				t.Fatal("start succeeded")
			}
			if c.is != nil && !errors.Is(err, c.is) {
				t.Errorf("error %v is not %v", err, c.is)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q lacks %q", err, c.want)
			}
			if _, err := r.dev.Chip(); err == nil {
				t.Error("Chip answers after a failed start")
			}
		})
	}
}
