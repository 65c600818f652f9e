package sx1301

import "fmt"

// Reg names one register of the SX1301 (sx1301.md §1.3-1.4); the IDs and
// their descriptors are in regtable.go.
type Reg uint16

// regDesc describes a register: page (-1: present on every page), 7-bit
// address, bit offset, sign, width in bits (1..32, multi-byte fields start
// at offset 0 with the least significant byte at addr), read-only flag and
// reset default.
type regDesc struct {
	name   string
	page   int8
	addr   uint8
	offset uint8
	signed bool
	width  uint8
	ro     bool
	def    int32
}

// NumRegs is the number of registers in the map (325 plus the TX_TRIG_ALL
// alias).
const NumRegs = len(regs)

func (r Reg) desc() regDesc { return regs[r] }

// String returns the register's name as the datasheet spells it.
func (r Reg) String() string {
	if int(r) >= len(regs) {
		return fmt.Sprintf("Reg(%d)", uint16(r))
	}
	return regs[r].name
}

// Page is the register page (-1: every page).
func (r Reg) Page() int { return int(regs[r].page) }

// Addr is the 7-bit address of the register's first byte.
func (r Reg) Addr() uint8 { return regs[r].addr }

// Offset is the bit offset inside the first byte.
func (r Reg) Offset() uint8 { return regs[r].offset }

// Width is the field width in bits.
func (r Reg) Width() uint8 { return regs[r].width }

// Signed reports a two's complement field.
func (r Reg) Signed() bool { return regs[r].signed }

// ReadOnly reports a field the host cannot write.
func (r Reg) ReadOnly() bool { return regs[r].ro }

// Default is the reset value.
func (r Reg) Default() int32 { return regs[r].def }

// Bytes is the number of register bytes the field spans.
func (r Reg) Bytes() int {
	d := regs[r]
	if int(d.offset)+int(d.width) <= 8 {
		return 1
	}
	return (int(d.width) + 7) / 8
}

// Mask is the field's bit mask in its (single) byte.
func (r Reg) Mask() byte {
	d := regs[r]
	return byte((1<<d.width)-1) << d.offset
}

// RegByName looks a register up by its datasheet name.
func RegByName(name string) (Reg, bool) {
	for i, d := range regs {
		if d.name == name {
			return Reg(i), true
		}
	}
	return 0, false
}

// AllRegs returns every register ID.
func AllRegs() []Reg {
	out := make([]Reg, len(regs))
	for i := range regs {
		out[i] = Reg(i)
	}
	return out
}

// Encode returns the bytes a write of v leaves in the register file for a
// multi-byte field (least significant first, as whole sign-extended bytes,
// golden README), or the shifted bits of a single-byte field.
func (r Reg) Encode(v int32) []byte {
	n := r.Bytes()
	if n == 1 {
		return []byte{byte(v) << r.Offset() & r.Mask()}
	}
	out := make([]byte, n)
	for i := range out {
		out[i] = byte(v >> (8 * i))
	}
	return out
}

// Decode turns the register's bytes as read back into its value,
// sign-extended for signed fields.
func (r Reg) Decode(b []byte) int32 {
	d := regs[r]
	var u uint32
	if len(b) == 1 && int(d.offset)+int(d.width) <= 8 {
		u = uint32(b[0]&r.Mask()) >> d.offset
	} else {
		for i := len(b) - 1; i >= 0; i-- {
			u = u<<8 | uint32(b[i])
		}
		if d.width < 32 {
			u &= 1<<d.width - 1
		}
	}
	if d.signed && d.width < 32 && u&(1<<(d.width-1)) != 0 {
		return int32(u) - 1<<d.width
	}
	return int32(u)
}
