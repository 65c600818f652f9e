package sx1302

import (
	"errors"
	"fmt"

	"periph.io/x/conn/v3"
	"periph.io/x/conn/v3/spi"
)

// SPI framing (sx1302-bringup.md §1.2-1.5, trap 1-3): byte 0 is the target
// (0x00 SX1302, 0x01 radio A, 0x02 radio B), then the 15-bit address with
// bit 15 set for a write. A read clocks one dummy byte after the address,
// so a single read is 5 bytes with the value at index 4 and a burst read's
// data starts at index 4. Every access is one Tx call, i.e. one chip-select
// window; bursts are cut into chunks of at most 1024 bytes that also fit
// the port's maximum transfer size.
const (
	TargetCore   = 0x00
	TargetRadioA = 0x01
	TargetRadioB = 0x02
	writeBit     = 0x80
	// BurstChunk is the largest data burst in one transaction.
	BurstChunk = 1024
	// readHeader is target, 2 address bytes and the dummy byte.
	readHeader  = 4
	writeHeader = 3
	// defaultMaxTx is spidev's default buffer size, used when the port does
	// not tell its limit.
	defaultMaxTx = 4096
)

// bus builds every SPI frame the driver sends. It is not safe for
// concurrent use: Dev serialises it under its mutex.
type bus struct {
	conn  spi.Conn
	chunk int
	w, r  []byte
}

func newBus(c spi.Conn) (*bus, error) {
	if c == nil {
		return nil, errors.New("sx1302: no SPI connection")
	}
	maxTx := 0
	if l, ok := c.(conn.Limits); ok {
		maxTx = l.MaxTxSize()
	}
	if maxTx <= 0 {
		maxTx = defaultMaxTx
	}
	chunk := min(BurstChunk, maxTx-readHeader)
	if chunk < 1 {
		return nil, fmt.Errorf("sx1302: SPI port transfer limit %d bytes is too small", maxTx)
	}
	return &bus{conn: c, chunk: chunk, w: make([]byte, chunk+readHeader), r: make([]byte, chunk+readHeader)}, nil
}

func header(buf []byte, target byte, addr uint16, write bool) {
	buf[0] = target
	buf[1] = byte(addr>>8) & 0x7f
	if write {
		buf[1] |= writeBit
	}
	buf[2] = byte(addr)
}

// writeBurst writes len(data) ≤ chunk bytes from addr in one transaction.
func (b *bus) writeBurst(addr uint16, data []byte) error {
	n := writeHeader + len(data)
	header(b.w, TargetCore, addr, true)
	copy(b.w[writeHeader:], data)
	if err := b.conn.Tx(b.w[:n], nil); err != nil {
		return fmt.Errorf("sx1302: write 0x%04x (%d bytes): %w", addr, len(data), err)
	}
	return nil
}

// readBurst reads len(out) ≤ chunk bytes from addr in one transaction.
func (b *bus) readBurst(addr uint16, out []byte) error {
	n := readHeader + len(out)
	header(b.w, TargetCore, addr, false)
	clear(b.w[3:n])
	if err := b.conn.Tx(b.w[:n], b.r[:n]); err != nil {
		return fmt.Errorf("sx1302: read 0x%04x (%d bytes): %w", addr, len(out), err)
	}
	copy(out, b.r[readHeader:n])
	return nil
}

// writeMem writes data from addr, advancing the address by each chunk.
func (b *bus) writeMem(addr uint16, data []byte) error {
	for off := 0; off < len(data); off += b.chunk {
		end := min(off+b.chunk, len(data))
		if err := b.writeBurst(addr+uint16(off), data[off:end]); err != nil {
			return err
		}
	}
	return nil
}

// readMem fills out from addr. In FIFO mode every chunk reads the same
// address (the RX buffer pops); otherwise the address advances.
func (b *bus) readMem(addr uint16, out []byte, fifo bool) error {
	for off := 0; off < len(out); off += b.chunk {
		end := min(off+b.chunk, len(out))
		a := addr
		if !fifo {
			a += uint16(off)
		}
		if err := b.readBurst(a, out[off:end]); err != nil {
			return err
		}
	}
	return nil
}

func (b *bus) readByte(addr uint16) (byte, error) {
	var v [1]byte
	err := b.readBurst(addr, v[:])
	return v[0], err
}

func (b *bus) writeByte(addr uint16, v byte) error {
	return b.writeBurst(addr, []byte{v})
}

// get reads a field, sign-extending signed ones.
func (b *bus) get(f Field) (int, error) {
	v, err := b.readByte(f.Addr())
	if err != nil {
		return 0, err
	}
	x := int((v & f.Mask()) >> f.Offset())
	if f.Signed() && x&(1<<(f.Width()-1)) != 0 {
		x -= 1 << f.Width()
	}
	return x, nil
}

// set writes a field: a plain write for a whole byte, otherwise a
// read-modify-write that writes back the other bits as read, except pulse
// bits, which are written 0 so that the write never fires or clears them.
func (b *bus) set(f Field, v int) error {
	if f.ReadOnly() {
		return fmt.Errorf("sx1302: register %s is read-only", f)
	}
	lim := 1 << f.Width()
	if v < -lim/2 || v >= lim || (!f.Signed() && v < 0) {
		return fmt.Errorf("sx1302: value %d does not fit register %s", v, f)
	}
	bits := byte(v<<f.Offset()) & f.Mask()
	if f.Width() == 8 {
		return b.writeByte(f.Addr(), bits)
	}
	cur, err := b.readByte(f.Addr())
	if err != nil {
		return err
	}
	cur &^= pulseMask(f.Addr())
	return b.writeByte(f.Addr(), cur&^f.Mask()|bits)
}

// pulseMask returns the pulse/clear bits sharing addr, which a
// read-modify-write must not echo back.
func pulseMask(addr uint16) byte {
	switch addr {
	case TxTrigFSMClr.Addr(), TxField(TxTrigFSMClr, 1).Addr():
		return TxTrigFSMClr.Mask()
	case TxFlagPktDone.Addr(), TxField(TxFlagPktDone, 1).Addr():
		return TxFlagPktDone.Mask() | TxFlagTimeout.Mask()
	}
	return 0
}

// radio sends an SX1250 command through the SX1302: target byte, opcode,
// parameters. r, when given, receives the full-duplex answer (results from
// index 2). The caller waits 1 ms before (no BUSY line, §1.4).
func (b *bus) radio(target byte, frame []byte, r []byte) error {
	n := 1 + len(frame)
	b.w[0] = target
	copy(b.w[1:], frame)
	var rb []byte
	if r != nil {
		rb = b.r[:n]
	}
	if err := b.conn.Tx(b.w[:n], rb); err != nil {
		return fmt.Errorf("sx1302: radio %d command 0x%02x: %w", target-1, frame[0], err)
	}
	copy(r, rb)
	return nil
}
