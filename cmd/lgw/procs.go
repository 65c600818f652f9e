package main

import "runtime"

// daemonProcs is how many threads run Go code at once in `lgw run` when
// the environment does not set GOMAXPROCS. The daemon's work is short
// bursts between waits (an RX poll, a hand-off, an MQTT message); one
// processor serves it, the same on a one-core Pi Zero as on a four-core
// Pi 4, and an idle gateway then wakes one thread per timer instead of two
// (docs/performance.md, idle CPU).
const daemonProcs = 1

// limitProcs sets GOMAXPROCS to daemonProcs unless the environment (read
// with getenv) sets it, and returns the value in force.
func limitProcs(getenv func(string) string) int {
	if getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(daemonProcs)
	}
	return runtime.GOMAXPROCS(0)
}
