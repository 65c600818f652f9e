package spitest

import (
	"errors"
	"testing"

	"periph.io/x/conn/v3/spi"
)

func TestJoinPackets(t *testing.T) {
	var sent []byte
	echo := func(w, r []byte) error {
		sent = append([]byte(nil), w...)
		for i := range r {
			r[i] = w[i] + 1
		}
		return nil
	}
	a, b := make([]byte, 2), make([]byte, 3)
	err := JoinPackets([]spi.Packet{{W: []byte{1, 2}, R: a, KeepCS: true}, {W: []byte{7}, R: b}}, echo)
	if err != nil || string(sent) != "\x01\x02\x07\x00\x00" || string(a) != "\x02\x03" || string(b) != "\x08\x01\x01" {
		t.Fatalf("sent %x, answers %x %x, %v", sent, a, b, err)
	}
	err = JoinPackets([]spi.Packet{{W: []byte{1}}, {W: []byte{2}}}, echo)
	if !errors.Is(err, ErrReleasesCS) {
		t.Fatalf("chip select released inside a frame: %v", err)
	}
}

type rec struct{ msgs []string }

func (r *rec) Helper()                      {}
func (r *rec) Errorf(f string, args ...any) { r.msgs = append(r.msgs, f) }

func TestMisuse(t *testing.T) {
	kind := errors.New("refused")
	f := &rec{}
	err := Misuse(kind, f, nil, "register 0x%02x", 5)
	if !errors.Is(err, kind) || err.Error() != "refused: register 0x05" || len(f.msgs) != 1 {
		t.Fatalf("%v %v", err, f.msgs)
	}
}
