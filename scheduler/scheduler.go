package scheduler

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/region"
)

// ErrNotRunning: Schedule was called before Start or after Stop.
var ErrNotRunning = errors.New("scheduler not running")

// tickInterval is the longest the scheduler's one timer waits: each
// firing reads the counter (keeping the 64-bit timeline unwrapped and the
// next hand-off measured against the chip, not the host clock), plans
// beacons and hands over what is due.
const tickInterval = time.Second

// Scheduler is lgw's TX queue. Create it with New, start it with Start or
// Run; every accepted Request ends in exactly one Result.
type Scheduler struct {
	lastTick atomic.Int64 // unix ns of the last timer run
	cfg      Config
	conc     hal.Concentrator
	caps     hal.Capabilities
	clk      clock.Clock
	log      *zap.Logger
	region   *region.Region
	lead     hal.Micros // MinLead: least accepted lead
	handoff  hal.Micros // HandoffLead
	guard    hal.Micros
	ref      *TimeRef
	beacon   region.BeaconFormat
	info     [6]byte

	mu       sync.Mutex
	running  bool
	tl       hal.Timeline
	seq      uint64
	chains   []*chainState
	byRef    refIndex
	subBands map[string]*subBandUse
	drLimits map[hal.DataRate]drLimit
	timer    clock.Timer
	timerAt  hal.Micros
	beacons  map[time.Duration]bool // beacon times planned
	stats    Stats
	cbWG     sync.WaitGroup
	// onHandoff, when set (benchmarks), sees each hand-off: how late it
	// was after its due time and the slack left before the start.
	onHandoff func(late, slack time.Duration)

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// chainState is one RF chain: its queue and the item handed to the chip.
type chainState struct {
	q        queue
	inflight *item
	// freeAt is the end of the last emission handed over plus the guard:
	// the chain takes the next item from then on.
	freeAt hal.Micros
}

// New builds a scheduler; it starts nothing.
func New(cfg Config, conc hal.Concentrator, clk clock.Clock, log *zap.Logger) (*Scheduler, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if conc == nil || clk == nil {
		return nil, errors.New("scheduler: concentrator and clock are required")
	}
	if log == nil {
		log = zap.NewNop()
	}
	caps := conc.Capabilities()
	if need := caps.ProgramTime + caps.TxStartDelay; cfg.MinLead < need {
		return nil, &hal.FieldError{Field: "scheduler.min_lead", Value: cfg.MinLead,
			Allowed: fmt.Sprintf("at least the chip's program time plus TX start delay (%v)", need)}
	}
	s := &Scheduler{
		cfg: cfg, conc: conc, caps: caps, clk: clk, log: log, region: cfg.Region,
		lead: hal.MicrosOf(cfg.MinLead), handoff: hal.MicrosOf(cfg.HandoffLead), guard: hal.MicrosOf(cfg.Guard),
		ref:      newTimeRef(clk, cfg.TimeRefWindow, cfg.Holdover),
		byRef:    newRefIndex(),
		subBands: map[string]*subBandUse{},
		drLimits: map[hal.DataRate]drLimit{},
		beacons:  map[time.Duration]bool{},
	}
	s.stats.Results = map[Code]int{}
	for range max(caps.RFChains, len(caps.TxFreq)) {
		s.chains = append(s.chains, &chainState{})
	}
	if cfg.Beaconing {
		b, err := cfg.Region.Beacon()
		if err != nil {
			return nil, fmt.Errorf("scheduler: beaconing: %w", err)
		}
		s.beacon = b
		if s.info, err = region.LatLngInfo(cfg.Latitude, cfg.Longitude); err != nil {
			return nil, fmt.Errorf("scheduler: beaconing: %w", err)
		}
		if int(cfg.BeaconRFChain) >= len(s.chains) {
			return nil, &hal.FieldError{Field: "scheduler.beacon_rf_chain", Value: cfg.BeaconRFChain,
				Allowed: fmt.Sprintf("0 to %d", len(s.chains)-1)}
		}
	}
	return s, nil
}

// TimeRef returns the GPS time reference.
func (s *Scheduler) TimeRef() *TimeRef { return s.ref }

// Start starts the scheduler: its timer and, with Config.GPS, the
// goroutine reading fixes. The concentrator must be started.
func (s *Scheduler) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running {
		return nil
	}
	c, err := s.conc.Counter()
	if err != nil {
		return fmt.Errorf("scheduler: start: read counter: %w", err)
	}
	s.tl.Observe(c)
	s.running = true
	s.armLocked(s.tl.Widen(c) + hal.MicrosOf(tickInterval))
	ctx, s.cancel = context.WithCancel(ctx)
	if s.cfg.GPS != nil {
		fixes := s.cfg.GPS.Fixes()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			for {
				select {
				case <-ctx.Done():
					return
				case f, ok := <-fixes:
					if !ok {
						return
					}
					s.HandleFix(f)
				}
			}
		}()
	}
	return nil
}

// Run starts the scheduler and stops it when ctx ends.
func (s *Scheduler) Run(ctx context.Context) error {
	if err := s.Start(ctx); err != nil {
		return err
	}
	<-ctx.Done()
	s.Stop()
	return nil
}

// Stop stops the scheduler and waits for its goroutines. Items still
// queued, and items handed to the chip whose emission was not confirmed,
// end with TX_FAILED "scheduler stopped" (a transmission still armed on
// the chip is aborted first); Stop never leaves an item without a result.
func (s *Scheduler) Stop() {
	s.mu.Lock()
	if !s.running {
		s.mu.Unlock()
		return
	}
	s.running = false
	if s.timer != nil {
		s.timer.Stop()
	}
	var out []finished
	for i, c := range s.chains {
		if it := c.inflight; it != nil && !it.checked {
			if err := s.conc.AbortTx(uint8(i)); err != nil {
				s.log.Warn("abort on stop", zap.Int("rf_chain", i), zap.Error(err))
			}
			out = append(out, s.endLocked(it, TxFailed, Refuse(TxFailed, "scheduler stopped before the emission was confirmed")))
		}
		c.inflight = nil
		var all []*item
		c.q.all(func(it *item) { all = append(all, it) })
		for _, it := range all {
			s.dropLocked(it)
			out = append(out, s.endLocked(it, TxFailed, Refuse(TxFailed, "scheduler stopped")))
		}
	}
	cancel := s.cancel
	s.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	s.wg.Wait()
	s.cbWG.Wait()
	s.deliver(out)
}

// HandleFix feeds the GPS time of a PPS pulse. The latched counter is
// widened against a fresh counter reading.
func (s *Scheduler) HandleFix(f hal.GPSFix) {
	c, err := s.conc.Counter()
	if err != nil {
		s.log.Warn("gps fix: read counter", zap.Error(err))
		return
	}
	s.mu.Lock()
	s.tl.Observe(c)
	m := s.tl.Widen(f.PPSCount)
	s.mu.Unlock()
	if err := s.ref.Add(f.Time, m); err != nil {
		s.log.Debug("gps fix refused", zap.Error(err))
		return
	}
	var out []finished
	s.mu.Lock()
	if s.running && s.cfg.Beaconing {
		// Plan at once so beacons resume as soon as the reference is
		// valid again.
		out = s.planBeaconsLocked(s.tl.Widen(c))
		s.rearmLocked(s.tl.Widen(c))
	}
	s.mu.Unlock()
	s.deliver(out) // outside the lock: a Done may call Schedule
}

// nowLocked reads the counter and places it on the timeline.
func (s *Scheduler) nowLocked() (hal.Micros, error) {
	c, err := s.conc.Counter()
	if err != nil {
		return 0, fmt.Errorf("read counter: %w", err)
	}
	return s.tl.Observe(c), nil
}

// finished is a result waiting to be delivered outside the lock.
type finished struct {
	done  func(Result)
	res   Result
	class Class
}

// deliver logs each result and hands it to its Done.
func (s *Scheduler) deliver(out []finished) {
	for _, f := range out {
		s.logResult(f)
		if f.done != nil {
			f.done(f.res)
		}
	}
}

// endLocked builds the result of an item and counts it.
func (s *Scheduler) endLocked(it *item, code Code, err error) finished {
	s.stats.Results[code]++
	if it.class == Beacon {
		if code == Sent {
			s.stats.BeaconsSent++
		} else {
			s.stats.BeaconsFailed++
		}
	}
	if it.ref != "" {
		s.byRef.remove(it)
	}
	r := Result{Ref: it.ref, Origin: it.origin, Code: code, Err: err, Start: it.start, Count: it.start.Count(), Packet: it.pkt}
	if g, e := s.ref.MicrosToGPS(it.start); e == nil {
		r.GPSTime, r.UTC, r.HasTime = g, GPSToUTC(g), true
	}
	return finished{done: it.done, res: r, class: it.class}
}

// dropLocked removes a queued item and its duty-cycle record.
func (s *Scheduler) dropLocked(it *item) {
	s.chains[it.pkt.RFChain].q.remove(it)
	s.releaseDCLocked(it)
}

func (s *Scheduler) releaseDCLocked(it *item) {
	if it.dc != nil {
		if u := s.subBandLocked(it); u != nil {
			u.remove(it.dc)
		}
		it.dc = nil
	}
}

// subBandLocked returns the duty-cycle tracker of an item's sub-band, or
// nil when the region sets no budget there.
func (s *Scheduler) subBandLocked(it *item) *subBandUse {
	p := &it.pkt
	sb, ok := s.region.SubBandOf(p.Frequency, uint32(p.DataRate.Bandwidth))
	if !ok {
		return nil
	}
	u := s.subBands[sb.Name]
	if u == nil {
		u = &subBandUse{band: sb}
		s.subBands[sb.Name] = u
	}
	return u
}

// errCancelledByCaller is every cancelled item's error (immutable, so
// shared: Cancel builds no text).
var errCancelledByCaller = &RefusalError{Code: Cancelled, Detail: "cancelled by the caller"}

// Cancel ends a queued item with CANCELLED. It reports false when no item
// with that ref is queued (unknown, already ended, or already handed to
// the chip).
func (s *Scheduler) Cancel(ref string) bool {
	s.mu.Lock()
	it := s.byRef.get(ref)
	if it == nil || s.chains[it.pkt.RFChain].inflight == it {
		s.mu.Unlock()
		return false
	}
	s.dropLocked(it)
	// No re-arming: a timer due for the cancelled item finds nothing to do
	// and re-arms itself, which spares a counter read here.
	f := s.endLocked(it, Cancelled, errCancelledByCaller)
	s.mu.Unlock()
	s.deliver([]finished{f})
	return true
}
