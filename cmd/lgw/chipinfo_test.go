package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestChipInfoEmulatedBoard(t *testing.T) {
	var out, errb bytes.Buffer
	// Real clock: the emulated start waits its ≈2.2 s of radio resets.
	code := cmdChipInfo([]string{"--board", "sx1302-emulated", "--firmware-dir", t.TempDir()}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, w := range []string{"model:       SX1302", "eui:         0016c001ff1e0001", "firmware agc: 10", "firmware arb: 2", "temperature: not fitted"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("output lacks %q:\n%s", w, out.String())
		}
	}
	if code := cmdChipInfo(nil, &out, &errb); code != 2 {
		t.Errorf("no board: exit %d", code)
	}
	if code := cmdChipInfo([]string{"--board", "nope"}, &out, &errb); code != 1 {
		t.Errorf("unknown board: exit %d", code)
	}
}
