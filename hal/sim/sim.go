// Package sim is a software concentrator for tests and the demo. It
// implements hal.Concentrator on an injected clock: its counter follows the
// clock with a configurable crystal error, transmissions follow their
// trigger and time on air into an air log, uplinks injected from Go or a
// JSON-lines traffic file appear at their counter time, a simulated GPS
// gives a PPS every second, and faults can be injected.
//
// The simulator evaluates its state lazily from the clock on every call, so
// it behaves the same on virtual and real time.
package sim

import (
	"context"
	"fmt"
	"math"
	"sort"
	"sync"
	"time"

	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/hal"
)

// Chip counter facts the simulator reproduces (sx1302-rxtx-timing.md §1.5,
// §2.3, §2.4): the trigger compares against a 32 MHz counter that wraps
// every 2^27 µs, and the preamble starts TxStartDelay after the trigger.
const (
	// TriggerWrap is the span of the chip's 32 MHz counter, in µs.
	TriggerWrap hal.Micros = 1 << 27
	// DefaultTxStartDelay is the SX1302's nominal TX start delay.
	DefaultTxStartDelay = 1500 * time.Microsecond
)

// Config configures a simulator. Zero fields take the defaults noted.
type Config struct {
	// Clock is the time source (required).
	Clock clock.Clock
	// PPM is the crystal error: the counter runs (1 + PPM/1e6) times as
	// fast as the clock.
	PPM float64
	// CounterStart is the counter value when the simulator is created.
	CounterStart hal.Count
	// EUI is the chip EUI (default 0016c001ff000001).
	EUI hal.EUI64
	// TxFreq is the TX frequency range of each RF chain (default two
	// chains of 100 MHz to 1 GHz).
	TxFreq []hal.FreqRange
	// TxGains is the TX power table (default 12, 14, 16, 20, 27 dBm).
	TxGains []hal.TxGain
	// TxStartDelay is the delay from trigger to preamble (default 1.5 ms).
	TxStartDelay time.Duration
	// ProgramTime is the time Send reports as its programming cost
	// (default 1 ms); the simulator does not wait it.
	ProgramTime time.Duration
	// Temperature is the board temperature (default 25 °C); NoSensor
	// makes Temperature return hal.ErrNoSensor.
	Temperature float64
	NoSensor    bool
	// FineTimestamp makes received packets carry a fine timestamp.
	FineTimestamp bool
	// GPS configures the simulated GPS; it is off when GPS.Enabled is false.
	GPS GPSConfig
}

func (c *Config) setDefaults() {
	if c.EUI == (hal.EUI64{}) {
		c.EUI = hal.EUI64{0x00, 0x16, 0xc0, 0x01, 0xff, 0x00, 0x00, 0x01}
	}
	if len(c.TxFreq) == 0 {
		c.TxFreq = []hal.FreqRange{{Min: 100e6, Max: 1000e6}, {Min: 100e6, Max: 1000e6}}
	}
	if len(c.TxGains) == 0 {
		c.TxGains = []hal.TxGain{{Power: 12}, {Power: 14}, {Power: 16}, {Power: 20}, {Power: 27}}
	}
	if c.TxStartDelay == 0 {
		c.TxStartDelay = DefaultTxStartDelay
	}
	if c.ProgramTime == 0 {
		c.ProgramTime = time.Millisecond
	}
	if c.Temperature == 0 {
		c.Temperature = 25
	}
}

// Emission is one transmission as it went on air.
type Emission struct {
	RFChain uint8
	// Start and End are the counter values at the start of the preamble
	// and at the end of the packet; StartMicros and EndMicros the same on
	// the simulator's 64-bit timeline.
	Start, End             hal.Count
	StartMicros, EndMicros hal.Micros
	// StartTime is the true (clock) time the emission started.
	StartTime time.Time
	Frequency uint32
	DataRate  hal.DataRate
	Power     int8
	Payload   []byte
	Trigger   hal.Trigger
	InvertIQ  bool
	// Aborted is set when AbortTx cut the emission short at End.
	Aborted bool
}

// Sim is the simulated concentrator.
type Sim struct {
	cfg    Config
	clk    clock.Clock
	origin time.Time

	mu        sync.Mutex
	started   bool
	chains    []txChain
	airLog    []Emission
	uplinks   uplinkQueue
	gps       *gps
	failRecv  fault
	failSend  fault
	missTrig  int
	sent      int
	received  int
	programMx time.Duration
}

type txChain struct {
	state      hal.TxStatus // TxFree, TxScheduled (with start known or waiting for PPS), TxEmitting
	pkt        hal.TxPacket
	start, end hal.Micros
	waitPPS    bool
}

type fault struct {
	err error
	n   int
}

func (f *fault) take() error {
	if f.n == 0 || f.err == nil {
		return nil
	}
	if f.n > 0 {
		f.n--
	}
	return f.err
}

// New returns a stopped simulator.
func New(cfg Config) (*Sim, error) {
	if cfg.Clock == nil {
		return nil, fmt.Errorf("sim: Clock is required")
	}
	if math.Abs(cfg.PPM) > 1000 {
		return nil, fmt.Errorf("sim: ppm %v out of range (-1000 to 1000)", cfg.PPM)
	}
	cfg.setDefaults()
	s := &Sim{cfg: cfg, clk: cfg.Clock, origin: cfg.Clock.Now()}
	s.chains = make([]txChain, len(cfg.TxFreq))
	for i := range s.chains {
		s.chains[i].state = hal.TxFree
	}
	s.gps = newGPS(s, cfg.GPS)
	return s, nil
}

// micros returns the simulator's 64-bit counter at true time t.
func (s *Sim) micros(t time.Time) hal.Micros {
	el := float64(t.Sub(s.origin)) / float64(time.Microsecond)
	return hal.Micros(s.cfg.CounterStart) + hal.Micros(math.Floor(el*(1+s.cfg.PPM/1e6)))
}

// timeOf returns the true time at which the counter reaches m.
func (s *Sim) timeOf(m hal.Micros) time.Time {
	el := float64(m-hal.Micros(s.cfg.CounterStart)) / (1 + s.cfg.PPM/1e6)
	return s.origin.Add(time.Duration(math.Ceil(el * float64(time.Microsecond))))
}

// Now returns the simulator's 64-bit counter now.
func (s *Sim) Now() hal.Micros { return s.micros(s.clk.Now()) }

// TimeOf returns the true time at which the counter reaches m.
func (s *Sim) TimeOf(m hal.Micros) time.Time { return s.timeOf(m) }

// MicrosAt returns the simulator's 64-bit counter at true time t.
func (s *Sim) MicrosAt(t time.Time) hal.Micros { return s.micros(t) }

// Start starts the simulator and its GPS.
func (s *Sim) Start(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("sim: start: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return nil
	}
	s.started = true
	s.gps.start()
	return nil
}

// Stop stops the simulator, aborting any transmission.
func (s *Sim) Stop() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.started {
		return nil
	}
	now := s.Now()
	s.update(now)
	for i := range s.chains {
		s.abortLocked(uint8(i), now)
	}
	s.gps.stop()
	s.started = false
	return nil
}

// update moves every chain's state to now, logging emissions that started.
func (s *Sim) update(now hal.Micros) {
	for i := range s.chains {
		c := &s.chains[i]
		if c.state == hal.TxScheduled && c.waitPPS {
			if pps, ok := s.gps.nextPulseAfterLocked(c.start, now); ok {
				c.waitPPS = false
				c.start = pps + hal.MicrosOf(s.cfg.TxStartDelay)
				c.end = c.start + airMicros(&c.pkt)
			}
		}
		if c.state == hal.TxScheduled && !c.waitPPS && now >= c.start {
			s.logEmission(uint8(i), c, c.end, false)
			c.state = hal.TxEmitting
		}
		if c.state == hal.TxEmitting && now >= c.end {
			c.state = hal.TxFree
		}
	}
}

func (s *Sim) logEmission(chain uint8, c *txChain, end hal.Micros, aborted bool) {
	s.airLog = append(s.airLog, Emission{
		RFChain: chain, Start: c.start.Count(), End: end.Count(), StartMicros: c.start, EndMicros: end,
		StartTime: s.timeOf(c.start), Frequency: c.pkt.Frequency, DataRate: c.pkt.DataRate,
		Power: c.pkt.Power, Payload: append([]byte(nil), c.pkt.Payload...), Trigger: c.pkt.Trigger,
		InvertIQ: c.pkt.InvertIQ, Aborted: aborted,
	})
	s.sent++
}

func airMicros(p *hal.TxPacket) hal.Micros {
	d, err := p.TimeOnAir()
	if err != nil {
		return 0
	}
	return hal.Micros((d + time.Microsecond - 1) / time.Microsecond)
}

// Send programs a transmission. A target the chip's trigger counter has
// already passed is armed as the chip arms it: it stays scheduled until the
// 32 MHz counter comes round again (2^27 µs later).
func (s *Sim) Send(p *hal.TxPacket) error {
	if err := p.Validate(); err != nil {
		return fmt.Errorf("sim: send: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.started {
		return fmt.Errorf("sim: send: %w", hal.ErrNotStarted)
	}
	if int(p.RFChain) >= len(s.chains) {
		return fmt.Errorf("sim: send on rf chain %d: %w", p.RFChain, hal.ErrRFChain)
	}
	if err := s.failSend.take(); err != nil {
		return fmt.Errorf("sim: send: %w", err)
	}
	now := s.Now()
	s.update(now)
	c := &s.chains[p.RFChain]
	if c.state != hal.TxFree {
		return fmt.Errorf("sim: send on rf chain %d (%s): %w", p.RFChain, c.state, hal.ErrTxBusy)
	}
	c.pkt = *p
	c.pkt.Payload = append([]byte(nil), p.Payload...)
	c.waitPPS = false
	delay := hal.MicrosOf(s.cfg.TxStartDelay)
	switch p.Trigger.Mode {
	case hal.Immediate:
		c.start = now + delay
	case hal.AtCount:
		// The chip arms its 32 MHz comparator at target - delay and fires
		// when the counter next equals it.
		trig := hal.Micros(p.Trigger.Count) - delay
		wait := (trig - now) % TriggerWrap
		if wait <= 0 {
			wait += TriggerWrap
		} else if s.missTrig != 0 { // MissTriggers: programming ended after the trigger
			wait += TriggerWrap
			if s.missTrig > 0 {
				s.missTrig--
			}
		}
		c.start = now + wait + delay
	case hal.OnPPS:
		c.waitPPS = true
		c.start = now
	}
	c.end = c.start + airMicros(&c.pkt)
	c.state = hal.TxScheduled
	if s.cfg.ProgramTime > s.programMx {
		s.programMx = s.cfg.ProgramTime
	}
	s.update(now)
	return nil
}

// TxStatus reports the state of an RF chain.
func (s *Sim) TxStatus(rfChain uint8) (hal.TxStatus, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.started {
		return hal.TxOff, nil
	}
	if int(rfChain) >= len(s.chains) {
		return hal.TxUnknown, fmt.Errorf("sim: tx status of rf chain %d: %w", rfChain, hal.ErrRFChain)
	}
	s.update(s.Now())
	return s.chains[rfChain].state, nil
}

// AbortTx cancels what is programmed on an RF chain.
func (s *Sim) AbortTx(rfChain uint8) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if int(rfChain) >= len(s.chains) {
		return fmt.Errorf("sim: abort rf chain %d: %w", rfChain, hal.ErrRFChain)
	}
	now := s.Now()
	s.update(now)
	s.abortLocked(rfChain, now)
	return nil
}

func (s *Sim) abortLocked(chain uint8, now hal.Micros) {
	c := &s.chains[chain]
	if c.state == hal.TxEmitting {
		// The emission was logged in full when it started; cut it short.
		last := &s.airLog[len(s.airLog)-1]
		for i := len(s.airLog) - 1; i >= 0; i-- {
			if s.airLog[i].RFChain == chain {
				last = &s.airLog[i]
				break
			}
		}
		last.EndMicros, last.End, last.Aborted = now, now.Count(), true
	}
	c.state = hal.TxFree
	c.waitPPS = false
}

// Counter reads the instantaneous counter.
func (s *Sim) Counter() (hal.Count, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.started {
		return 0, fmt.Errorf("sim: counter: %w", hal.ErrNotStarted)
	}
	return s.Now().Count(), nil
}

// PPSCounter reads the counter latched at the last PPS pulse (frozen
// during a GPS outage, as on the chip).
func (s *Sim) PPSCounter() (hal.Count, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.started {
		return 0, fmt.Errorf("sim: pps counter: %w", hal.ErrNotStarted)
	}
	return s.gps.latchLocked(s.clk.Now()).Count(), nil
}

// Chip identifies the simulated chip.
func (s *Sim) Chip() (hal.ChipInfo, error) {
	return hal.ChipInfo{Model: "sim", EUI: s.cfg.EUI, Firmware: map[string]string{"sim": "1"}}, nil
}

// Temperature returns the configured temperature.
func (s *Sim) Temperature() (float64, error) {
	if s.cfg.NoSensor {
		return 0, hal.ErrNoSensor
	}
	return s.cfg.Temperature, nil
}

// Capabilities describe the simulated board.
func (s *Sim) Capabilities() hal.Capabilities {
	s.mu.Lock()
	defer s.mu.Unlock()
	return hal.Capabilities{
		RFChains: len(s.chains), IFChains: 10,
		TxFreq:        append([]hal.FreqRange(nil), s.cfg.TxFreq...),
		TxGains:       append([]hal.TxGain(nil), s.cfg.TxGains...),
		FineTimestamp: s.cfg.FineTimestamp,
		TxStartDelay:  s.cfg.TxStartDelay,
		ProgramTime:   max(s.programMx, s.cfg.ProgramTime),
	}
}

// AirLog returns a copy of every emission so far, in start order.
func (s *Sim) AirLog() []Emission {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.update(s.Now())
	out := append([]Emission(nil), s.airLog...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].StartMicros < out[j].StartMicros })
	return out
}

// FailReceive makes the next n calls to Receive return err (n < 0: every
// call until cleared with a nil err).
func (s *Sim) FailReceive(err error, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failRecv = fault{err: err, n: n}
}

// FailSend makes the next n calls to Send return err (n < 0: every call
// until cleared with a nil err).
func (s *Sim) FailSend(err error, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failSend = fault{err: err, n: n}
}

// MissTriggers makes the next n counter-triggered sends (n < 0: every one
// until called with 0) behave as if programming finished after the
// trigger, as when the host stalls mid-transfer: the chip keeps the
// transmission armed until its counter comes round again, 2^27 µs later.
func (s *Sim) MissTriggers(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.missTrig = n
}

// GPS returns the simulated GPS receiver.
func (s *Sim) GPS() hal.GPS { return s.gps }

var _ hal.Concentrator = (*Sim)(nil)
