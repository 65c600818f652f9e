// Package logging builds lgw's zap logger: structured lines on stderr and
// a level that can be changed at run time. The line format follows where
// stderr goes:
//
//   - to the journal (systemd sets JOURNAL_STREAM to stderr's device and
//     inode): each line starts with its sd-daemon priority ("<6>" for
//     info), which journald reads, and carries no timestamp, since the
//     journal adds its own;
//   - anywhere else (a terminal, a file, a pipe): each line starts with
//     an ISO 8601 timestamp and carries no priority prefix.
package logging

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// Format is the line format of the logger.
type Format int

// Formats.
const (
	// Console: timestamp, level, message, fields; for a terminal or file.
	Console Format = iota
	// Journal: sd-daemon priority prefix, no timestamp; for journald.
	Journal
)

// String names the format.
func (f Format) String() string {
	if f == Journal {
		return "journal"
	}
	return "console"
}

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

// Detect returns Journal when w is the stream systemd connected to the
// journal (JOURNAL_STREAM names its device and inode), else Console.
func Detect(w io.Writer) Format {
	f, ok := w.(*os.File)
	if !ok {
		return Console
	}
	dev, ino, ok := parseJournalStream(os.Getenv("JOURNAL_STREAM"))
	if !ok {
		return Console
	}
	if fdev, fino, ok := fileID(f); ok && fdev == dev && fino == ino {
		return Journal
	}
	return Console
}

// parseJournalStream reads "DEV:INODE" (decimal), as systemd sets it.
func parseJournalStream(s string) (dev, ino uint64, ok bool) {
	a, b, found := strings.Cut(s, ":")
	if !found {
		return 0, 0, false
	}
	d, err1 := strconv.ParseUint(a, 10, 64)
	i, err2 := strconv.ParseUint(b, 10, 64)
	return d, i, err1 == nil && err2 == nil
}

// New returns a logger writing to w (stderr when nil) at the given level
// in the format Detect picks, and the level handle to change it later.
func New(w io.Writer, level string) (*zap.Logger, zap.AtomicLevel, error) {
	if w == nil {
		w = os.Stderr
	}
	return NewFormat(w, level, Detect(w))
}

// NewFormat is New with the format given.
func NewFormat(w io.Writer, level string, format Format) (*zap.Logger, zap.AtomicLevel, error) {
	lvl, err := ParseLevel(level)
	if err != nil {
		return nil, zap.AtomicLevel{}, err
	}
	atom := zap.NewAtomicLevelAt(lvl)
	enc := zap.NewProductionEncoderConfig()
	enc.EncodeLevel = zapcore.LowercaseLevelEncoder
	// Durations read "1s", "250ms": a bare number has no unit.
	enc.EncodeDuration = zapcore.StringDurationEncoder
	sink := zapcore.AddSync(w)
	if format == Console {
		enc.EncodeTime = zapcore.ISO8601TimeEncoder
		return zap.New(zapcore.NewCore(zapcore.NewConsoleEncoder(enc), sink, atom)), atom, nil
	}
	enc.TimeKey = ""
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
