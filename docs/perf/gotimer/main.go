// Command gotimer is the floor of a Go program's idle cost: it does nothing
// but wait on a 40 ms timer, the period of lgw's idle RX poll. The idle CPU
// script (docs/perf/idle-cpu.sh) runs it beside lgw and the C poller.
package main

import "time"

func main() {
	t := time.NewTimer(40 * time.Millisecond)
	for range t.C {
		t.Reset(40 * time.Millisecond)
	}
}
