package sx1301test_test

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/sx1301/sx1301test"
)

// TestPPSLatch: TIMESTAMP holds the count of the last PPS edge while
// GPS_EN is 1 and the live count while it is 0; an edge that comes while
// GPS_EN is 0 is not latched.
func TestPPSLatch(t *testing.T) {
	clk := clock.NewVirtual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	chip := sx1301test.New(sx1301test.Config{Clock: clk, Fail: t, PPS: true})
	w := func(b ...byte) {
		t.Helper()
		if err := chip.Tx(b, nil); err != nil {
			t.Fatal(err)
		}
	}
	ts := func() uint32 {
		t.Helper()
		r := make([]byte, 5)
		if err := chip.Tx([]byte{0x46, 0, 0, 0, 0}, r); err != nil {
			t.Fatal(err)
		}
		return binary.LittleEndian.Uint32(r[1:])
	}
	w(0x91, 0x02) // CLK32M_EN 0
	w(0x91, 0x03) // CLK32M_EN 1: the counter starts
	w(0x80, 0x02) // page 2
	w(0xD9, 0x03) // GPS_EN 1 (GPS_POL 1)
	clk.Advance(1500 * time.Millisecond)
	if got := ts(); got != 1000000 {
		t.Fatalf("latch %d, want 1000000", got)
	}
	clk.Advance(499 * time.Millisecond)
	w(0xD9, 0x02) // GPS_EN 0: live counter
	if got := ts(); got != 1999000 {
		t.Fatalf("live %d, want 1999000", got)
	}
	clk.Advance(2 * time.Millisecond) // the edge at 2 s passes
	w(0xD9, 0x03)
	if got := ts(); got != 1000000 {
		t.Fatalf("latch %d after an edge with GPS_EN 0, want the old 1000000", got)
	}
	clk.Advance(time.Second)
	if got := ts(); got != 3000000 {
		t.Fatalf("latch %d, want 3000000", got)
	}
}
