package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"time"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/board"
	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/region"
	"github.com/lgwagent/lgw/sx1302"
)

// cmdChipInfo runs `lgw chip --board B [--firmware-dir D] [--region R]
// [--spi-device S] [--reset-line L] [--power-line L]`: it starts the
// concentrator and prints model, EUI, firmware versions and temperature
// straight from the chip, then stops it. On --board sx1302-emulated it
// needs no hardware.
func cmdChipInfo(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("chip", flag.ContinueOnError)
	fs.SetOutput(stderr)
	bn := fs.String("board", "", "board name (see lgw boards)")
	fw := fs.String("firmware-dir", sx1302.DefaultFirmwareDir, "firmware directory")
	rn := fs.String("region", "EU868", "region (for the channel plan)")
	spiDev := fs.String("spi-device", "", "override the board's SPI device")
	reset := fs.String("reset-line", "", "override the board's reset GPIO line")
	power := fs.String("power-line", "", "override the board's power GPIO line")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 || *bn == "" {
		fmt.Fprintln(stderr, "usage: lgw chip --board NAME [--firmware-dir DIR] [--region R] [--spi-device DEV] [--reset-line L] [--power-line L]")
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintln(stderr, "lgw chip:", err)
		return 1
	}
	b, err := board.Lookup(*bn)
	if err != nil {
		return fail(err)
	}
	r, err := region.Lookup(*rn)
	if err != nil {
		return fail(err)
	}
	hw, err := b.Open(board.Params{Clock: clock.Real(), Log: zap.NewNop(), Region: r, FirmwareDir: *fw,
		SPIDevice: *spiDev, ResetLine: *reset, PowerLine: *power})
	if err != nil {
		return fail(err)
	}
	defer hw.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := hw.Concentrator
	if err := c.Start(ctx); err != nil {
		return fail(err)
	}
	defer c.Stop()
	info, err := c.Chip()
	if err != nil {
		return fail(err)
	}
	eui := info.EUI.String()
	if info.EUI == (hal.EUI64{}) {
		eui = "none (the chip has no EUI; set gateway.id)"
	}
	fmt.Fprintf(stdout, "board:       %s\nmodel:       %s\neui:         %s\n", b.Name, info.Model, eui)
	names := make([]string, 0, len(info.Firmware))
	for n := range info.Firmware {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(stdout, "firmware %-3s %s\n", n+":", info.Firmware[n])
	}
	switch t, err := c.Temperature(); {
	case errors.Is(err, hal.ErrNoSensor):
		fmt.Fprintln(stdout, "temperature: not fitted")
	case err != nil:
		fmt.Fprintf(stdout, "temperature: error: %v\n", err)
	default:
		fmt.Fprintf(stdout, "temperature: %.1f °C\n", t)
	}
	return 0
}
