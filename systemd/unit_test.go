package systemd_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestUnitFile(t *testing.T) {
	b, err := os.ReadFile("lgw.service")
	if err != nil {
		t.Fatal(err)
	}
	unit := string(b)
	for _, want := range []string{"Type=notify\n", "NotifyAccess=main\n", "WatchdogSec=30s\n", "Restart=on-failure\n",
		"User=lgw\n", "SupplementaryGroups=spi gpio i2c dialout\n", "RuntimeDirectory=lgw\n", "StateDirectory=lgw\n",
		"DevicePolicy=closed\n", "DeviceAllow=char-spi rw\n", "DeviceAllow=char-gpiochip rw\n", "DeviceAllow=char-i2c rw\n",
		"DeviceAllow=char-ttyAMA rw\n", "DeviceAllow=char-ttyS rw\n", "ExecStart=/usr/bin/lgw run --config /etc/lgw/lgw.toml\n"} {
		if !strings.Contains(unit, want) {
			t.Errorf("unit lacks %q", strings.TrimSpace(want))
		}
	}
	// These hide or block the concentrator's devices.
	for _, bad := range []string{"PrivateDevices=yes", "DevicePolicy=strict", "ProcSubset=pid"} {
		if strings.Contains(unit, bad) {
			t.Errorf("unit has %q, which breaks SPI/GPIO/I2C/UART access", bad)
		}
	}

	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not installed: unit not verified")
	}
	// verify refuses a missing ExecStart binary; every other line is the
	// shipped unit's.
	copyPath := filepath.Join(t.TempDir(), "lgw.service")
	if err := os.WriteFile(copyPath, []byte(strings.Replace(unit, "ExecStart=/usr/bin/lgw ", "ExecStart=/bin/true ", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyze, "verify", copyPath).CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}
