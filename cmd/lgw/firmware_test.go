package main

import (
	"bytes"
	"net"
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

func TestChipInfoRefusesWhileDaemonRuns(t *testing.T) {
	dir := t.TempDir()
	idle := dir + "/none.sock"
	var out, errb bytes.Buffer
	if code := cmdChip([]string{"info", "--socket", idle, "--board", "sx1302-emulated", "--firmware-dir", dir}, &out, &errb); code != 0 || !strings.Contains(out.String(), "SX1302") {
		t.Fatalf("no daemon: exit %d, %s %s", code, out.String(), errb.String())
	}
	sock := dir + "/lgw.sock"
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	out.Reset()
	errb.Reset()
	if code := cmdChip([]string{"info", "--socket=" + sock, "--board", "sx1302-emulated"}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "owns the SPI port") {
		t.Fatalf("daemon running: exit %d, %q", code, errb.String())
	}
	if code := cmdChip([]string{"status"}, &out, &errb); code != 2 {
		t.Fatalf("usage: exit %d", code)
	}
}
