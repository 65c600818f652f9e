// Package sx1302 drives a Semtech SX1302 or SX1303 LoRa concentrator with
// SX1250 radios over SPI, in pure Go, and implements hal.Concentrator.
//
// The driver takes an spi.Conn and the board's pins; it never opens a port
// itself (package board does). Every register access goes through one SPI
// accessor under one mutex, so the RX poller, the counter reader and TX
// programming never interleave frames. Firmware is loaded at run time from
// Opts.FirmwareDir (see ImportFirmware). The facts the driver follows are
// cited as bringup §n (shared/reference/sx1302-bringup.md) and rxtx §n
// (sx1302-rxtx-timing.md).
package sx1302

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.uber.org/zap"
	"periph.io/x/conn/v3/spi"

	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/hal"
)

// Versions the firmware must report (bringup §0, §3.5, §3.6).
const (
	AGCVersionSX1250 = 10
	ARBVersion       = 2
)

// rxBufSize is the host RX buffer (rxtx §1.1): the chip's buffer is 4 KiB.
const rxBufSize = 4096

// Stats are the driver's counters.
type Stats struct {
	// Received counts packets parsed; Corrupt records skipped (bad sync,
	// checksum, range or truncation); Dropped packets lost to a full
	// queue; BadCRC payloads whose CRC disagreed with the record;
	// NoFineTime LoRa packets without a fine timestamp in precision mode.
	Received, Corrupt, Dropped, BadCRC, NoFineTime uint64
}

// Dev is an SX1302/SX1303 concentrator.
type Dev struct {
	opts Opts
	clk  clock.Clock
	log  *zap.Logger
	pins Pins

	mu      sync.Mutex // serialises all SPI and guards the fields below
	bus     *bus
	started bool
	chip    hal.ChipInfo
	sx1303  bool
	// fine: precision mode is on (Opts.FineTimestamp on an SX1303); pps
	// the distinct PPS latches for it; lastPPS the latch of the last
	// counter read.
	fine    bool
	pps     ppsRing
	lastPPS uint32
	stats   Stats
	// counter widening (rxtx §1.5): last 27-bit µs reading and wrap count
	last27  uint32
	wrap    uint32
	counted bool
	// readAt is when the counters were last read, by anyone.
	readAt  time.Time
	rxBuf   []byte
	queue   []hal.RxPacket
	program time.Duration
	temp    *stts751
	// tempC is the board temperature for RSSI compensation, read at tempAt.
	tempC  float64
	tempAt time.Time

	stop chan struct{}
	wg   sync.WaitGroup
}

var _ hal.Concentrator = (*Dev)(nil)

// New builds a driver on an SPI connection (mode 0, at most 2 MHz) and the
// board's pins. It does not touch the chip; Start does.
func New(conn spi.Conn, pins Pins, opts Opts, clk clock.Clock, log *zap.Logger) (*Dev, error) {
	opts.setDefaults()
	if err := opts.validate(); err != nil {
		return nil, err
	}
	if clk == nil {
		return nil, errors.New("sx1302: clock is required")
	}
	if log == nil {
		log = zap.NewNop()
	}
	b, err := newBus(conn)
	if err != nil {
		return nil, err
	}
	return &Dev{opts: opts, clk: clk, log: log, pins: pins, bus: b, rxBuf: make([]byte, rxBufSize), tempC: opts.Temperature,
		queue: make([]hal.RxPacket, 0, opts.RxQueue)}, nil
}

// Start resets and powers the chip, loads the firmware, configures the
// radios and IF chains from the plan and enables receive, then starts the
// RX poller and the counter reader. ctx bounds the sequence.
func (d *Dev) Start(ctx context.Context) error {
	d.mu.Lock()
	if d.started {
		d.mu.Unlock()
		return errors.New("sx1302: already started")
	}
	err := d.bringUp(ctx)
	if err == nil {
		_, err = d.counterLocked()
	}
	if err != nil {
		d.mu.Unlock()
		return err
	}
	d.started = true
	d.stop = make(chan struct{})
	d.mu.Unlock()
	d.log.Info("sx1302 started", zap.String("model", d.chip.Model), zap.Stringer("eui", d.chip.EUI),
		zap.String("agc", d.chip.Firmware["agc"]), zap.String("arb", d.chip.Firmware["arb"]))
	if d.opts.PollInterval > 0 {
		d.wg.Add(1)
		go func() {
			defer d.wg.Done()
			clock.Every(d.clk, d.opts.PollInterval, d.stop, d.poll)
		}()
	}
	every := d.opts.CounterInterval
	if d.opts.FineTimestamp {
		// Every PPS latch must be seen for the history (rxtx §1.6).
		every = min(every, finePPSRead)
	}
	d.wg.Add(1)
	go d.counterLoop(every)
	return nil
}

// counterLoop sees that the counters are read at least every `every`
// (wrap tracking, rxtx §1.5; PPS latches in precision mode) without reading
// them itself while others do: the scheduler's tick reads the counter every
// second, so this loop then only re-arms its timer.
func (d *Dev) counterLoop(every time.Duration) {
	defer d.wg.Done()
	clock.Loop(d.clk, every, d.stop, func() time.Duration {
		wait, err := d.readIfStale(every)
		if err != nil {
			d.log.Warn("sx1302 counter read failed", zap.Error(err))
		}
		return wait
	})
}

// readIfStale reads the counters unless they were read less than every
// ago, and returns the wait before the next check.
func (d *Dev) readIfStale(every time.Duration) (time.Duration, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if age := d.clk.Now().Sub(d.readAt); age < every {
		return every - age, nil
	}
	if !d.started {
		return every, nil
	}
	_, err := d.counterLocked()
	return every, err
}

func (d *Dev) poll() {
	if err := d.fetch(); err != nil && !errors.Is(err, hal.ErrNotStarted) {
		d.log.Warn("sx1302 rx fetch failed", zap.Error(err))
	}
}

// Stop aborts any transmission, disables receive, stops the background
// readers and holds the chip in reset where the board has a reset line,
// so the radio is silent.
func (d *Dev) Stop() error {
	d.mu.Lock()
	if !d.started {
		d.mu.Unlock()
		return nil
	}
	d.started = false
	close(d.stop)
	var errs []error
	for ch := uint8(0); ch < 2; ch++ {
		errs = append(errs, d.abortLocked(ch))
	}
	errs = append(errs, d.bus.set(CommonGlobalEn, 0))
	if d.pins.Reset != nil {
		errs = append(errs, d.pins.Reset.Out(true))
	}
	d.mu.Unlock()
	d.wg.Wait()
	return errors.Join(errs...)
}

// Chip identifies the chip (valid once started).
func (d *Dev) Chip() (hal.ChipInfo, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.chip.Model == "" {
		return hal.ChipInfo{}, hal.ErrNotStarted
	}
	c := d.chip
	c.Firmware = map[string]string{"agc": d.chip.Firmware["agc"], "arb": d.chip.Firmware["arb"]}
	return c, nil
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
	c := hal.Capabilities{RFChains: 2, IFChains: 10, FineTimestamp: d.fine,
		TxStartDelay: 1500 * time.Microsecond, ProgramTime: d.program}
	for i := 0; i < 2; i++ {
		if i < d.opts.TxChains {
			c.TxFreq = append(c.TxFreq, d.opts.TxFreq)
		} else {
			c.TxFreq = append(c.TxFreq, hal.FreqRange{})
		}
	}
	for _, g := range d.opts.TxGains {
		c.TxGains = append(c.TxGains, hal.TxGain{Power: g.Power})
	}
	return c
}

// Temperature reads the STTS751, or returns hal.ErrNoSensor.
func (d *Dev) Temperature() (float64, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.readTemperature()
}

// readTemperature reads the sensor, probing it first. d.mu is held.
func (d *Dev) readTemperature() (float64, error) {
	if d.opts.I2C == nil {
		return 0, hal.ErrNoSensor
	}
	if d.temp == nil {
		t, err := probeSTTS751(d.opts.I2C, d.opts.TempAddr)
		if err != nil {
			return 0, err
		}
		d.temp = t
	}
	return d.temp.read()
}

// sleep waits d on the driver's clock, or fails when ctx ends.
func (d *Dev) sleep(ctx context.Context, dur time.Duration) error {
	if !clock.Sleep(d.clk, dur, ctx.Done()) {
		return fmt.Errorf("sx1302 start: %w", ctx.Err())
	}
	return nil
}
