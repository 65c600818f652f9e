package board

import (
	"errors"
	"fmt"

	"periph.io/x/conn/v3/driver/driverreg"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/physic"
	"periph.io/x/conn/v3/spi"
	"periph.io/x/host/v3/sysfs"

	"github.com/lgwagent/lgw/board/devlock"
)

// openSPI takes the board's SPI device (override wins when set) for
// exclusive use (devlock) and opens it in mode 0 at hz (checked by
// Board.CheckSPISpeed). close releases the port and the lock.
func openSPI(dev, override string, hz int) (spi.Conn, func() error, error) {
	if _, err := driverreg.Init(); err != nil {
		return nil, nil, fmt.Errorf("periph init: %w", err)
	}
	if override != "" {
		dev = override
	}
	busN, cs, err := parseSPIDev(dev)
	if err != nil {
		return nil, nil, err
	}
	// Exclusive use of the chip before the first SPI transfer.
	lock, err := devlock.Lock(dev)
	if err != nil {
		return nil, nil, err
	}
	port, err := sysfs.NewSPI(busN, cs)
	if err != nil {
		lock.Release()
		return nil, nil, fmt.Errorf("spi %s: %w", dev, err)
	}
	conn, err := port.Connect(physic.Frequency(hz)*physic.Hertz, spi.Mode0, 8)
	if err != nil {
		port.Close()
		lock.Release()
		return nil, nil, fmt.Errorf("spi %s: %w", dev, err)
	}
	return conn, func() error { return errors.Join(port.Close(), lock.Release()) }, nil
}

// pickLine finds the GPIO line name (override wins); nil when neither is
// set. key names the configuration key in errors.
func pickLine(name, override, key string) (gpio.PinOut, error) {
	if override != "" {
		name = override
	}
	if name == "" {
		return nil, nil
	}
	line := gpioLine(name)
	if line == nil {
		return nil, fmt.Errorf("GPIO line %q (%s) not found on any gpiochip", name, key)
	}
	return line, nil
}
