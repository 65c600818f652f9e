package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestCmdFirmwareAndChip(t *testing.T) {
	var out, errb bytes.Buffer
	if code := cmdFirmware([]string{"status", "--dir", t.TempDir()}, &out, &errb); code != 1 || !strings.Contains(out.String(), "lgw firmware import") {
		t.Fatalf("status of an empty dir: exit %d, %s", code, out.String())
	}
	if code := cmdFirmware([]string{"bogus"}, &out, &errb); code != 2 {
		t.Fatalf("usage: exit %d", code)
	}
	out.Reset()
	if code := cmdChipInfo([]string{"--board", "sx1302-emulated", "--firmware-dir", t.TempDir()}, &out, &errb); code != 0 || !strings.Contains(out.String(), "SX1302") {
		t.Fatalf("chip: exit %d, %s %s", code, out.String(), errb.String())
	}
}
