package main

import (
	"io"

	"github.com/lgwagent/lgw/sx1302/sx1302cli"
)

// cmdChipInfo runs `lgw chip --board B ...`: model, EUI, firmware versions
// and temperature straight from the chip (exit 0 ok, 1 failure, 2 usage).
func cmdChipInfo(args []string, stdout, stderr io.Writer) int {
	return sx1302cli.ChipInfo(args, stdout, stderr)
}
