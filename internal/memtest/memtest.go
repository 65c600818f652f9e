// Package memtest measures memory for benchmarks: the live heap after a
// collection and the process's resident set.
package memtest

import (
	"os"
	"runtime"
	"strconv"
	"strings"
)

// LiveHeap collects garbage and returns the bytes of live heap objects.
func LiveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// RSSKB returns the process's resident set in KiB from /proc/self/status
// (Linux; 0 where it cannot be read).
func RSSKB() int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return n
		}
	}
	return 0
}
