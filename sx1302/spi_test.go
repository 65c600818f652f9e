package sx1302

import (
	"bytes"
	"testing"

	"periph.io/x/conn/v3"
	"periph.io/x/conn/v3/spi"
)

// frameLog records every Tx and answers reads with 0x5A.
type frameLog struct {
	maxTx int
	w     [][]byte
	dup   []bool
}

func (f *frameLog) String() string      { return "framelog" }
func (f *frameLog) Duplex() conn.Duplex { return conn.Full }
func (f *frameLog) MaxTxSize() int      { return f.maxTx }
func (f *frameLog) TxPackets([]spi.Packet) error {
	panic("the driver sends every frame as one Tx")
}
func (f *frameLog) Tx(w, r []byte) error {
	f.w = append(f.w, append([]byte(nil), w...))
	f.dup = append(f.dup, r != nil)
	for i := range r {
		r[i] = 0x5A
	}
	return nil
}

func TestFraming(t *testing.T) {
	f := &frameLog{maxTx: 4096}
	b, err := newBus(f)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.readByte(0x5606); err != nil {
		t.Fatal(err)
	}
	if err := b.writeByte(0x5606-6, 0x42); err != nil {
		t.Fatal(err)
	}
	out := make([]byte, 3)
	if err := b.readBurst(0x6101, out); err != nil {
		t.Fatal(err)
	}
	if err := b.radio(TargetRadioB, []byte{0xC0, 0}, make([]byte, 3)); err != nil {
		t.Fatal(err)
	}
	want := [][]byte{
		{0x00, 0x56, 0x06, 0x00, 0x00},    // single read: dummy byte, value at index 4
		{0x00, 0x80 | 0x56, 0x00, 0x42},   // single write: write bit, 4 bytes
		{0x00, 0x61, 0x01, 0x00, 0, 0, 0}, // burst read: 4-byte header then data
		{TargetRadioB, 0xC0, 0x00},        // SX1250 command: mux byte, opcode, params
	}
	for i, w := range want {
		if !bytes.Equal(f.w[i], w) {
			t.Errorf("frame %d = % x, want % x", i, f.w[i], w)
		}
	}
	if !f.dup[0] || f.dup[1] || !bytes.Equal(out, []byte{0x5A, 0x5A, 0x5A}) {
		t.Errorf("duplex %v, burst data % x", f.dup, out)
	}
}

func TestChunking(t *testing.T) {
	for _, tc := range []struct {
		maxTx, chunk int
	}{{4096, 1024}, {0, 1024}, {516, 512}} {
		f := &frameLog{maxTx: tc.maxTx}
		b, err := newBus(f)
		if err != nil {
			t.Fatal(err)
		}
		fw := make([]byte, 2500)
		if err := b.writeMem(0x2000, fw); err != nil {
			t.Fatal(err)
		}
		addr := 0x2000
		for i, w := range f.w {
			a := int(w[1]&0x7f)<<8 | int(w[2])
			if a != addr || w[1]&0x80 == 0 || len(w)-3 > tc.chunk {
				t.Fatalf("max %d: write chunk %d at 0x%04x (%d bytes), want 0x%04x ≤ %d", tc.maxTx, i, a, len(w)-3, addr, tc.chunk)
			}
			addr += len(w) - 3
		}
		if addr != 0x2000+2500 {
			t.Fatalf("wrote up to 0x%04x", addr)
		}
		f.w = nil
		if err := b.readMem(MemRXBuffer, make([]byte, 2500), true); err != nil {
			t.Fatal(err)
		}
		if len(f.w) != (2500+tc.chunk-1)/tc.chunk {
			t.Fatalf("fifo read in %d chunks", len(f.w))
		}
		for _, w := range f.w {
			if w[1] != 0x40 || w[2] != 0 || len(w) > tc.maxTx && tc.maxTx > 0 {
				t.Fatalf("fifo chunk % x... moved the address or exceeded the limit", w[:4])
			}
		}
	}
}

// regFile answers reads from a byte map and applies writes.
type regFile struct {
	frameLog
	mem map[uint16]byte
}

func (r *regFile) Tx(w, rd []byte) error {
	r.frameLog.Tx(w, rd)
	a := uint16(w[1]&0x7f)<<8 | uint16(w[2])
	if w[1]&0x80 != 0 {
		r.mem[a] = w[3]
		return nil
	}
	clear(rd)
	rd[4] = r.mem[a]
	return nil
}

func TestReadModifyWrite(t *testing.T) {
	rf := &regFile{mem: map[uint16]byte{0x5780: 0b1_0101, 0x5200: 0b1010}}
	b, _ := newBus(rf)
	if err := b.set(AGCHostProg, 1); err != nil {
		t.Fatal(err)
	}
	if rf.mem[0x5780] != 0b1_0111 || len(rf.w) != 2 {
		t.Fatalf("rmw: 0x5780 = %08b after %d frames", rf.mem[0x5780], len(rf.w))
	}
	// The FSM_CLR pulse bit (bit 3) must not be echoed back.
	if err := b.set(TxTrigImmediate, 1); err != nil {
		t.Fatal(err)
	}
	if rf.mem[0x5200] != 0b0011 {
		t.Fatalf("trigger byte %04b, pulse bit echoed", rf.mem[0x5200])
	}
	rf.mem[RxTopPeak1SF5.Addr()] = 0x1E
	if v, _ := b.get(RxTopPeak1SF5); v != -2 {
		t.Fatalf("signed field = %d", v)
	}
	if err := b.set(AGCStatus, 1); err == nil {
		t.Fatal("write to a read-only field accepted")
	}
	if err := b.set(AGCLUTAPA, 16); err == nil {
		t.Fatal("value wider than the field accepted")
	}
}
