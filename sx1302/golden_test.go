package sx1302_test

import (
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/config"
	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/internal/golden"
	"github.com/lgwagent/lgw/sx1302"
	"github.com/lgwagent/lgw/sx1302/sx1302test"
)

// goldenDir holds the golden data of the reference driver:
// ../shared/golden/sx1302 beside the repository (see internal/golden); plansDir the same configurations in lgw.toml form.
var goldenDir = golden.Dir("sx1302")

const plansDir = "testdata/plans"

// goldenRig starts the driver on the emulator with a golden configuration,
// loaded from its lgw.toml form (testdata/plans/NAME.toml).
func goldenRig(t *testing.T, name string, cfg sx1302test.Config, opts ...func(*sx1302.Opts)) *rig {
	t.Helper()
	c, err := config.Load(filepath.Join(plansDir, name+".toml"))
	if err != nil {
		t.Fatal(err)
	}
	plan, err := c.ChannelPlan(sx1302.Limits)
	if err != nil {
		t.Fatal(err)
	}
	var g sx1302test.GoldenStart
	if err := sx1302test.LoadGolden(filepath.Join(goldenDir, name+".json"), &g); err != nil {
		t.Fatal(err)
	}
	checkGoldenPlan(t, &g, plan)
	v := clock.NewVirtual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	cfg.Clock, cfg.Fail = v, t
	chip := sx1302test.New(cfg)
	dir := t.TempDir()
	if err := sx1302test.WriteSyntheticFirmware(dir); err != nil {
		t.Fatal(err)
	}
	var gains []sx1302.TxGain
	for _, e := range g.Config.TxGains {
		gains = append(gains, sx1302.TxGain{Power: e.Power, PA: e.PAGain, PwrIdx: e.PwrIdx})
	}
	tc := g.Config.Radios[0].TComp
	o := sx1302.Opts{FirmwareDir: dir, Plan: plan, TxGains: gains, RSSIOffset: g.Config.Radios[0].RSSIOffset,
		RSSITempComp: sx1302.TempComp{A: float64(tc[0]), B: float64(tc[1]), C: float64(tc[2]), D: float64(tc[3]), E: float64(tc[4])},
		TxFreq:       hal.FreqRange{Min: 860e6, Max: 930e6}}
	for _, f := range opts {
		f(&o)
	}
	dev, err := sx1302.New(chip, sx1302.Pins{}, o, v, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{clk: v, chip: chip, dev: dev}
	if err := r.start(t); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dev.Stop() })
	return r
}

// checkGoldenPlan checks that the lgw.toml form gives the golden channels.
func checkGoldenPlan(t *testing.T, g *sx1302test.GoldenStart, p sx1302.Plan) {
	t.Helper()
	for i, r := range g.Config.Radios {
		if p.Radios[i].Freq != r.Freq {
			t.Errorf("radio %d at %d Hz, golden %d", i, p.Radios[i].Freq, r.Freq)
		}
	}
	for _, c := range g.Config.IFChains {
		f, radio, ok := p.Frequency(uint8(c.IFChain))
		if ok != c.Enable || ok && (f != c.Freq || int(radio) != c.Radio) {
			t.Errorf("IF chain %d: %d Hz radio %d enabled %v; golden %d Hz radio %d enabled %v", c.IFChain, f, radio, ok, c.Freq, c.Radio, c.Enable)
		}
	}
}

// checkFields compares golden register fields with the emulator's and
// logs how many match.
func checkFields(t *testing.T, chip *sx1302test.Chip, what string, fs []sx1302test.GoldenField) {
	t.Helper()
	bad := 0
	for _, f := range fs {
		if got := fieldOf(chip, f); got != f.Raw() {
			bad++
			t.Errorf("%s (0x%04x[%d:%d]) = %d, golden %d (reset %d)", f.Name, uint32(f.Addr), f.Offset, f.Width, got, f.Raw(), f.ResetDefault)
		}
	}
	t.Logf("%s: %d of %d golden register fields match", what, len(fs)-bad, len(fs))
}

// fieldOf reads a golden field's bits from the emulator.
func fieldOf(chip *sx1302test.Chip, f sx1302test.GoldenField) byte {
	return chip.Peek(uint16(f.Addr)) >> f.Offset & byte(1<<f.Width-1)
}

// startFiles lists the golden start files: every JSON file of the golden
// directory but the TX and RX ones, each with its lgw.toml form.
func startFiles(t *testing.T) []string {
	t.Helper()
	all, err := filepath.Glob(filepath.Join(goldenDir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range all {
		base := strings.TrimSuffix(filepath.Base(f), ".json")
		if !strings.HasPrefix(base, "tx-") && !strings.HasPrefix(base, "rx-") {
			names = append(names, base)
		}
	}
	if len(names) == 0 {
		t.Fatal("no golden start files")
	}
	return names
}

func TestGoldenStart(t *testing.T) {
	for _, name := range startFiles(t) {
		t.Run(name, func(t *testing.T) {
			r := goldenRig(t, name, sx1302test.Config{})
			var g sx1302test.GoldenStart
			if err := sx1302test.LoadGolden(filepath.Join(goldenDir, name+".json"), &g); err != nil {
				t.Fatal(err)
			}
			checkFields(t, r.chip, name+" start", g.Registers)
			// The golden files leave out fields at their reset default that
			// the reference did not write: they must hold it here too.
			listed := map[string]bool{}
			for _, f := range g.Registers {
				listed[f.Name] = true
			}
			for _, rf := range sx1302.RegisterMap() {
				f := rf.Field
				if listed[rf.Name] || f.ReadOnly() {
					continue
				}
				got := r.chip.Peek(f.Addr()) & f.Mask() >> f.Offset()
				if want := f.Default() & (f.Mask() >> f.Offset()); got != want {
					t.Errorf("%s (%s) = %d: not in the golden file, so it should hold its reset default %d", rf.Name, f, got, want)
				}
			}
			checkCommands(t, g.Commands, r.chip.RadioCommands())
		})
	}
}

// checkCommands compares SX1250 command frames with the golden sequence.
func checkCommands(t *testing.T, want []sx1302test.GoldenCommand, got []sx1302test.RadioCommand) {
	t.Helper()
	show := func(c sx1302test.RadioCommand) string {
		return fmt.Sprintf("radio %d 0x%02X %s", c.Radio, c.Opcode, hex.EncodeToString(c.Params))
	}
	var w, g []string
	for _, c := range want {
		w = append(w, fmt.Sprintf("radio %d %s %s", c.Radio, "0x"+strings.ToUpper(c.Opcode[2:]), c.Params))
	}
	for _, c := range got {
		g = append(g, show(c))
	}
	if len(want) == 0 {
		t.Fatal("golden file has no SX1250 commands")
	}
	t.Logf("%d SX1250 commands", len(got))
	if strings.Join(w, "\n") != strings.Join(g, "\n") {
		t.Errorf("SX1250 commands differ from golden:\n got %d:\n%s\nwant %d:\n%s", len(g), strings.Join(g, "\n"), len(w), strings.Join(w, "\n"))
	}
}
