package main

import (
	"runtime"
	"testing"
)

func TestLimitProcsKeepsTheEnvironmentsChoice(t *testing.T) {
	prev := runtime.GOMAXPROCS(3)
	defer runtime.GOMAXPROCS(prev)
	for _, tc := range []struct {
		env  string
		want int
	}{
		{"3", 3}, // GOMAXPROCS set: left as the runtime read it
		{"", daemonProcs},
	} {
		runtime.GOMAXPROCS(3)
		got := limitProcs(func(k string) string {
			if k == "GOMAXPROCS" {
				return tc.env
			}
			return ""
		})
		if got != tc.want || runtime.GOMAXPROCS(0) != tc.want {
			t.Errorf("GOMAXPROCS=%q: limitProcs %d, in force %d, want %d", tc.env, got, runtime.GOMAXPROCS(0), tc.want)
		}
	}
}
