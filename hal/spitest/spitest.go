// Package spitest holds what the SPI-level chip emulators share: the
// Failer they report misuse to, and running a periph spi.Packet list as
// one chip-select window.
package spitest

import (
	"errors"
	"fmt"

	"go.uber.org/zap"
	"periph.io/x/conn/v3/spi"
)

// Failer is the part of testing.TB an emulator reports misuse to.
type Failer interface {
	Helper()
	Errorf(format string, args ...any)
}

// Misuse builds the error for a frame the real chip would not accept
// (wrapping kind, for errors.Is), reports it to fail (when not nil) and
// logs it.
func Misuse(kind error, fail Failer, log *zap.Logger, format string, args ...any) error {
	err := fmt.Errorf("%w: %s", kind, fmt.Sprintf(format, args...))
	if fail != nil {
		fail.Helper()
		fail.Errorf("%v", err)
	}
	if log != nil {
		log.Error("chip emulator misuse", zap.Error(err))
	}
	return err
}

// ErrReleasesCS is returned by JoinPackets for a packet list that
// releases chip select before its last packet.
var ErrReleasesCS = errors.New("a packet releases chip select inside a frame")

// JoinPackets runs ps as one chip-select window through tx (full duplex)
// and copies the answer into each packet's R. Every packet but the last
// must keep chip select asserted.
func JoinPackets(ps []spi.Packet, tx func(w, r []byte) error) error {
	var w, r []byte
	for i, p := range ps {
		if i < len(ps)-1 && !p.KeepCS {
			return fmt.Errorf("packet %d of %d: %w", i, len(ps), ErrReleasesCS)
		}
		n := max(len(p.W), len(p.R))
		w = append(w, p.W...)
		w = append(w, make([]byte, n-len(p.W))...)
		r = append(r, make([]byte, n)...)
	}
	if err := tx(w, r); err != nil {
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
