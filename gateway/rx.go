package gateway

import (
	"context"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/hal"
)

// DefaultPollInterval is the RX poll period.
const DefaultPollInterval = 10 * time.Millisecond

// rxCounters count the received packets by CRC status and the failed
// polls.
type rxCounters struct {
	ok, bad, noCRC, errors atomic.Uint64
	last                   atomic.Int64 // unix ns of the last packet
	lastLoop               atomic.Int64 // unix ns of the last successful poll
}

// rxLoop is the single RX path: it polls the concentrator, counts what it
// gets and emits one EventUplink per packet. Errors are logged and
// counted; the loop keeps going until ctx ends.
func (g *Gateway) rxLoop(ctx context.Context) {
	interval := g.cfg.PollInterval
	t := g.clk.NewTimer(interval)
	defer t.Stop()
	consecutive := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C():
		}
		now := g.clk.Now()
		pkts, err := g.conc.Receive()
		if err != nil {
			g.rx.errors.Add(1)
			consecutive++
			// Log the first failure and then every 100th, not every poll.
			if consecutive == 1 || consecutive%100 == 0 {
				g.log.Error("receive", zap.Error(err), zap.Int("consecutive", consecutive))
			}
		} else {
			if consecutive > 0 {
				g.log.Info("receive recovered", zap.Int("failed_polls", consecutive))
				consecutive = 0
			}
			g.rx.lastLoop.Store(now.UnixNano())
			for _, p := range pkts {
				g.handleUplink(p, now)
			}
		}
		interval = nextPoll(g.cfg.PollInterval, interval, len(pkts), err)
		t.Reset(interval)
	}
}

// nextPoll decides the wait before the next poll from the configured
// period, the last wait and what the last poll returned (packets, error):
// the period while packets come, doubling to 4× the period after empty or
// failed polls (hal.NextPoll). This loop is the only reader of the chip.
func nextPoll(period, last time.Duration, n int, _ error) time.Duration {
	return hal.NextPoll(period, last, n > 0)
}

func (g *Gateway) handleUplink(p hal.RxPacket, now time.Time) {
	switch p.CRC {
	case hal.CRCOK:
		g.rx.ok.Add(1)
	case hal.CRCBad:
		g.rx.bad.Add(1)
	default:
		g.rx.noCRC.Add(1)
	}
	g.rx.last.Store(now.UnixNano())
	g.log.Debug("uplink", zap.Float64("freq_mhz", float64(p.Frequency)/1e6), zap.String("datr", p.DataRate.Datr()),
		zap.Int("size", len(p.Payload)), zap.Stringer("crc", p.CRC), zap.Float32("rssi", p.RSSIChannel),
		zap.Float32("snr", p.SNR), zap.Uint32("tmst", uint32(p.Count)))
	ev := Event{Kind: EventUplink, Time: now, Uplink: &p}
	ev.GPSTime, ev.HasGPSTime = g.sched.GPSTimeOf(p.Count)
	g.emit(ev)
}

// LastRXLoop returns when the RX loop last polled successfully (zero
// before the first poll); the systemd watchdog probes it.
func (g *Gateway) LastRXLoop() time.Time { return unixNano(g.rx.lastLoop.Load()) }

func unixNano(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}
