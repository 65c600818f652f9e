package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/region"
	"github.com/lgwagent/lgw/sx1301"
	"github.com/lgwagent/lgw/sx1301/sx1301test"
	"github.com/lgwagent/lgw/sx1302/sx1302test"
)

// TestClassCThroughSchedulerOnSX1301 schedules a class C downlink through
// the real scheduler on the real SX1301 driver, against the SPI-level
// emulator: the emulator emits it at the counter the scheduler reports.
func TestClassCThroughSchedulerOnSX1301(t *testing.T) {
	v := clock.NewVirtual(time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC))
	chip := sx1301test.New(sx1301test.Config{Clock: v, Fail: t})
	dir := t.TempDir()
	if err := sx1301test.WriteSyntheticFirmware(dir); err != nil {
		t.Fatal(err)
	}
	eu, err := region.Lookup("EU868")
	if err != nil {
		t.Fatal(err)
	}
	plan, err := sx1301.PlanFor(eu)
	if err != nil {
		t.Fatal(err)
	}
	dev, err := sx1301.New(chip, sx1301.Pins{}, sx1301.Opts{FirmwareDir: dir, Plan: plan, ClockSource: 1,
		TxFreq: hal.FreqRange{Min: 863e6, Max: 870e6}}, v, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	if err := sx1302test.Pump(v, func() error { return dev.Start(context.Background()) }); err != nil {
		t.Fatal(err)
	}
	defer dev.Stop()
	res := classCThroughScheduler(t, v, eu, dev, "class C on the SX1301")
	log := chip.AirLog()
	if len(log) != 1 {
		t.Fatalf("emulator air log: %+v", log)
	}
	if e := log[0]; e.StartCount != uint32(res.Count) || string(e.Payload) != "class C on the SX1301" || e.Aborted || !e.InvertIQ {
		t.Fatalf("emitted at count %d (%+v), scheduler says tmst %d", e.StartCount, e, res.Count)
	}
}

// TestRunSX1301Emulated: `lgw run` on the sx1301-emulated board publishes
// the example traffic (its first seconds) as uplinks on MQTT.
func TestRunSX1301Emulated(t *testing.T) {
	needMosquitto(t)
	dir := t.TempDir()
	m := startMosquitto(t, dir)
	root, _ := filepath.Abs("..")
	f, err := os.Open(filepath.Join(root, "examples", "traffic.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() && len(lines) < 5 {
		if l := sc.Text(); strings.HasPrefix(l, "{") {
			lines = append(lines, l)
		}
	}
	f.Close()
	traffic := filepath.Join(dir, "traffic.jsonl")
	if err := os.WriteFile(traffic, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfgPath := writeConfig(t, dir, m.port)
	b, _ := os.ReadFile(cfgPath)
	cfg := strings.Replace(string(b), `board = "sim"`, `board = "sx1301-emulated"`, 1)
	cfg = strings.Replace(cfg, filepath.Join(root, "examples", "traffic.jsonl"), traffic, 1)
	cfg = strings.Replace(cfg, "gps = true\n", "", 1)
	if !strings.Contains(cfg, `board = "sx1301-emulated"`) || !strings.Contains(cfg, traffic) {
		t.Fatalf("config not rewritten:\n%s", cfg)
	}
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	const gw = "00000000e2e00001"
	s := subscribe(t, m.port, "lgw/"+gw+"/up")
	d := startDaemon(t, dir, cfgPath)
	ups := s.waitFor(t, "/up", len(lines), 30*time.Second)
	for i, l := range lines {
		var want struct {
			Freq float64 `json:"freq"`
			Datr string  `json:"datr"`
			Data string  `json:"data"`
		}
		if err := json.Unmarshal([]byte(l), &want); err != nil {
			t.Fatal(err)
		}
		got := decode(t, ups[i])
		if get(got, "params", "phy_payload") != want.Data || get(got, "params", "radio", "datr") != want.Datr {
			t.Errorf("uplink %d: %s, want %s", i, ups[i], l)
		}
		if f, _ := get(got, "params", "radio", "freq").(float64); f < want.Freq-0.001 || f > want.Freq+0.001 {
			t.Errorf("uplink %d: freq %v, want %v", i, f, want.Freq)
		}
	}
	d.mu.Lock()
	started := strings.Contains(d.log.String(), "sx1301 started")
	d.mu.Unlock()
	if !started {
		t.Error("the daemon log does not show the SX1301 driver starting")
	}
	d.stop(t)
}
