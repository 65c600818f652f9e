package mqtt

import (
	"fmt"
	"testing"
	"time"
)

func TestBufferOrderAndEviction(t *testing.T) {
	b := newBuffer(4)
	b.add(kindUplink, "u", []byte("u1"))
	b.add(kindStats, "s", []byte("s1"))
	b.add(kindDownlink, "d", []byte("d1"))
	b.add(kindStats, "s", []byte("s2"))
	b.add(kindResponse, "r", []byte("r1")) // evicts s1
	b.add(kindUplink, "u", []byte("u2"))   // evicts s2
	b.add(kindUplink, "u", []byte("u3"))   // evicts u1 (no stats left)
	var got []string
	for {
		e, ok := b.next()
		if !ok {
			break
		}
		got = append(got, string(e.payload))
	}
	if fmt.Sprint(got) != "[d1 r1 u2 u3]" {
		t.Fatalf("order %v", got)
	}
	d := b.drops()
	if d["stats"] != 2 || d["uplink"] != 1 || d["downlink"] != 0 {
		t.Fatalf("drops %v", d)
	}
}

func TestBufferPutBackKeepsOrder(t *testing.T) {
	b := newBuffer(10)
	for i := range 3 {
		b.add(kindDownlink, "d", []byte{byte('a' + i)})
	}
	b.add(kindStats, "s", []byte("S"))
	e1, _ := b.next()
	e2, _ := b.next()
	b.putBack(e2)
	b.putBack(e1)
	var got string
	for e, ok := b.next(); ok; e, ok = b.next() {
		got += string(e.payload)
	}
	if got != "abcS" {
		t.Fatalf("got %q", got)
	}
}

func TestBufferLarge(t *testing.T) {
	b := newBuffer(3000)
	for i := range 5000 {
		b.add(kindUplink, "u", []byte(fmt.Sprint(i)))
		if i%3 == 0 {
			b.next()
		}
	}
	if b.len() != 3000 {
		t.Fatalf("len %d", b.len())
	}
	prev := uint64(0)
	for e, ok := b.next(); ok; e, ok = b.next() {
		if e.seq <= prev {
			t.Fatalf("out of order at %d", e.seq)
		}
		prev = e.seq
	}
}

func TestBucket(t *testing.T) {
	t0 := time.Unix(0, 0)
	b := newBucket(2, 3, t0)
	for i := range 3 {
		if !b.take(t0) {
			t.Fatalf("token %d refused", i)
		}
	}
	if b.take(t0) {
		t.Fatal("4th token granted")
	}
	if !b.take(t0.Add(500 * time.Millisecond)) {
		t.Fatal("no refill after 0.5 s at 2/s")
	}
	if b.take(t0.Add(500 * time.Millisecond)) {
		t.Fatal("refill too generous")
	}
	if n := countTakes(b, t0.Add(time.Hour)); n != 3 {
		t.Fatalf("burst after an hour %d, want 3", n)
	}
}

func countTakes(b *bucket, at time.Time) int {
	n := 0
	for b.take(at) {
		n++
	}
	return n
}

func BenchmarkBufferAddNext(b *testing.B) {
	buf := newBuffer(10000)
	p := make([]byte, 300)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf.add(kindUplink, "lgw/x/up", p)
		buf.next()
	}
}
