package board

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"go.uber.org/zap"
	"periph.io/x/conn/v3/i2c"
	"periph.io/x/host/v3/gpioioctl"
	"periph.io/x/host/v3/sysfs"

	"github.com/lgwagent/lgw/gps"
	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/sx1302"
)

// sx1302Wiring is how an SX1302 HAT is wired to the Raspberry Pi.
type sx1302Wiring struct {
	spi string
	// reset and power are GPIO line names ("" power: not switchable).
	reset, power string
	// tempAddr is the STTS751 address on /dev/i2c-1 (0: not fitted).
	tempAddr uint16
	clockSrc uint8
}

// sx1302Boards lists the SX1302/SX1303 HATs (sx1302-bringup.md §3.1, §6.2,
// trap 10). All use SX1250 radios clocked from radio A; the TX gain table
// is the reference design's.
func sx1302Boards() []*Board {
	mk := func(name, desc string, w sx1302Wiring) *Board {
		return &Board{Name: name, Description: desc, Chip: "sx1302", RSSIOffset: -215.4,
			TxGains: HalGains(sx1302.DefaultTxGains()), TxFreq: hal.FreqRange{Min: 863e6, Max: 928e6},
			open: func(p Params, b *Board) (Hardware, error) { return openSX1302(p, b, w) }}
	}
	return []*Board{
		mk("semtech-corecell", "Semtech SX1302 CoreCell reference design: reset GPIO23, power GPIO18, STTS751 at 0x39",
			sx1302Wiring{spi: "/dev/spidev0.0", reset: "GPIO23", power: "GPIO18", tempAddr: 0x39}),
		mk("rak2287", "RAK2287 on the RAK Pi HAT: reset GPIO17, no temperature sensor",
			sx1302Wiring{spi: "/dev/spidev0.0", reset: "GPIO17"}),
		mk("rak5146", "RAK5146 (SX1303) on the RAK Pi HAT: reset GPIO17, no temperature sensor",
			sx1302Wiring{spi: "/dev/spidev0.0", reset: "GPIO17"}),
		mk("seeed-wm1302", "Seeed WM1302 on its Pi HAT: reset GPIO17, power GPIO18, no temperature sensor",
			sx1302Wiring{spi: "/dev/spidev0.0", reset: "GPIO17", power: "GPIO18"}),
		mk("generic-sx1302", "SX1302/SX1303 board wired by hand: set spi_device, reset_line, power_line",
			sx1302Wiring{spi: "/dev/spidev0.0", reset: "GPIO23"}),
	}
}

// HalGains converts the driver's TX gain table to the board's.
func HalGains(g []sx1302.TxGain) []hal.TxGain {
	out := make([]hal.TxGain, len(g))
	for i, e := range g {
		out[i] = hal.TxGain{Power: e.Power}
	}
	return out
}

// SX1302Opts builds the driver options from the daemon's parameters.
func SX1302Opts(p Params, b *Board) (sx1302.Opts, error) {
	if p.Region == nil {
		return sx1302.Opts{}, errors.New("a region is required for the channel plan")
	}
	plan, err := p.ChannelPlan(sx1302.Limits)
	if err != nil {
		return sx1302.Opts{}, err
	}
	off := b.RSSIOffset
	if p.RSSIOffset != 0 {
		off = float32(p.RSSIOffset)
	}
	return sx1302.Opts{FirmwareDir: p.FirmwareDir, Plan: plan, RSSIOffset: off, TxFreq: b.TxFreq,
		FineTimestamp: p.FineTimestamp, Temperature: p.Temperature}, nil
}

func openSX1302(p Params, b *Board, w sx1302Wiring) (Hardware, error) {
	opts, err := SX1302Opts(p, b)
	if err != nil {
		return Hardware{}, err
	}
	conn, closePort, err := openSPI(w.spi, p.SPIDevice, b.SPISpeed(p.SPISpeed))
	if err != nil {
		return Hardware{}, err
	}
	closers := []func() error{closePort}
	closeAll := func() error {
		var errs []error
		for _, c := range closers {
			errs = append(errs, c())
		}
		return errors.Join(errs...)
	}
	var pins sx1302.Pins
	if pins.Reset, err = pickLine(w.reset, p.ResetLine, "reset_line"); err == nil {
		pins.Power, err = pickLine(w.power, p.PowerLine, "power_line")
	}
	if err != nil {
		closeAll()
		return Hardware{}, err
	}
	if w.tempAddr != 0 {
		bus, err := sysfs.NewI2C(1)
		if err != nil {
			p.Log.Warn("temperature sensor bus /dev/i2c-1 unavailable; temperature not reported", zap.Error(err))
		} else {
			opts.I2C, opts.TempAddr = i2c.Bus(bus), w.tempAddr
			closers = append(closers, bus.Close)
		}
	}
	opts.ClockSource = w.clockSrc
	d, err := sx1302.New(conn, pins, opts, p.Clock, p.Log)
	if err != nil {
		closeAll()
		return Hardware{}, err
	}
	hw := Hardware{Concentrator: d, Close: closeAll}
	if p.GPSDevice != "" {
		if err := openGPS(p, d, &hw); err != nil {
			closeAll()
			return Hardware{}, err
		}
	}
	return hw, nil
}

// openGPS starts an NMEA receiver on the GPS serial port, paired with the
// concentrator's PPS latch; Close stops it.
func openGPS(p Params, conc hal.Concentrator, hw *Hardware) error {
	port, err := gps.OpenSerial(p.GPSDevice, 9600)
	if err != nil {
		return err
	}
	r := gps.New(port, conc.PPSCounter, p.Log.Named("gps"))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := r.Run(ctx); err != nil {
			p.Log.Error("gps receiver stopped", zap.Error(err))
		}
	}()
	closeBoard := hw.Close
	hw.GPS = r
	hw.Close = func() error {
		cancel()
		<-done
		return closeBoard()
	}
	return nil
}

// gpioLine finds a line by its kernel name on the GPIO character devices.
func gpioLine(name string) *gpioioctl.GPIOLine {
	for _, c := range gpioioctl.Chips {
		if l := c.ByName(name); l != nil {
			return l
		}
	}
	return nil
}

// parseSPIDev splits "/dev/spidevB.C".
func parseSPIDev(dev string) (int, int, error) {
	s := strings.TrimPrefix(filepath.Base(dev), "spidev")
	b, c, ok := strings.Cut(s, ".")
	bn, err1 := strconv.Atoi(b)
	cn, err2 := strconv.Atoi(c)
	if !ok || err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("spi_device %q: want /dev/spidevB.C", dev)
	}
	return bn, cn, nil
}
