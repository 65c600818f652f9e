package scheduler

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/hal/sim"
	"github.com/lgwagent/lgw/internal/memtest"
	"github.com/lgwagent/lgw/region"
)

// garbageSink holds the last piece of the real-time benchmark's garbage,
// so that allocating it is not optimised away. Nothing else stays live:
// the heap stays at a few MB and the collector runs hundreds of times a
// second (GODEBUG=gctrace=1).
var garbageSink []byte

// usPkt is a short US915 downlink (SF7BW500, 20 bytes: about 12.8 ms on air).
func usPkt() hal.TxPacket { return pkt(923300000, 7, hal.BW500, 20, 20) }

func benchRig(b *testing.B, n int) (*Scheduler, hal.Micros) {
	r, _ := region.Lookup("US915")
	clk := clock.NewVirtual(rigStart)
	sm, _ := sim.New(sim.Config{Clock: clk})
	_ = sm.Start(context.Background())
	s, err := New(Config{Region: r, Capacity: 20000}, sm, clk, zap.NewNop())
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(s.Stop)
	now := sm.Now()
	// n items 100 ms apart from 1 s on.
	for i := range n {
		at := now + hal.MicrosOf(time.Second+time.Duration(i)*100*time.Millisecond)
		if err := s.Schedule(Request{Ref: fmt.Sprint(i), Class: ClassA, Packet: usPkt(), Timing: atCount(at), Done: func(Result) {}}); err != nil {
			b.Fatal(err)
		}
	}
	return s, now
}

// BenchmarkInsert measures inserting one item, collision check included,
// into a chain queue holding n items (then removing it to keep n).
func BenchmarkInsert(b *testing.B) {
	for _, n := range []int{31, 1000, 10000} {
		b.Run(fmt.Sprintf("queued=%d", n), func(b *testing.B) {
			s, now := benchRig(b, n)
			it := &item{class: ClassA, pkt: usPkt(), airUs: 7000}
			s.mu.Lock()
			defer s.mu.Unlock()
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				// Between items i and i+1 of the queue (50 ms gap).
				at := now + hal.MicrosOf(time.Second+time.Duration(i%n)*100*time.Millisecond+50*time.Millisecond)
				s.setSpan(it, at)
				if _, err := s.placeLocked(it, now, at, at, false); err != nil {
					b.Fatal(err)
				}
				s.dropLocked(it)
			}
		})
	}
}

// BenchmarkSchedule measures the public path: Schedule (every check) and
// Cancel, with n items queued.
func BenchmarkSchedule(b *testing.B) {
	for _, n := range []int{31, 1000, 10000} {
		b.Run(fmt.Sprintf("queued=%d", n), func(b *testing.B) {
			s, now := benchRig(b, n)
			done := func(Result) {}
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				at := now + hal.MicrosOf(time.Second+time.Duration(i%n)*100*time.Millisecond+50*time.Millisecond)
				if err := s.Schedule(Request{Ref: "x", Class: ClassA, Packet: usPkt(), Timing: atCount(at), Done: done}); err != nil {
					b.Fatal(err)
				}
				s.Cancel("x")
			}
		})
	}
}

// BenchmarkRealTimeHandoff runs the scheduler on the real clock and the
// simulator: class A downlinks (SF7BW500, 4 bytes, about 6.4 ms on air)
// 20 ms or 60 ms apart over 20 s while another goroutine churns the heap.
// It reports SENT and TX_FAILED, how late each hand-off to the chip was
// after it fell due, and the smallest slack left before a start (the heap
// churn starts 2 s before the first downlink). The
// handoff=10ms runs hand over at start minus MinLead, as lgw did before
// HandoffLead existed. One iteration takes 20 s; run it with -benchtime=1x.
func BenchmarkRealTimeHandoff(b *testing.B) {
	for _, spacing := range []time.Duration{20 * time.Millisecond, 60 * time.Millisecond} {
		for _, lead := range []time.Duration{DefaultMinLead, DefaultHandoffLead} {
			b.Run(fmt.Sprintf("spacing=%v/handoff=%v", spacing, lead), func(b *testing.B) {
				for range b.N {
					runRealTime(b, spacing, lead)
				}
			})
		}
	}
}

func runRealTime(b *testing.B, spacing, lead time.Duration) {
	r, _ := region.Lookup("US915")
	clk := clock.Real()
	sm, _ := sim.New(sim.Config{Clock: clk})
	_ = sm.Start(context.Background())
	s, err := New(Config{Region: r, HandoffLead: lead}, sm, clk, zap.NewNop())
	if err != nil {
		b.Fatal(err)
	}
	var mu sync.Mutex
	var lates []time.Duration
	slackMin := time.Hour
	s.onHandoff = func(late, slack time.Duration) {
		mu.Lock()
		lates = append(lates, late)
		slackMin = min(slackMin, slack)
		mu.Unlock()
	}
	if err := s.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	stop := make(chan struct{})
	var gcwg sync.WaitGroup
	gcwg.Add(1)
	go func() { // GC pressure: 1 MB of garbage per ms in 64 KB pieces
		defer gcwg.Done()
		tick := clk.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C():
			}
			for range 16 {
				garbageSink = make([]byte, 64<<10)
			}
		}
	}()
	// The churn starts 2 s before the first downlink: its ramp-up is
	// start-up, not the host stall being measured.
	<-clk.NewTimer(2 * time.Second).C()
	n := int(20 * time.Second / spacing)
	var wg sync.WaitGroup
	var sent, failed int
	wg.Add(n)
	done := func(res Result) {
		mu.Lock()
		if res.Code == Sent {
			sent++
		} else {
			failed++
		}
		mu.Unlock()
		wg.Done()
	}
	small := pkt(923300000, 7, hal.BW500, 4, 20)
	base := sm.Now() + hal.MicrosOf(200*time.Millisecond)
	for i := range n {
		at := base + hal.MicrosOf(time.Duration(i)*spacing)
		if err := s.Schedule(Request{Ref: fmt.Sprint(i), Class: ClassA, Packet: small, Timing: atCount(at), Done: done}); err != nil {
			b.Fatal(err)
		}
	}
	wg.Wait()
	close(stop)
	gcwg.Wait()
	s.Stop()
	_ = sm.Stop()
	slices.Sort(lates)
	us := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
	b.ReportMetric(us(lates[len(lates)/2]), "p50-late-µs")
	b.ReportMetric(us(lates[len(lates)*99/100]), "p99-late-µs")
	b.ReportMetric(us(lates[len(lates)-1]), "max-late-µs")
	b.ReportMetric(us(slackMin), "min-slack-µs")
	b.ReportMetric(float64(sent), "sent")
	b.ReportMetric(float64(failed), "failed")
}

// BenchmarkQueueMemory measures what 10,000 queued downlinks cost: live
// heap per item after a collection, and the process's resident set with
// them queued.
func BenchmarkQueueMemory(b *testing.B) {
	const n = 10000
	for range b.N {
		r, _ := region.Lookup("US915")
		clk := clock.NewVirtual(rigStart)
		sm, _ := sim.New(sim.Config{Clock: clk})
		_ = sm.Start(context.Background())
		s, err := New(Config{Region: r, Capacity: n}, sm, clk, zap.NewNop())
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Start(context.Background()); err != nil {
			b.Fatal(err)
		}
		before := memtest.LiveHeap()
		now := sm.Now()
		for i := range n {
			at := now + hal.MicrosOf(time.Second+time.Duration(i)*100*time.Millisecond)
			ref := fmt.Sprintf("%032x", i) // as long as an MQTT MessageId
			if err := s.Schedule(Request{Ref: ref, Class: ClassA, Packet: usPkt(), Timing: atCount(at),
				Origin: "mqtt", Done: func(Result) { _ = ref }}); err != nil {
				b.Fatal(err)
			}
		}
		after := memtest.LiveHeap()
		b.ReportMetric(float64(after-before)/n, "heap-B/queued")
		b.ReportMetric(float64(memtest.RSSKB()), "rss-KB")
		s.Stop()
	}
}
