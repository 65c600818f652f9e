package clock

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

func TestVirtualTimersFireInOrder(t *testing.T) {
	v := NewVirtual(t0)
	var order []string
	v.AfterFunc(30*time.Millisecond, func() { order = append(order, "c") })
	v.AfterFunc(10*time.Millisecond, func() { order = append(order, "a") })
	v.AfterFunc(10*time.Millisecond, func() { order = append(order, "b") })
	var at time.Time
	v.AfterFunc(20*time.Millisecond, func() { at = v.Now() })
	v.Advance(25 * time.Millisecond)
	if got := len(order); got != 2 || order[0] != "a" || order[1] != "b" {
		t.Fatalf("after 25ms fired %v, want [a b]", order)
	}
	if !at.Equal(t0.Add(20 * time.Millisecond)) {
		t.Fatalf("callback saw Now() = %v, want its own deadline", at.Sub(t0))
	}
	if got := v.Now().Sub(t0); got != 25*time.Millisecond {
		t.Fatalf("Now after Advance = %v", got)
	}
	v.Advance(10 * time.Millisecond)
	if len(order) != 3 || order[2] != "c" {
		t.Fatalf("fired %v", order)
	}
}

func TestVirtualTimerStopReset(t *testing.T) {
	v := NewVirtual(t0)
	tm := v.NewTimer(time.Second)
	if !tm.Stop() {
		t.Fatal("Stop of a pending timer returned false")
	}
	if tm.Stop() {
		t.Fatal("second Stop returned true")
	}
	v.Advance(2 * time.Second)
	select {
	case <-tm.C():
		t.Fatal("stopped timer fired")
	default:
	}
	tm.Reset(time.Second)
	v.Advance(999 * time.Millisecond)
	select {
	case <-tm.C():
		t.Fatal("fired early")
	default:
	}
	v.Advance(time.Millisecond)
	select {
	case got := <-tm.C():
		if !got.Equal(t0.Add(3 * time.Second)) {
			t.Fatalf("fired at %v", got.Sub(t0))
		}
	default:
		t.Fatal("did not fire at its deadline")
	}
}

func TestVirtualTicker(t *testing.T) {
	v := NewVirtual(t0)
	tk := v.NewTicker(100 * time.Millisecond)
	n := 0
	for i := 0; i < 5; i++ {
		v.Advance(100 * time.Millisecond)
		select {
		case <-tk.C():
			n++
		default:
		}
	}
	if n != 5 {
		t.Fatalf("got %d ticks, want 5", n)
	}
	tk.Stop()
	v.Advance(time.Second)
	if v.Pending() != 0 {
		t.Fatalf("stopped ticker still pending")
	}
}

func TestVirtualBlockUntil(t *testing.T) {
	v := NewVirtual(t0)
	done := v.BlockUntil(1)
	go func() { v.NewTimer(time.Second) }()
	<-done
	if v.Pending() != 1 {
		t.Fatalf("pending %d", v.Pending())
	}
	if d, ok := v.NextDeadline(); !ok || !d.Equal(t0.Add(time.Second)) {
		t.Fatalf("NextDeadline = %v %v", d, ok)
	}
}

func TestSleep(t *testing.T) {
	v := NewVirtual(t0)
	res := make(chan bool)
	go func() { res <- Sleep(v, time.Second, nil) }()
	<-v.BlockUntil(1)
	v.Advance(time.Second)
	if !<-res {
		t.Fatal("Sleep returned false after its duration")
	}
	done := make(chan struct{})
	go func() { res <- Sleep(v, time.Second, done) }()
	<-v.BlockUntil(1)
	close(done)
	if <-res {
		t.Fatal("Sleep returned true when cancelled")
	}
}

func TestOffset(t *testing.T) {
	v := NewVirtual(t0)
	o := Offset(v, time.Hour)
	if got := o.Now().Sub(t0); got != time.Hour {
		t.Fatalf("offset clock reads %v after t0", got)
	}
	fired := false
	o.AfterFunc(time.Second, func() { fired = true })
	v.Advance(time.Second)
	if !fired {
		t.Fatal("offset clock's timer did not fire with the base clock")
	}
}
