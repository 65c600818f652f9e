package sx1301_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"

	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/sx1301"
	"github.com/lgwagent/lgw/sx1301/sx1301test"
	"github.com/lgwagent/lgw/sx1302/sx1302test"
)

// resetLine records the levels driven on the reset line with their times.
type resetLine struct {
	gpio.PinIO
	clk   clock.Clock
	mu    sync.Mutex
	edges []edge
}

type edge struct {
	l  gpio.Level
	at time.Time
}

func (r *resetLine) Out(l gpio.Level) error {
	r.mu.Lock()
	r.edges = append(r.edges, edge{l, r.clk.Now()})
	r.mu.Unlock()
	return nil
}

// TestResetPulse: Start pulses the active-high reset line (high 100 ms,
// then low, 100 ms before the first SPI access); Stop holds it high.
func TestResetPulse(t *testing.T) {
	g := loadStart(t)
	clk := clock.NewVirtual(t0)
	line := &resetLine{PinIO: gpio.INVALID, clk: clk}
	chip := sx1301test.New(sx1301test.Config{Clock: clk, Fail: t, Trace: true})
	opts := goldenOpts(t, g.Config, t.TempDir())
	if err := sx1301test.WriteSyntheticFirmware(opts.FirmwareDir); err != nil {
		t.Fatal(err)
	}
	dev, err := sx1301.New(chip, sx1301.Pins{Reset: line}, opts, clk, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := sx1302test.Pump(clk, func() error { return dev.Start(context.Background()) }); err != nil {
		t.Fatal(err)
	}
	if err := dev.Stop(); err != nil {
		t.Fatal(err)
	}
	e := line.edges
	if len(e) != 3 || e[0].l != gpio.High || e[1].l != gpio.Low || e[1].at.Sub(e[0].at) != 100*time.Millisecond || e[2].l != gpio.High {
		t.Fatalf("reset edges %+v", e)
	}
}
