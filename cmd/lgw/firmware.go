package main

import (
	"io"

	"github.com/lgwagent/lgw/sx1302/sx1302cli"
)

// cmdFirmware runs `lgw firmware import DIR [--dest D]` and `lgw firmware
// status [--dir D]` (exit 0 ok, 1 failure, 2 usage).
func cmdFirmware(args []string, stdout, stderr io.Writer) int {
	return sx1302cli.Firmware(args, stdout, stderr)
}
