package sx1301_test

import (
	"encoding/hex"
	"testing"

	"periph.io/x/conn/v3"
	"periph.io/x/conn/v3/spi"

	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/sx1301"
	"github.com/lgwagent/lgw/sx1301/sx1301test"
)

// rawFIFO is an SPI port whose reads answer arbitrary bytes: the FIFO
// head and records the driver reads are whatever the fuzzer chose.
type rawFIFO struct {
	data []byte
	ops  int
}

func (f *rawFIFO) String() string               { return "raw-fifo" }
func (f *rawFIFO) Duplex() conn.Duplex          { return conn.Full }
func (f *rawFIFO) TxPackets([]spi.Packet) error { return nil }
func (f *rawFIFO) Tx(w, r []byte) error {
	f.ops++
	for i := 1; i < len(r); i++ {
		if len(f.data) > 0 {
			r[i], f.data = f.data[0], f.data[1:]
		} else {
			r[i] = 0
		}
	}
	return nil
}

// FuzzFetch feeds arbitrary FIFO heads and records to the driver's RX
// reader: it never panics, never reads more than the FIFO holds, and
// every record is delivered or counted.
func FuzzFetch(f *testing.F) {
	var g sx1301test.GoldenRx
	if err := sx1301test.LoadGolden(goldenDir, "rx-eu868.json", &g); err != nil {
		f.Fatal(err)
	}
	for _, c := range g.Calls {
		for _, r := range c.Records {
			rec, _ := hex.DecodeString(r.Hex)
			f.Add(append([]byte{1, 0, 0, r.Status, byte(r.Size)}, rec...))
		}
	}
	f.Add([]byte{17, 0, 0, 5, 4})
	f.Add([]byte{1, 0, 0, 5, 0, 11, 0x72})
	plan, err := g.Config.Plan()
	if err != nil {
		f.Fatal(err)
	}
	dev, err := sx1301.New(&rawFIFO{}, sx1301.Pins{}, sx1301.Opts{Plan: plan}, clock.Real(), nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		port := &rawFIFO{data: data}
		before := dev.Stats()
		n, st, _ := dev.FetchFrom(port)
		// Per record: head, record, pop; at most 16 records then one head.
		if port.ops > 3*sx1301.FIFOSize+1 {
			t.Fatalf("%d SPI transactions", port.ops)
		}
		if got := int(st.Received - before.Received); got != n {
			t.Fatalf("%d packets, %d counted", n, got)
		}
	})
}

// FuzzDecodeRecord: any record and size decode or fail cleanly, and a
// decoded payload is the record's first size bytes.
func FuzzDecodeRecord(f *testing.F) {
	var g sx1301test.GoldenRx
	if err := sx1301test.LoadGolden(goldenDir, "rx-eu868.json", &g); err != nil {
		f.Fatal(err)
	}
	for _, c := range g.Calls {
		for _, r := range c.Records {
			rec, _ := hex.DecodeString(r.Hex)
			f.Add(rec, r.Size, r.Status)
		}
	}
	plan, _ := g.Config.Plan()
	f.Fuzz(func(t *testing.T, rec []byte, size int, status byte) {
		if size < 0 || size > 255 {
			return
		}
		r, err := sx1301.DecodeRecord(&plan, -166, rec, size, status)
		if err != nil {
			return
		}
		if len(r.Payload) != size || string(r.Payload) != string(rec[:size]) || r.IFChain > 9 {
			t.Fatalf("decoded %+v from %x", r, rec)
		}
	})
}
