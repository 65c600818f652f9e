// Package sx1301 drives a Semtech SX1301 LoRa concentrator with SX1257 or
// SX1255 radios over SPI, in pure Go, and implements hal.Concentrator.
//
// The driver takes an spi.Conn and the board's reset line; it never opens
// a port itself (package board does). Every register access goes through
// one SPI accessor under one mutex, which also keeps the page cache, so
// the RX poller, the counter reader and TX programming never interleave
// frames. Firmware is loaded at run time from Opts.FirmwareDir (see
// ImportFirmware). The facts it follows are cited as sx1301.md §n
// (shared/reference/sx1301.md) and checked against the golden data
// recorded from Semtech's lora_gateway v5.0.1 (shared/golden/sx1301).
package sx1301

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"go.uber.org/zap"
	"periph.io/x/conn/v3/spi"

	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/hal"
)

// ChipVersion is the VERSION register of an SX1301.
const ChipVersion = 103

// Stats are the driver's counters.
type Stats struct {
	// Received counts packets decoded; Corrupt FIFO records skipped (bad
	// IF chain, size or FIFO head); Dropped packets lost to a full queue.
	Received, Corrupt, Dropped uint64
}

// Dev is an SX1301 concentrator.
type Dev struct {
	opts Opts
	clk  clock.Clock
	log  *zap.Logger
	pins Pins

	mu      sync.Mutex // serialises all SPI and guards the fields below
	bus     *bus
	started bool
	chip    hal.ChipInfo
	stats   Stats
	// txDC are the calibrated TX DC offsets [radio][I, Q][mix gain − 8].
	txDC    [2][2][8]int8
	calStat byte
	// rxBuf holds one FIFO record (largest payload and metadata).
	rxBuf       [255 + MetadataLen]byte
	queue       []hal.RxPacket
	programTime time.Duration

	stop chan struct{}
	wg   sync.WaitGroup
}

var _ hal.Concentrator = (*Dev)(nil)

// New builds a driver on an SPI connection (mode 0, 8 MHz or less) and the
// board's pins. It does not touch the chip; Start does.
func New(conn spi.Conn, pins Pins, opts Opts, clk clock.Clock, log *zap.Logger) (*Dev, error) {
	opts.setDefaults()
	if err := opts.validate(); err != nil {
		return nil, err
	}
	if clk == nil {
		return nil, errors.New("sx1301: clock is required")
	}
	if log == nil {
		log = zap.NewNop()
	}
	b, err := newBus(conn)
	if err != nil {
		return nil, err
	}
	return &Dev{opts: opts, clk: clk, log: log, pins: pins, bus: b, queue: make([]hal.RxPacket, 0, opts.RxQueue)}, nil
}

// Start resets the chip, loads the firmware, calibrates, configures the
// radios and IF chains from the plan and enables receive (and starts the
// driver's own RX poller when Opts.PollInterval is set). ctx bounds the
// sequence (about 3 s, most of it the 2.3 s
// calibration).
func (d *Dev) Start(ctx context.Context) error {
	d.mu.Lock()
	if d.started {
		d.mu.Unlock()
		return errors.New("sx1301: already started")
	}
	if err := d.bringUp(ctx); err != nil {
		d.mu.Unlock()
		return err
	}
	d.started = true
	d.stop = make(chan struct{})
	d.mu.Unlock()
	d.log.Info("sx1301 started", zap.String("radios", d.opts.Radio.String()),
		zap.String("calibration", fmt.Sprintf("0x%02x", d.calStat)))
	if d.opts.PollInterval > 0 {
		d.wg.Add(1)
		go d.loop()
	}
	return nil
}

func (d *Dev) loop() {
	defer d.wg.Done()
	clock.Every(d.clk, d.opts.PollInterval, d.stop, func() {
		if err := d.fetch(); err != nil && !errors.Is(err, hal.ErrNotStarted) {
			d.log.Warn("sx1301 rx fetch failed", zap.Error(err))
		}
	})
}

// Stop aborts any transmission, disables the modems, stops the poller
// and holds the chip in reset where the board has a reset line.
func (d *Dev) Stop() error {
	d.mu.Lock()
	if !d.started {
		d.mu.Unlock()
		return nil
	}
	d.started = false
	close(d.stop)
	errs := []error{d.bus.set(TxTrigAll, 0), d.bus.softReset()}
	if d.pins.Reset != nil {
		errs = append(errs, d.pins.Reset.Out(true))
	}
	d.mu.Unlock()
	d.wg.Wait()
	return errors.Join(errs...)
}

// Chip identifies the chip (valid once started). The SX1301 has no EUI
// register: the EUI is zero.
func (d *Dev) Chip() (hal.ChipInfo, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.chip.Model == "" {
		return hal.ChipInfo{}, hal.ErrNotStarted
	}
	c := d.chip
	c.Firmware = map[string]string{}
	for k, v := range d.chip.Firmware {
		c.Firmware[k] = v
	}
	return c, nil
}

func (d *Dev) setChip() {
	d.chip = hal.ChipInfo{Model: "SX1301", Firmware: map[string]string{
		"agc": strconv.Itoa(AGCVersion), "arb": strconv.Itoa(ARBVersion), "cal": strconv.Itoa(CalVersion)}}
}

// Stats returns the driver's counters.
func (d *Dev) Stats() Stats {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.stats
}

// Capabilities describe the chip and board.
func (d *Dev) Capabilities() hal.Capabilities {
	d.mu.Lock()
	defer d.mu.Unlock()
	c := hal.Capabilities{RFChains: 2, IFChains: 10, TxStartDelay: 1500 * time.Microsecond, ProgramTime: d.programTime}
	for i := 0; i < 2; i++ {
		r := hal.FreqRange{}
		if i < d.opts.TxChains {
			r = d.opts.TxFreq
		}
		c.TxFreq = append(c.TxFreq, r)
	}
	for _, g := range d.opts.TxGains {
		c.TxGains = append(c.TxGains, hal.TxGain{Power: g.Power})
	}
	return c
}

// Temperature returns hal.ErrNoSensor: no SX1301 board in scope has a
// sensor the driver reads.
func (d *Dev) Temperature() (float64, error) { return 0, hal.ErrNoSensor }

// sleep waits dur on the driver's clock, or fails when ctx ends.
func (d *Dev) sleep(ctx context.Context, dur time.Duration) error {
	if !clock.Sleep(d.clk, dur, ctx.Done()) {
		return fmt.Errorf("sx1301 start: %w", ctx.Err())
	}
	return nil
}
