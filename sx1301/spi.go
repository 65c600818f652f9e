package sx1301

import (
	"errors"
	"fmt"

	"periph.io/x/conn/v3"
	"periph.io/x/conn/v3/spi"
)

// SPI framing (sx1301.md §1.2, mux mode 0: a plain SX1301 with no FPGA):
// byte 0 is the 7-bit address with bit 7 set for a write, then the data.
// A read clocks one byte after the address; there is no dummy byte. A
// burst walks consecutive addresses, except at the data ports, whose
// internal pointer advances instead. Bursts are cut into chunks of at most
// BurstChunk data bytes, each its own chip-select window re-sending the
// address.
const (
	writeBit = 0x80
	// BurstChunk is the largest data burst in one transaction.
	BurstChunk = 1024
	// defaultMaxTx is spidev's default buffer size, used when the port does
	// not tell its limit.
	defaultMaxTx = 4096
	// pageAddr is PAGE_REG/SOFT_RESET, present on every page.
	pageAddr  = 0
	softReset = 0x80
)

// bus builds every SPI frame the driver sends and caches the selected
// register page. It is not safe for concurrent use: Dev serialises it.
type bus struct {
	conn  spi.Conn
	chunk int
	// page is the page the chip has selected, -1 when unknown.
	page int
	w, r []byte
}

func newBus(c spi.Conn) (*bus, error) {
	if c == nil {
		return nil, errors.New("sx1301: no SPI connection")
	}
	maxTx := 0
	if l, ok := c.(conn.Limits); ok {
		maxTx = l.MaxTxSize()
	}
	if maxTx <= 0 {
		maxTx = defaultMaxTx
	}
	chunk := min(BurstChunk, maxTx-1)
	if chunk < 2 {
		return nil, fmt.Errorf("sx1301: SPI port transfer limit %d bytes is too small", maxTx)
	}
	return &bus{conn: c, chunk: chunk, page: -1, w: make([]byte, chunk+1), r: make([]byte, chunk+1)}, nil
}

// writeFrame writes data (at most one chunk) from addr in one transaction.
func (b *bus) writeFrame(addr uint8, data []byte) error {
	b.w[0] = writeBit | addr&0x7f
	copy(b.w[1:], data)
	if err := b.conn.Tx(b.w[:1+len(data)], nil); err != nil {
		return fmt.Errorf("sx1301: write 0x%02x (%d bytes): %w", addr, len(data), err)
	}
	return nil
}

// readFrame reads len(out) (at most one chunk) bytes from addr.
func (b *bus) readFrame(addr uint8, out []byte) error {
	n := 1 + len(out)
	b.w[0] = addr & 0x7f
	clear(b.w[1:n])
	if err := b.conn.Tx(b.w[:n], b.r[:n]); err != nil {
		return fmt.Errorf("sx1301: read 0x%02x (%d bytes): %w", addr, len(out), err)
	}
	copy(out, b.r[1:n])
	return nil
}

// writeBurst writes data at addr in chunks, each re-sending addr.
func (b *bus) writeBurst(addr uint8, data []byte) error {
	for off := 0; off < len(data); off += b.chunk {
		if err := b.writeFrame(addr, data[off:min(off+b.chunk, len(data))]); err != nil {
			return err
		}
	}
	return nil
}

// readBurst fills out from addr in chunks, each re-sending addr.
func (b *bus) readBurst(addr uint8, out []byte) error {
	for off := 0; off < len(out); off += b.chunk {
		if err := b.readFrame(addr, out[off:min(off+b.chunk, len(out))]); err != nil {
			return err
		}
	}
	return nil
}

func (b *bus) writeByte(addr, v uint8) error { return b.writeFrame(addr, []byte{v}) }

func (b *bus) readByte(addr uint8) (byte, error) {
	var v [1]byte
	err := b.readFrame(addr, v[:])
	return v[0], err
}

// selectPage writes PAGE_REG and remembers the page.
func (b *bus) selectPage(p int) error {
	if err := b.writeByte(pageAddr, byte(p&3)); err != nil {
		b.page = -1
		return err
	}
	b.page = p & 3
	return nil
}

// softReset resets the register file; the chip is back on page 0.
func (b *bus) softReset() error {
	if err := b.writeByte(pageAddr, softReset); err != nil {
		b.page = -1
		return err
	}
	b.page = 0
	return nil
}

// onPage switches to r's page when r is banked and another page is
// selected (page cache rule, sx1301.md §1.3).
func (b *bus) onPage(r Reg) error {
	if p := r.Page(); p >= 0 && p != b.page {
		return b.selectPage(p)
	}
	return nil
}

// fits reports whether v is representable in r.
func fits(r Reg, v int32) bool {
	w := r.Width()
	if w >= 32 {
		return true
	}
	if r.Signed() {
		return v >= -(1<<(w-1)) && v < 1<<(w-1)
	}
	return v >= 0 && int64(v) < 1<<w
}

// set writes a register: a plain write for a whole byte, a
// read-modify-write of the byte for a sub-byte field, a burst (least
// significant byte first) for a multi-byte field. PAGE_REG and SOFT_RESET
// are handled as page switch and reset.
func (b *bus) set(r Reg, v int32) error {
	switch r {
	case PageReg:
		return b.selectPage(int(v))
	case SoftReset:
		if v&1 != 0 {
			return b.softReset()
		}
		return nil
	}
	if r.ReadOnly() {
		return fmt.Errorf("sx1301: register %s is read-only", r)
	}
	if !fits(r, v) {
		return fmt.Errorf("sx1301: value %d does not fit register %s (%d bits)", v, r, r.Width())
	}
	if err := b.onPage(r); err != nil {
		return err
	}
	switch {
	case r.Bytes() > 1:
		return b.writeFrame(r.Addr(), r.Encode(v))
	case r.Width() == 8:
		return b.writeByte(r.Addr(), byte(v))
	}
	cur, err := b.readByte(r.Addr())
	if err != nil {
		return err
	}
	return b.writeByte(r.Addr(), cur&^r.Mask()|r.Encode(v)[0])
}

// get reads a register, sign-extending signed fields.
func (b *bus) get(r Reg) (int32, error) {
	if err := b.onPage(r); err != nil {
		return 0, err
	}
	buf := make([]byte, r.Bytes())
	if err := b.readFrame(r.Addr(), buf); err != nil {
		return 0, err
	}
	return r.Decode(buf), nil
}

// setAll writes register/value pairs in order.
func (b *bus) setAll(rv ...regVal) error {
	for _, x := range rv {
		if err := b.set(x.r, x.v); err != nil {
			return err
		}
	}
	return nil
}

// regVal is one register write.
type regVal struct {
	r Reg
	v int32
}

// burstTo writes a data port (or a multi-byte register) in chunks.
func (b *bus) burstTo(r Reg, data []byte) error {
	if err := b.onPage(r); err != nil {
		return err
	}
	return b.writeBurst(r.Addr(), data)
}

// burstFrom reads a data port in chunks.
func (b *bus) burstFrom(r Reg, out []byte) error {
	if err := b.onPage(r); err != nil {
		return err
	}
	return b.readBurst(r.Addr(), out)
}
