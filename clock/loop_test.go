package clock_test

import (
	"sync"
	"testing"
	"time"

	"github.com/lgwagent/lgw/clock"
)

// Loop runs f after the first wait and then after each wait f returns,
// and returns once done is closed.
func TestLoopWaitsWhatEachRunReturns(t *testing.T) {
	v := clock.NewVirtual(time.Unix(0, 0))
	waits := []time.Duration{3 * time.Second, 5 * time.Second, time.Hour}
	var mu sync.Mutex
	var at []time.Duration
	done, ended := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(ended)
		clock.Loop(v, 2*time.Second, done, func() time.Duration {
			mu.Lock()
			defer mu.Unlock()
			w := waits[len(at)]
			at = append(at, v.Now().Sub(time.Unix(0, 0)))
			return w
		})
	}()
	runs := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(at)
	}
	for i, step := range []time.Duration{2 * time.Second, 3 * time.Second, 5 * time.Second} {
		<-v.BlockUntil(1) // armed for the next run
		v.Advance(step)
		for deadline := time.Now().Add(10 * time.Second); runs() == i; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("run %d did not happen %v after the last", i+1, step)
			}
		}
	}
	close(done)
	<-ended
	want := []time.Duration{2 * time.Second, 5 * time.Second, 10 * time.Second}
	if len(at) != len(want) {
		t.Fatalf("runs at %v, want %v", at, want)
	}
	for i := range want {
		if at[i] != want[i] {
			t.Fatalf("runs at %v, want %v", at, want)
		}
	}
}

// Every runs f on each tick of a ticker armed before the first run, so a
// clock moved while f runs still finds the next tick armed.
func TestEveryRunsOnEachTick(t *testing.T) {
	v := clock.NewVirtual(time.Unix(0, 0))
	ran := make(chan time.Duration)
	done, ended := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(ended)
		clock.Every(v, 10*time.Millisecond, done, func() { ran <- v.Now().Sub(time.Unix(0, 0)) })
	}()
	<-v.BlockUntil(1)
	for i := 1; i <= 3; i++ {
		v.Advance(10 * time.Millisecond) // the ticker stays armed: no wait for a re-arm
		if got, want := <-ran, time.Duration(i)*10*time.Millisecond; got != want {
			t.Fatalf("run %d at %v, want %v", i, got, want)
		}
	}
	close(done)
	<-ended
}
