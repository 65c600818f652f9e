// Package sx1301test is an SPI-level emulator of the SX1301 concentrator
// with two SX1257 or SX1255 radios, for testing the real sx1301 driver and
// for the sx1301-emulated board. It decodes every frame as the chip would
// (mux mode 0, paged register file with reset defaults, data ports),
// keeps the two MCU program RAMs, runs the calibration, AGC and ARB
// firmware's host-visible behaviour once an image was loaded and released,
// answers the radio SPI master as SX125x radios, runs the 1 MHz counter
// from an injected clock, turns injected uplinks into RX FIFO records and
// emits programmed transmissions into an air log. What the real chip would
// not accept fails the test through Failer (and is returned as an error
// from Tx).
package sx1301test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.uber.org/zap"
	"periph.io/x/conn/v3"
	"periph.io/x/conn/v3/spi"

	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/hal/sim"
	"github.com/lgwagent/lgw/hal/spitest"
	"github.com/lgwagent/lgw/sx1301"
)

// Failer is the part of testing.TB the emulator reports misuse to.
type Failer = spitest.Failer

// ErrMisuse marks errors for frames the real chip would not accept.
var ErrMisuse = errors.New("sx1301 emulator: refused")

// Config configures the emulator. Zero fields take the defaults noted.
type Config struct {
	Clock clock.Clock
	// Fail receives misuse reports (nil: only returned and logged).
	Fail Failer
	Log  *zap.Logger
	// MaxTx is the port's transfer limit (default 4096).
	MaxTx int
	// Version is the VERSION register (default 103); FPGA, when set, is
	// the version an FPGA in front of the chip answers to the mux probe.
	Version, FPGA byte
	// Radio is the type of both radios (default SX1257).
	Radio sx1301.RadioType
	// RSSIOffset is the board's offset used to encode raw RSSI (default
	// -166).
	RSSIOffset float32
	// Faults: CorruptReadback flips a bit of program RAM on read-back;
	// HangCalibration never finishes the calibration; DeadRadio (1 = A,
	// 2 = B) makes a radio never answer; CalVersion, AGCVersion and
	// ARBVersion override what the firmware reports.
	CorruptReadback, HangCalibration bool
	DeadRadio                        int
	CalVersion, AGCVersion           byte
	ARBVersion                       byte
	// PPS enables a PPS edge on every whole second of the counter.
	PPS bool
	// Trace records every SPI transaction (see Trace).
	Trace bool
}

// Chip is the emulated concentrator; it implements spi.Conn and
// conn.Limits.
type Chip struct {
	cfg Config

	mu   sync.Mutex
	regs [4][128]byte
	ro   [4][128]byte
	// page is the selected register page.
	page int
	prom [2][sx1301.FirmwareLen]byte
	// promAddr is the program RAM pointer, promLatch the pipelined byte,
	// promWritten the bytes written per MCU since its last reset.
	promAddr    int
	promLatch   byte
	promWritten [2]int
	mcus        [2]mcuState
	radios      [2]radio
	// radioOn is when the radios were enabled; radioReset when RADIO_RST
	// last fell.
	radioOn, radioReset time.Time
	// counting: the µs counter runs from origin.
	counting bool
	origin   time.Time
	// ppsLatch is the count latched at a PPS edge; ppsSeen the last edge
	// accounted for.
	ppsLatch, ppsSeen uint32
	// txCount counts SPI transactions.
	txCount int
	rx      rxState
	tx      txState
	air     []Emission
	traffic []sim.Uplink
	trace   []string
}

var _ spi.Conn = (*Chip)(nil)
var _ conn.Limits = (*Chip)(nil)

// New builds an emulated chip in its reset state.
func New(cfg Config) *Chip {
	if cfg.MaxTx == 0 {
		cfg.MaxTx = 4096
	}
	if cfg.Version == 0 {
		cfg.Version = sx1301.ChipVersion
	}
	if cfg.RSSIOffset == 0 {
		cfg.RSSIOffset = -166
	}
	if cfg.CalVersion == 0 {
		cfg.CalVersion = sx1301.CalVersion
	}
	if cfg.AGCVersion == 0 {
		cfg.AGCVersion = sx1301.AGCVersion
	}
	if cfg.ARBVersion == 0 {
		cfg.ARBVersion = sx1301.ARBVersion
	}
	if cfg.Log == nil {
		cfg.Log = zap.NewNop()
	}
	c := &Chip{cfg: cfg}
	for _, r := range sx1301.AllRegs() {
		if !r.ReadOnly() {
			continue
		}
		for i := 0; i < r.Bytes(); i++ {
			m := byte(0xFF)
			if r.Bytes() == 1 {
				m = r.Mask()
			}
			for _, p := range pagesOf(r) {
				c.ro[p][int(r.Addr())+i] |= m
			}
		}
	}
	c.resetRegs()
	for i := range c.radios {
		c.radios[i].regs = map[byte]byte{}
	}
	return c
}

func pagesOf(r sx1301.Reg) []int {
	if r.Page() < 0 {
		return []int{0}
	}
	return []int{r.Page()}
}

// common reports the addresses present on every page.
func common(a int) bool { return a <= 32 || a >= 125 }

// slot returns the storage page of address a on page p.
func slot(p, a int) int {
	if common(a) {
		return 0
	}
	return p
}

// resetRegs loads the reset defaults (soft reset, power-on).
func (c *Chip) resetRegs() {
	c.regs = [4][128]byte{}
	for _, r := range sx1301.AllRegs() {
		if r == sx1301.TxTrigAll || r == sx1301.PageReg || r == sx1301.SoftReset {
			continue
		}
		c.put(r, r.Default())
	}
	c.put(sx1301.Version, int32(c.cfg.Version))
	c.page = 0
}

// put stores v into r's bits.
func (c *Chip) put(r sx1301.Reg, v int32) {
	p := pagesOf(r)[0]
	a := int(r.Addr())
	b := r.Encode(v)
	if r.Bytes() == 1 {
		c.regs[p][a] = c.regs[p][a]&^r.Mask() | b[0]
		return
	}
	copy(c.regs[p][a:], b)
}

// get reads r from the register file.
func (c *Chip) get(r sx1301.Reg) int32 {
	p := pagesOf(r)[0]
	a := int(r.Addr())
	return r.Decode(c.regs[p][a : a+r.Bytes()])
}

func (c *Chip) bit(r sx1301.Reg) bool { return c.get(r) != 0 }

// String names the emulator.
func (c *Chip) String() string { return "sx1301-emulator" }

// Duplex reports full duplex.
func (c *Chip) Duplex() conn.Duplex { return conn.Full }

// MaxTxSize is the port's transfer limit.
func (c *Chip) MaxTxSize() int { return c.cfg.MaxTx }

// TxPackets runs packets as one message; every packet but the last must
// keep chip select asserted.
func (c *Chip) TxPackets(ps []spi.Packet) error {
	err := spitest.JoinPackets(ps, c.Tx)
	if errors.Is(err, spitest.ErrReleasesCS) {
		return c.misuse("%v", err)
	}
	return err
}

func (c *Chip) misuse(format string, args ...any) error {
	return spitest.Misuse(ErrMisuse, c.cfg.Fail, c.cfg.Log, format, args...)
}

// dataPort reports the addresses whose bursts advance an internal pointer
// instead of the address.
func dataPort(a int) bool { return a == 4 || a == 6 || a == 8 || a == 10 }

// Tx runs one chip-select window: the address byte, then data.
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
		return c.misuse("frame of %d bytes: address byte and data", len(w))
	}
	if len(w)-1 > sx1301.BurstChunk {
		return c.misuse("burst of %d bytes exceeds the %d-byte chunk", len(w)-1, sx1301.BurstChunk)
	}
	c.txCount++
	c.advance()
	a := int(w[0] & 0x7f)
	write := w[0]&0x80 != 0
	if c.mcus[1].calibrating && a != 127 {
		return c.misuse("SPI access to 0x%02x while the calibration firmware owns the register file (EMERGENCY_FORCE_HOST_CTRL = 0)", a)
	}
	if write {
		c.record("w", a, w[1:])
		return c.writeFrame(a, w[1:])
	}
	if r == nil {
		return c.misuse("read at 0x%02x without a receive buffer", a)
	}
	r[0] = 0
	if c.cfg.FPGA != 0 && a == 1 && len(w) == 3 && w[1] == 1 {
		// An FPGA decodes [target 1, address 1] as its version read.
		r[1], r[2] = 0, c.cfg.FPGA
		return nil
	}
	c.readFrame(a, r[1:])
	c.record("r", a, r[1:])
	return nil
}

func (c *Chip) writeFrame(a int, data []byte) error {
	for i, v := range data {
		addr := a
		if !dataPort(a) {
			addr = a + i
		}
		if addr > 127 {
			return c.misuse("burst write runs past address 127")
		}
		if err := c.write(addr, v); err != nil {
			return err
		}
	}
	return nil
}

func (c *Chip) readFrame(a int, out []byte) {
	ts := c.timestamp()
	for i := range out {
		addr := a
		if !dataPort(a) {
			addr = a + i
		}
		if addr > 127 {
			out[i] = 0
			continue
		}
		out[i] = c.read(addr, ts)
	}
}

// write handles one byte written at address a of the current page.
func (c *Chip) write(a int, v byte) error {
	if a == 0 {
		return c.writePage(v)
	}
	p := slot(c.page, a)
	if c.ro[p][a] == 0xFF {
		return c.misuse("write 0x%02x to read-only register 0x%02x (page %d)", v, a, c.page)
	}
	switch a {
	case 4:
		return c.misuse("write to the RX data buffer port")
	case 6:
		c.tx.buf[c.tx.ptr] = v
		c.tx.ptr = (c.tx.ptr + 1) % len(c.tx.buf)
		return nil
	case 10:
		return c.writeProm(v)
	case 11:
		if v == 0 {
			c.rx.pop()
		}
		return nil
	}
	old := c.regs[p][a]
	c.regs[p][a] = v&^c.ro[p][a] | old&c.ro[p][a]
	return c.effects(p, a, old, c.regs[p][a])
}

// writePage handles PAGE_REG/SOFT_RESET.
func (c *Chip) writePage(v byte) error {
	if v&0x80 != 0 {
		c.softReset()
		return nil
	}
	c.page = int(v & 3)
	c.regs[0][0] = v & 3
	if c.page == 3 && c.mcus[1].running == imageCal {
		c.mcus[1].calArmed = true
	}
	return nil
}

func (c *Chip) softReset() {
	c.resetRegs()
	c.mcus = [2]mcuState{}
	c.counting = false
	c.ppsLatch, c.ppsSeen = 0, 0
	c.rx = rxState{}
	c.tx = txState{}
	for i := range c.radios {
		c.radios[i] = radio{regs: map[byte]byte{}}
	}
}

// effects runs what a register write sets in motion.
func (c *Chip) effects(p, a int, old, v byte) error {
	switch {
	case p == 0 && a == int(sx1301.Clk32mEn.Addr()):
		if old&1 == 0 && v&1 != 0 && !c.counting {
			c.counting, c.origin = true, c.cfg.Clock.Now()
		}
	case p == 0 && a == int(sx1301.McuRst0.Addr()):
		return c.mcuControl(old, v)
	case p == 0 && a == int(sx1301.RadioSelect.Addr()):
		return c.mailbox(v)
	case p == 0 && a == int(sx1301.EmergencyForceHostCtrl.Addr()):
		return c.hostCtrl(old, v)
	case p == 2 && a == int(sx1301.RadioAEn.Addr()):
		return c.radioPower(old, v)
	case p == 2 && (a == int(sx1301.SpiRadioACs.Addr()) || a == int(sx1301.SpiRadioBCs.Addr())):
		ch := 0
		if a == int(sx1301.SpiRadioBCs.Addr()) {
			ch = 1
		}
		if old&1 == 0 && v&1 != 0 {
			return c.radioFrame(ch)
		}
	case p == 2 && a == int(sx1301.DbgAgcMcuRamAddr.Addr()), p == 2 && a == int(sx1301.DbgArbMcuRamAddr.Addr()):
		c.mcuDebug()
	case p == 2 && a == int(sx1301.GpsEn.Addr()):
		// The reference's start ends with GPS_EN := 1: traffic counts
		// from there.
		if old&1 == 0 && v&1 != 0 && c.agcReady() {
			c.startReceive()
		}
	case p == 1 && a == int(sx1301.TxTrigAll.Addr()):
		return c.trigger(old, v)
	case a == int(sx1301.TxDataBufAddr.Addr()):
		c.tx.ptr = int(v)
	case a == int(sx1301.McuPromAddr.Addr()):
		c.promAddr = int(v)
	}
	return nil
}

// read returns the byte at address a of the current page; ts is the
// TIMESTAMP value of this transaction.
func (c *Chip) read(a int, ts uint32) byte {
	p := slot(c.page, a)
	switch {
	case a == 0:
		return byte(c.page)
	case a == 4:
		return c.rx.nextByte()
	case a == 10:
		return c.readProm()
	case a >= 11 && a <= 15:
		return c.rx.head(a - 11)
	case a == int(sx1301.McuAgcStatus.Addr()):
		return c.agcStatus()
	case p == 1 && a == int(sx1301.TxStatus.Addr()):
		return c.txStatus()
	case p == 2 && a >= int(sx1301.Timestamp.Addr()) && a < int(sx1301.Timestamp.Addr())+4:
		return byte(ts >> (8 * (a - int(sx1301.Timestamp.Addr()))))
	}
	return c.regs[p][a]
}

// Now is the chip's µs counter (0 until the clocks are enabled).
func (c *Chip) Now() uint32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.count(c.cfg.Clock.Now())
}

func (c *Chip) count(t time.Time) uint32 {
	if !c.counting {
		return 0
	}
	return uint32(t.Sub(c.origin) / time.Microsecond)
}

// timeOf is when the counter next equals count: a count already passed
// comes round again after the 2^32 µs wrap, as the chip's comparator sees
// it.
func (c *Chip) timeOf(count uint32) time.Time {
	now := c.cfg.Clock.Now()
	return now.Add(time.Duration(count-c.count(now)) * time.Microsecond)
}

// lastPPS is the count at the last PPS edge (whole seconds of the
// counter), if PPS is on.
func (c *Chip) lastPPS() (uint32, bool) {
	if !c.cfg.PPS || !c.counting {
		return 0, false
	}
	n := c.count(c.cfg.Clock.Now())
	return n - n%1000000, true
}

// latchPPS captures the last PPS edge since the previous transaction if
// GPS_EN was 1 meanwhile (it only changes at transactions): an edge while
// the host had GPS_EN at 0 is not latched (sx1301.md §1.8).
func (c *Chip) latchPPS() {
	edge, ok := c.lastPPS()
	if ok && edge > c.ppsSeen {
		if c.regs[2][sx1301.GpsEn.Addr()]&1 != 0 {
			c.ppsLatch = edge
		}
		c.ppsSeen = edge
	}
}

// timestamp is what TIMESTAMP reads: the PPS latch with GPS_EN set, the
// live counter otherwise.
func (c *Chip) timestamp() uint32 {
	if c.regs[2][sx1301.GpsEn.Addr()]&1 != 0 {
		return c.ppsLatch
	}
	return c.count(c.cfg.Clock.Now())
}

func (c *Chip) record(op string, a int, data []byte) {
	if !c.cfg.Trace {
		return
	}
	c.trace = append(c.trace, FormatTransaction(op, a, data))
}

// FormatTransaction renders a transaction as the golden data do:
// "w:AA:DATA", with bursts over 300 bytes as "<N bytes sha256 H>".
func FormatTransaction(op string, a int, data []byte) string {
	if len(data) > 300 {
		s := sha256.Sum256(data)
		return fmt.Sprintf("%s:%02x:<%d bytes sha256 %s>", op, a, len(data), hex.EncodeToString(s[:]))
	}
	return fmt.Sprintf("%s:%02x:%s", op, a, hex.EncodeToString(data))
}

// Trace returns the transactions recorded since the last call (Config.Trace).
func (c *Chip) Trace() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.trace
	c.trace = nil
	return t
}

// Reg reads a register as the chip holds it (for tests).
func (c *Chip) Reg(r sx1301.Reg) int32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.get(r)
}

// RegBytes returns a register's bytes as the chip holds them.
func (c *Chip) RegBytes(r sx1301.Reg) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, a := pagesOf(r)[0], int(r.Addr())
	return append([]byte(nil), c.regs[p][a:a+r.Bytes()]...)
}

// Page is the selected register page.
func (c *Chip) Page() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.page
}
