package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/lgwagent/lgw/control"
)

// cmdChip runs `lgw chip info [--socket S] --board B ...`: model, EUI,
// firmware versions and temperature straight from the chip, for bench
// checks. It refuses while a daemon answers on the control socket, since
// the daemon owns the SPI port (exit 0 ok, 1 failure, 2 usage).
func cmdChip(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "info" {
		fmt.Fprintln(stderr, "usage: lgw chip info [--socket PATH] --board BOARD [--firmware-dir DIR] [--region R] [--spi-device DEV] [--reset-line L] [--power-line L]")
		return 2
	}
	socket, rest := control.DefaultSocket, make([]string, 0, len(args))
	for i := 1; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--socket" || a == "-socket":
			if i+1 >= len(args) {
				fmt.Fprintln(stderr, "lgw chip info: --socket needs a path")
				return 2
			}
			socket = args[i+1]
			i++
		case strings.HasPrefix(a, "--socket=") || strings.HasPrefix(a, "-socket="):
			socket = a[strings.Index(a, "=")+1:]
		default:
			rest = append(rest, a)
		}
	}
	if daemonRunning(socket) {
		fmt.Fprintf(stderr, "lgw chip info: the lgw daemon is running (it answers on %s) and owns the SPI port; "+
			"use `lgw status`, or stop the daemon first (systemctl stop lgw)\n", socket)
		return 1
	}
	return cmdChipInfo(rest, stdout, stderr)
}
