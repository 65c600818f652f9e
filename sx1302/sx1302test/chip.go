// Package sx1302test is an SPI-level emulator of the SX1302 concentrator
// with its two SX1250 radios, for testing the real sx1302 driver and for
// the sx1302-emulated board. It decodes every frame as the chip would,
// keeps a register file with reset defaults and the MCU program memories,
// answers the AGC/ARB handshakes once firmware was loaded and released,
// runs a 32 MHz counter from an injected clock, turns injected uplinks into
// RX buffer records and emits programmed transmissions into an air log.
// What the real chip would not accept fails the test through Failer (and
// is returned as an error from Tx).
package sx1302test

import (
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"go.uber.org/zap"
	"periph.io/x/conn/v3"
	"periph.io/x/conn/v3/spi"

	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/hal/sim"
	"github.com/lgwagent/lgw/sx1302"
)

// Failer is the part of testing.TB the emulator reports misuse to.
type Failer interface {
	Helper()
	Errorf(format string, args ...any)
}

// ErrMisuse marks errors for frames the real chip would not accept.
var ErrMisuse = errors.New("sx1302 emulator: refused")

// Config configures the emulator. Zero fields take the defaults noted.
type Config struct {
	Clock clock.Clock
	// Fail receives misuse reports (nil: only returned and logged).
	Fail Failer
	Log  *zap.Logger
	// MaxTx is the port's transfer limit (default 4096).
	MaxTx int
	// Version is COMMON_VERSION (default 0x10); Model the OTP model byte
	// (default 0x02, SX1302); EUI the OTP EUI.
	Version byte
	Model   byte
	EUI     hal.EUI64
	// AGCVersion and ARBVersion are what the MCUs report (default 10, 2).
	AGCVersion, ARBVersion byte
	// HangAGC makes the AGC never answer; CorruptReadback flips a bit of
	// program memory on read-back.
	HangAGC, CorruptReadback bool
	// RSSIOffset is the board's offset used to encode raw RSSI (default
	// -215.4).
	RSSIOffset float32
	// PPS enables a PPS edge on every whole second of the clock.
	PPS bool
	// Temperature is the board temperature in °C (default 25): raw RSSI
	// is encoded so that a driver compensating for it with
	// sx1302.DefaultTempComp reads the injected RSSI.
	Temperature float64
}

// Emission is one transmission as the emulated chip sent it.
type Emission struct {
	RFChain uint8
	// StartTicks is the 32 MHz counter at the start of the preamble.
	StartTicks         uint32
	StartTime, EndTime time.Time
	Frequency          uint32
	DataRate           hal.DataRate
	PowerByte          byte
	Payload            []byte
	InvertIQ           bool
	Trigger            hal.TriggerMode
	Aborted            bool
}

type radio struct {
	mode byte
	freq uint32
	regs map[uint16]byte
}

type txChain struct {
	state       hal.TxStatus
	trig, start time.Time
	end         time.Time
	log         int
}

type uplink struct {
	at time.Time
	p  hal.RxPacket
}

// Chip is the emulated concentrator; it implements spi.Conn and
// conn.Limits.
type Chip struct {
	cfg    Config
	origin time.Time

	mu       sync.Mutex
	mem      [0x8000]byte
	roMask   [0x8000]byte
	fullRO   [0x8000]bool
	progLen  [2]int
	running  [2]bool
	agcStep  int
	radios   [2]radio
	fifo     []byte
	pending  []uplink
	tx       [2]txChain
	air      []Emission
	unplaced int
	traffic  []sim.Uplink
	cmds     []RadioCommand
	frames   int
}

var _ spi.Conn = (*Chip)(nil)
var _ conn.Limits = (*Chip)(nil)

// New builds an emulated chip in its reset state.
func New(cfg Config) *Chip {
	if cfg.MaxTx == 0 {
		cfg.MaxTx = 4096
	}
	if cfg.Version == 0 {
		cfg.Version = 0x10
	}
	if cfg.Model == 0 {
		cfg.Model = 0x02
	}
	if cfg.EUI == (hal.EUI64{}) {
		cfg.EUI = hal.EUI64{0x00, 0x16, 0xc0, 0x01, 0xff, 0x1e, 0x00, 0x01}
	}
	if cfg.AGCVersion == 0 {
		cfg.AGCVersion = sx1302.AGCVersionSX1250
	}
	if cfg.ARBVersion == 0 {
		cfg.ARBVersion = sx1302.ARBVersion
	}
	if cfg.Temperature == 0 {
		cfg.Temperature = sx1302.DefaultTemperature
	}
	if cfg.RSSIOffset == 0 {
		cfg.RSSIOffset = -215.4
	}
	if cfg.Log == nil {
		cfg.Log = zap.NewNop()
	}
	c := &Chip{cfg: cfg, origin: cfg.Clock.Now()}
	writable := map[uint16]bool{}
	for _, rf := range sx1302.RegisterMap() {
		f := rf.Field
		a := f.Addr()
		c.mem[a] |= f.Default() << f.Offset() & f.Mask()
		if f.ReadOnly() {
			c.roMask[a] |= f.Mask()
			c.fullRO[a] = !writable[a]
		} else {
			writable[a] = true
			c.fullRO[a] = false
		}
	}
	c.mem[sx1302.CommonVersion.Addr()] = cfg.Version
	c.mem[sx1302.TxFSMStatus.Addr()] = 0x80
	c.mem[sx1302.TxField(sx1302.TxFSMStatus, 1).Addr()] = 0x80
	for i := range c.radios {
		c.radios[i].regs = map[uint16]byte{}
	}
	return c
}

// String names the emulator.
func (c *Chip) String() string { return "sx1302-emulator" }

// Duplex reports full duplex.
func (c *Chip) Duplex() conn.Duplex { return conn.Full }

// MaxTxSize is the port's transfer limit.
func (c *Chip) MaxTxSize() int { return c.cfg.MaxTx }

// TxPackets runs packets as one message; every packet but the last must
// keep chip select asserted, as the chip needs one window per frame.
func (c *Chip) TxPackets(ps []spi.Packet) error {
	var w, r []byte
	for i, p := range ps {
		if i < len(ps)-1 && !p.KeepCS {
			return c.misuse("packet %d of %d releases chip select inside a frame", i, len(ps))
		}
		n := max(len(p.W), len(p.R))
		w = append(w, p.W...)
		w = append(w, make([]byte, n-len(p.W))...)
		r = append(r, make([]byte, n)...)
	}
	if err := c.Tx(w, r); err != nil {
		return err
	}
	off := 0
	for _, p := range ps {
		n := max(len(p.W), len(p.R))
		copy(p.R, r[off:off+n])
		off += n
	}
	return nil
}

func (c *Chip) misuse(format string, args ...any) error {
	err := fmt.Errorf("%w: %s", ErrMisuse, fmt.Sprintf(format, args...))
	if c.cfg.Fail != nil {
		c.cfg.Fail.Helper()
		c.cfg.Fail.Errorf("%v", err)
	}
	c.cfg.Log.Error("sx1302 emulator misuse", zap.Error(err))
	return err
}

// Tx runs one chip-select window.
func (c *Chip) Tx(w, r []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(w) > c.cfg.MaxTx {
		return c.misuse("transfer of %d bytes exceeds the port limit %d", len(w), c.cfg.MaxTx)
	}
	if r != nil && len(r) != len(w) {
		return c.misuse("full-duplex transfer with %d bytes out and %d in", len(w), len(r))
	}
	if len(w) < 2 {
		return c.misuse("frame of %d bytes", len(w))
	}
	c.frames++
	c.advance()
	switch w[0] {
	case sx1302.TargetCore:
		return c.core(w, r)
	case sx1302.TargetRadioA, sx1302.TargetRadioB:
		return c.radioFrame(w[0]-1, w, r)
	}
	return c.misuse("unknown target byte 0x%02x", w[0])
}

func (c *Chip) core(w, r []byte) error {
	if len(w) < 4 {
		return c.misuse("core frame of %d bytes: header is 3 bytes plus data", len(w))
	}
	addr := uint16(w[1]&0x7f)<<8 | uint16(w[2])
	fifo := addr == sx1302.MemRXBuffer
	if w[1]&0x80 != 0 {
		if len(w)-3 > sx1302.BurstChunk {
			return c.misuse("burst write of %d bytes at 0x%04x exceeds 1024", len(w)-3, addr)
		}
		for i, v := range w[3:] {
			a := addr + uint16(i)
			if fifo {
				return c.misuse("write to the RX buffer port 0x4000")
			}
			if err := c.write(a, v); err != nil {
				return err
			}
		}
		return nil
	}
	if len(w) < 5 || r == nil {
		return c.misuse("read at 0x%04x without the dummy byte and a receive buffer (%d bytes)", addr, len(w))
	}
	if len(w)-4 > sx1302.BurstChunk {
		return c.misuse("burst read of %d bytes at 0x%04x exceeds 1024", len(w)-4, addr)
	}
	clear(r[:4])
	for i := 4; i < len(w); i++ {
		a := addr + uint16(i-4)
		if fifo {
			a = addr
		}
		r[i] = c.read(a)
	}
	return nil
}

func (c *Chip) bit(f sx1302.Field) bool { return c.mem[f.Addr()]&f.Mask() != 0 }

func (c *Chip) write(a uint16, v byte) error {
	if a >= 0x8000 {
		return c.misuse("address 0x%04x beyond 15 bits", a)
	}
	if c.fullRO[a] {
		return c.misuse("write 0x%02x to read-only register 0x%04x", v, a)
	}
	if a < 0x4000 {
		mcu, prog := 0, sx1302.AGCHostProg
		if a >= sx1302.MemARB {
			mcu, prog = 1, sx1302.ARBHostProg
		}
		if !c.bit(prog) {
			return c.misuse("write to MCU %d program memory 0x%04x while HOST_PROG is 0", mcu, a)
		}
		c.mem[a] = v
		c.progLen[mcu]++
		return nil
	}
	old := c.mem[a]
	v = v&^c.roMask[a] | old&c.roMask[a]
	c.mem[a] = v
	switch a {
	case sx1302.AGCMCUClear.Addr():
		return c.release(0, old, v)
	case sx1302.ARBMCUClear.Addr():
		return c.release(1, old, v)
	case sx1302.AGCMailboxWrByte3.Addr():
		return c.agcMailbox(v)
	case sx1302.ARBDebugCfg1.Addr():
		if v == 1 && c.running[1] {
			c.mem[sx1302.ARBStatus.Addr()] = 0x00
			now := c.cfg.Clock.Now()
			for _, u := range c.traffic {
				c.pending = append(c.pending, uplink{at: now.Add(u.At), p: u.Packet})
			}
			c.traffic = nil
			sort.SliceStable(c.pending, func(i, j int) bool { return c.pending[i].at.Before(c.pending[j].at) })
		}
	case sx1302.OTPByteAddr.Addr():
		c.mem[sx1302.OTPRdData.Addr()] = c.otp(v)
	case sx1302.TxTrigImmediate.Addr(), sx1302.TxField(sx1302.TxTrigImmediate, 1).Addr():
		ch := uint8(0)
		if a != sx1302.TxTrigImmediate.Addr() {
			ch = 1
		}
		c.trigger(ch, old, v)
	}
	return nil
}

func (c *Chip) otp(i byte) byte {
	if i < 8 {
		return c.cfg.EUI[i]
	}
	if i == 0xD0 {
		return c.cfg.Model
	}
	return 0
}

// release handles MCU_CLEAR going 1 -> 0: the MCU starts its program.
func (c *Chip) release(mcu int, old, v byte) error {
	clr, prog, status := sx1302.AGCMCUClear, sx1302.AGCHostProg, sx1302.AGCStatus
	if mcu == 1 {
		clr, prog, status = sx1302.ARBMCUClear, sx1302.ARBHostProg, sx1302.ARBStatus
	}
	if old&clr.Mask() == 0 || v&clr.Mask() != 0 {
		if v&clr.Mask() != 0 {
			c.running[mcu] = false
		}
		return nil
	}
	if v&prog.Mask() != 0 {
		return c.misuse("MCU %d released while HOST_PROG is still 1", mcu)
	}
	if c.progLen[mcu] < sx1302.FirmwareLen {
		return c.misuse("MCU %d released before its firmware was loaded (%d of %d bytes written)", mcu, c.progLen[mcu], sx1302.FirmwareLen)
	}
	c.running[mcu] = true
	if mcu == 0 {
		c.agcStep = 0
		if !c.cfg.HangAGC {
			c.mem[status.Addr()] = 0x01
			c.mem[sx1302.AGCMailboxRdByte0.Addr()] = c.cfg.AGCVersion
		}
	} else {
		c.mem[status.Addr()] = 0x01
		c.mem[sx1302.ARBDebugSts0.Addr()] = c.cfg.ARBVersion
	}
	return nil
}

// agcMailbox answers the AGC start handshake (bringup §3.5).
func (c *Chip) agcMailbox(code byte) error {
	if !c.running[0] {
		return c.misuse("AGC mailbox code 0x%02x written while the AGC is not running", code)
	}
	codes := []byte{0x80, 0x20, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0F}
	if c.agcStep >= len(codes) || codes[c.agcStep] != code {
		return c.misuse("AGC handshake step %d: got code 0x%02x", c.agcStep, code)
	}
	c.agcStep++
	if code == 0x0F {
		return nil
	}
	for n := uint16(0); n < 3; n++ {
		c.mem[sx1302.AGCMailboxRdByte0.Addr()-n] = c.mem[sx1302.AGCMailboxWrByte0.Addr()-n]
	}
	next := []byte{0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0F}
	c.mem[sx1302.AGCStatus.Addr()] = next[c.agcStep-1]
	return nil
}

func (c *Chip) read(a uint16) byte {
	switch {
	case a == sx1302.MemRXBuffer:
		if len(c.fifo) == 0 {
			return 0
		}
		b := c.fifo[0]
		c.fifo = c.fifo[1:]
		return b
	case a == sx1302.RxTopNbBytesMSB.Addr():
		return byte(min(len(c.fifo), 0x1FFF) >> 8)
	case a == sx1302.RxTopNbBytesLSB.Addr():
		return byte(min(len(c.fifo), 0x1FFF))
	case a >= sx1302.TimestampPPS.Addr() && a < sx1302.TimestampPPS.Addr()+8:
		v := c.ticks(c.cfg.Clock.Now())
		if a < sx1302.TimestampCounter.Addr() {
			v = c.ppsTicks()
		}
		i := a - sx1302.TimestampPPS.Addr()
		return byte(v >> (24 - 8*(i%4)))
	case a < 0x4000 && c.cfg.CorruptReadback && a == 0x0010:
		return c.mem[a] ^ 0x01
	}
	return c.mem[a]
}

// ticks is the 32 MHz counter at t.
func (c *Chip) ticks(t time.Time) uint32 {
	return uint32(t.Sub(c.origin).Nanoseconds() * 4 / 125)
}

func (c *Chip) timeOfTicks(from time.Time, delta uint32) time.Time {
	return from.Add(time.Duration(int64(delta) * 125 / 4))
}

func (c *Chip) lastPPS(now time.Time) (time.Time, bool) {
	if !c.cfg.PPS {
		return time.Time{}, false
	}
	el := now.Sub(c.origin).Truncate(time.Second)
	return c.origin.Add(el), true
}

func (c *Chip) ppsTicks() uint32 {
	t, ok := c.lastPPS(c.cfg.Clock.Now())
	if !ok {
		return 0
	}
	return c.ticks(t)
}

// Counter returns the chip's 32 MHz counter now.
func (c *Chip) Counter() uint32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ticks(c.cfg.Clock.Now())
}

// AirLog returns the transmissions so far.
func (c *Chip) AirLog() []Emission {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.advance()
	out := make([]Emission, len(c.air))
	copy(out, c.air)
	return out
}

// Frames counts the chip-select windows (SPI frames) so far.
func (c *Chip) Frames() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.frames
}

// Unplaced counts injected uplinks no configured IF chain could receive.
func (c *Chip) Unplaced() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.unplaced
}

// Inject schedules an uplink whose last bit is on air at at.
func (c *Chip) Inject(at time.Time, p hal.RxPacket) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pending = append(c.pending, uplink{at: at, p: p})
	sort.SliceStable(c.pending, func(i, j int) bool { return c.pending[i].at.Before(c.pending[j].at) })
}

// AddTraffic schedules uplinks at times counted from the moment receive
// starts (the ARB firmware resumes), as hal/sim counts them from Start.
func (c *Chip) AddTraffic(ups []sim.Uplink) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.traffic = append(c.traffic, ups...)
}

// InjectRaw appends raw bytes to the RX buffer (corrupt records, fuzzing).
func (c *Chip) InjectRaw(b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fifo = append(c.fifo, b...)
}

// advance moves due uplinks into the RX buffer and TX state on.
func (c *Chip) advance() {
	now := c.cfg.Clock.Now()
	// A record reaches the buffer once demodulated: the latched time (end
	// of packet plus the pipeline delay) must have passed.
	keep := c.pending[:0]
	for _, u := range c.pending {
		if u.at.Add(time.Duration(-c.correction(u.p)) * time.Microsecond).After(now) {
			keep = append(keep, u)
			continue
		}
		rec, ok := c.encode(u)
		if !ok {
			c.unplaced++
			continue
		}
		if len(c.fifo)+len(rec) <= 4096 {
			c.fifo = append(c.fifo, rec...)
		}
	}
	c.pending = keep
	for ch := range c.tx {
		c.txAdvance(uint8(ch), now)
	}
}
