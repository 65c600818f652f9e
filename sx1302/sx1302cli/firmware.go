// Package sx1302cli holds the SX1302 subcommands of lgw (`lgw firmware`,
// `lgw chip`) so that they are testable apart from cmd/lgw's main.
package sx1302cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/lgwagent/lgw/board/devlock"
	"github.com/lgwagent/lgw/hal/fwimage"
	"github.com/lgwagent/lgw/sx1302"
)

// Firmware runs `lgw firmware import DIR [--dest D]` and `lgw firmware
// status [--dir D]`. It returns 0 on success, 1 on failure, 2 on usage
// errors.
func Firmware(args []string, stdout, stderr io.Writer) int {
	return firmware(args, stdout, stderr, nil)
}

// firmware takes the expected images (nil: the facts' hashes) for tests.
func firmware(args []string, stdout, stderr io.Writer, images []sx1302.FirmwareImage) int {
	usage := func() int {
		fmt.Fprintln(stderr, "usage: lgw firmware import SX1302_HAL_DIR [--dest DIR] [--spi-device DEV] | lgw firmware status [--dir DIR]")
		return 2
	}
	if len(args) == 0 {
		return usage()
	}
	switch args[0] {
	case "import":
		fs := flag.NewFlagSet("firmware import", flag.ContinueOnError)
		fs.SetOutput(stderr)
		dest := fs.String("dest", sx1302.DefaultFirmwareDir, "firmware directory to install into")
		spiDev := fs.String("spi-device", "/dev/spidev0.0", "concentrator SPI device, locked while importing (skipped if absent)")
		src, rest := splitPositional(args[1:])
		if err := fs.Parse(rest); err != nil || src == "" || fs.NArg() > 0 {
			return usage()
		}
		// Not under a running lgw: it holds the SPI device.
		lock, err := devlock.Lock(*spiDev)
		switch {
		case err == nil:
			defer lock.Release()
		case !errors.Is(err, os.ErrNotExist):
			fmt.Fprintln(stderr, "lgw firmware import:", err)
			return 1
		}
		res, err := sx1302.ImportFirmware(src, sx1302.ImportOptions{Dest: *dest, Images: images})
		if err != nil {
			fmt.Fprintln(stderr, "lgw firmware import:", err)
			return 1
		}
		for _, p := range res.Installed {
			fmt.Fprintln(stdout, "installed", p)
		}
		for _, n := range res.Skipped {
			fmt.Fprintln(stdout, "skipped (not in source, optional)", n)
		}
		return 0
	case "status":
		fs := flag.NewFlagSet("firmware status", flag.ContinueOnError)
		fs.SetOutput(stderr)
		dir := fs.String("dir", sx1302.DefaultFirmwareDir, "firmware directory")
		if err := fs.Parse(args[1:]); err != nil || fs.NArg() > 0 {
			return usage()
		}
		complete := fwimage.WriteStatus(stdout, sx1302.FirmwareStatus(*dir))
		if !complete {
			fmt.Fprintln(stdout, "run: lgw firmware import <sx1302_hal checkout>")
			return 1
		}
		return 0
	}
	return usage()
}

// splitPositional takes the first non-flag argument out of args, so the
// source directory may come before or after --dest.
func splitPositional(args []string) (string, []string) {
	var rest []string
	pos := ""
	for i := 0; i < len(args); i++ {
		a := args[i]
		if len(a) > 0 && a[0] == '-' {
			rest = append(rest, a)
			if a == "--dest" || a == "-dest" {
				if i+1 < len(args) {
					rest = append(rest, args[i+1])
					i++
				}
			}
			continue
		}
		if pos == "" {
			pos = a
		} else {
			rest = append(rest, a)
		}
	}
	return pos, rest
}
