package scheduler

import (
	"testing"
	"unsafe"

	"github.com/lgwagent/lgw/hal"
)

// TestItemSize keeps a queued item in the runtime's 160-byte size class:
// with 10,000 queued downlinks each byte is 10 kB of live heap, and twice
// that of resident set at the default GOGC (docs/performance.md, memory).
// The next class down is 144 bytes, the next up 176.
func TestItemSize(t *testing.T) {
	sizes := []struct {
		name      string
		got, want uintptr
	}{
		{"hal.DataRate", unsafe.Sizeof(hal.DataRate{}), 16},
		{"hal.TxPacket", unsafe.Sizeof(hal.TxPacket{}), 64},
		{"item", unsafe.Sizeof(item{}), 160},
	}
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("sizes are given for 64-bit machines")
	}
	for _, s := range sizes {
		if s.got > s.want {
			t.Errorf("%s is %d bytes, want at most %d", s.name, s.got, s.want)
		}
	}
}
