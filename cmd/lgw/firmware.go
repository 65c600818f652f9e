package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/lgwagent/lgw/hal/fwimage"
	"github.com/lgwagent/lgw/sx1301"
	"github.com/lgwagent/lgw/sx1302/sx1302cli"
)

// cmdFirmware runs `lgw firmware import DIR [--dest D]` and `lgw firmware
// status [--dir D]` for both chip families (exit 0 ok, 1 failure, 2
// usage). A lora_gateway checkout gives the SX1301 images; anything else
// is taken for an sx1302_hal checkout.
func cmdFirmware(args []string, stdout, stderr io.Writer) int {
	return firmwareCmd(args, stdout, stderr, nil)
}

// firmwareCmd takes the expected SX1301 images (nil: the facts' hashes)
// for tests.
func firmwareCmd(args []string, stdout, stderr io.Writer, sx1301Images []sx1301.FirmwareImage) int {
	if len(args) == 0 {
		return sx1302cli.Firmware(args, stdout, stderr)
	}
	switch args[0] {
	case "import":
		fs := flag.NewFlagSet("firmware import", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		dest := fs.String("dest", sx1301.DefaultFirmwareDir, "")
		src := ""
		rest := args[1:]
		if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
			src, rest = rest[0], rest[1:]
		}
		if err := fs.Parse(rest); err != nil || (src == "" && fs.NArg() != 1) || (src != "" && fs.NArg() != 0) {
			return sx1302cli.Firmware(args, stdout, stderr)
		}
		if src == "" {
			src = fs.Arg(0)
		}
		if !sx1301.IsCheckout(src) {
			return sx1302cli.Firmware(args, stdout, stderr)
		}
		paths, err := sx1301.ImportFirmware(src, *dest, sx1301Images)
		if err != nil {
			fmt.Fprintln(stderr, "lgw firmware import:", err)
			return 1
		}
		for _, p := range paths {
			fmt.Fprintln(stdout, "installed", p)
		}
		return 0
	case "status":
		fs := flag.NewFlagSet("firmware status", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		dir := fs.String("dir", sx1301.DefaultFirmwareDir, "")
		if err := fs.Parse(args[1:]); err != nil || fs.NArg() > 0 {
			return sx1302cli.Firmware(args, stdout, stderr)
		}
		fmt.Fprintln(stdout, "SX1302/SX1303 (Semtech sx1302_hal 2.1.0):")
		code1302 := sx1302cli.Firmware(args, stdout, stderr)
		fmt.Fprintln(stdout, "SX1301 (Semtech lora_gateway v5.0.1):")
		complete := fwimage.WriteStatus(stdout, sx1301.FirmwareStatus(*dir))
		if !complete {
			fmt.Fprintln(stdout, "run: lgw firmware import <lora_gateway checkout>")
		}
		if code1302 != 0 && !complete {
			return 1
		}
		return 0
	}
	return sx1302cli.Firmware(args, stdout, stderr)
}
