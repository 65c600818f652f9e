// Package logging builds lgw's zap logger: structured lines on stderr with
// the sd-daemon priority prefix ("<6>" for info) that journald reads, no
// timestamps of its own (journald adds them), and a level that can be
// changed at run time.
package logging

import (
	"fmt"
	"io"
	"os"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// ParseLevel parses debug, info, warn or error.
func ParseLevel(s string) (zapcore.Level, error) {
	switch s {
	case "debug":
		return zapcore.DebugLevel, nil
	case "info":
		return zapcore.InfoLevel, nil
	case "warn":
		return zapcore.WarnLevel, nil
	case "error":
		return zapcore.ErrorLevel, nil
	}
	return 0, fmt.Errorf("log level %q (allowed: debug, info, warn, error)", s)
}

// New returns a logger writing to w (stderr when nil) at the given level,
// and the level handle to change it later.
func New(w io.Writer, level string) (*zap.Logger, zap.AtomicLevel, error) {
	lvl, err := ParseLevel(level)
	if err != nil {
		return nil, zap.AtomicLevel{}, err
	}
	if w == nil {
		w = os.Stderr
	}
	atom := zap.NewAtomicLevelAt(lvl)
	enc := zap.NewProductionEncoderConfig()
	enc.TimeKey = ""
	enc.EncodeLevel = zapcore.LowercaseLevelEncoder
	sink := zapcore.AddSync(w)
	// One core per priority so each line starts with its sd-daemon prefix.
	var cores []zapcore.Core
	for _, p := range []struct {
		level  zapcore.Level
		prefix string
	}{{zapcore.DebugLevel, "<7>"}, {zapcore.InfoLevel, "<6>"}, {zapcore.WarnLevel, "<4>"}, {zapcore.ErrorLevel, "<3>"}, {zapcore.DPanicLevel, "<2>"}} {
		p := p
		enabler := zap.LevelEnablerFunc(func(l zapcore.Level) bool {
			if !atom.Enabled(l) {
				return false
			}
			if p.level == zapcore.DPanicLevel {
				return l >= zapcore.DPanicLevel
			}
			return l == p.level
		})
		cores = append(cores, zapcore.NewCore(zapcore.NewConsoleEncoder(enc), &prefixWriter{prefix: []byte(p.prefix), w: sink}, enabler))
	}
	return zap.New(zapcore.NewTee(cores...)), atom, nil
}

// prefixWriter prepends the priority to each entry; zap writes an entry in
// one Write call.
type prefixWriter struct {
	prefix []byte
	w      zapcore.WriteSyncer
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	buf := make([]byte, 0, len(p.prefix)+len(b))
	buf = append(append(buf, p.prefix...), b...)
	if _, err := p.w.Write(buf); err != nil {
		return 0, err
	}
	return len(b), nil
}

func (p *prefixWriter) Sync() error { return p.w.Sync() }
