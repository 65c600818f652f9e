package control

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Request is one line a client sends.
type Request struct {
	// Cmd is the command name (CmdStatus...).
	Cmd string `json:"cmd"`
	// Args are the command's arguments (LogLevelArgs for log-level,
	// TxRequest for tx), absent for the others.
	Args json.RawMessage `json:"args,omitempty"`
}

// Response is one line the server sends.
type Response struct {
	OK bool `json:"ok"`
	// Result is the command's answer when OK.
	Result json.RawMessage `json:"result,omitempty"`
	// Event is one streamed event of "tail".
	Event *Event `json:"event,omitempty"`
	// Error says why when not OK.
	Error *Error `json:"error,omitempty"`
}

// Error is a command that failed on the daemon side. Type is one of the
// apierr kinds ("ValidationException", "ThrottlingException"...).
type Error struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

// Error implements error.
func (e *Error) Error() string { return e.Type + ": " + e.Message }

// LogLevelArgs are the arguments of "log-level".
type LogLevelArgs struct {
	Level string `json:"level"`
}

// HexBytes is a byte slice written as a hex string in JSON.
type HexBytes []byte

// MarshalText writes lower-case hex.
func (h HexBytes) MarshalText() ([]byte, error) { return []byte(hex.EncodeToString(h)), nil }

// UnmarshalText reads hex.
func (h *HexBytes) UnmarshalText(b []byte) error {
	v, err := hex.DecodeString(string(b))
	if err != nil {
		return fmt.Errorf("want hex digits: %w", err)
	}
	*h = v
	return nil
}

// AtMode says how At gives the start of a test transmission.
type AtMode string

// At modes.
const (
	// AtASAP: as soon as possible (the scheduler's lead time from now).
	AtASAP AtMode = ""
	// AtDelay: Delay from now.
	AtDelay AtMode = "delay"
	// AtCount: at the chip counter value Count (tmst trigger).
	AtCount AtMode = "tmst"
	// AtGPS: at GPSTime since the GPS epoch (needs the time reference).
	AtGPS AtMode = "gps"
	// AtTime: at the wall-clock time Time (UTC).
	AtTime AtMode = "time"
)

// At is when a test transmission starts. The zero value is "as soon as
// possible".
type At struct {
	Mode    AtMode        `json:"mode,omitempty"`
	Delay   time.Duration `json:"delay_ns,omitempty"`
	Count   uint32        `json:"count,omitempty"`
	GPSTime time.Duration `json:"gps_time_ns,omitempty"`
	Time    time.Time     `json:"time,omitzero"`
}

// ParseAt reads the --at forms of lgw tx: "" or "now" (as soon as
// possible), "+2s" (a Go duration from now), "tmst:123456789" (a counter
// value), "gps:1400000000.25" (seconds since the GPS epoch), or an
// RFC 3339 time ("2026-11-21T10:00:00Z").
func ParseAt(s string) (At, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "" || s == "now" || s == "asap":
		return At{}, nil
	case strings.HasPrefix(s, "+"):
		d, err := time.ParseDuration(s[1:])
		if err != nil || d <= 0 {
			return At{}, fmt.Errorf("at %q: want a positive duration after +, like +500ms or +2s", s)
		}
		return At{Mode: AtDelay, Delay: d}, nil
	case strings.HasPrefix(s, "tmst:"):
		v, err := strconv.ParseUint(s[5:], 10, 32)
		if err != nil {
			return At{}, fmt.Errorf("at %q: want tmst:N with N a counter value 0..4294967295", s)
		}
		return At{Mode: AtCount, Count: uint32(v)}, nil
	case strings.HasPrefix(s, "gps:"):
		d, ok := parseSeconds(s[4:])
		if !ok {
			return At{}, fmt.Errorf("at %q: want gps:SECONDS since the GPS epoch, like gps:1447000000.5", s)
		}
		return At{Mode: AtGPS, GPSTime: d}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return At{}, fmt.Errorf("at %q: want now, +DURATION, tmst:N, gps:SECONDS or an RFC 3339 time", s)
	}
	return At{Mode: AtTime, Time: t.UTC()}, nil
}

// String writes At in the form ParseAt reads.
func (a At) String() string {
	switch a.Mode {
	case AtASAP:
		return "now"
	case AtDelay:
		return "+" + a.Delay.String()
	case AtCount:
		return "tmst:" + strconv.FormatUint(uint64(a.Count), 10)
	case AtGPS:
		frac := strings.TrimRight(fmt.Sprintf("%09d", a.GPSTime%time.Second), "0")
		if frac != "" {
			frac = "." + frac
		}
		return "gps:" + strconv.FormatInt(int64(a.GPSTime/time.Second), 10) + frac
	case AtTime:
		return a.Time.UTC().Format(time.RFC3339Nano)
	}
	return "At(" + string(a.Mode) + ")"
}

// parseSeconds reads non-negative decimal seconds ("1447000000.25")
// exactly, to the nanosecond.
func parseSeconds(s string) (time.Duration, bool) {
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(frac) > 9 || strings.HasPrefix(whole, "+") || strings.HasPrefix(frac, "+") ||
		strings.HasPrefix(frac, "-") {
		return 0, false
	}
	sec, err := strconv.ParseUint(whole, 10, 64)
	if err != nil || sec > math.MaxInt64/uint64(time.Second)-1 {
		return 0, false
	}
	var ns uint64
	if frac != "" {
		if ns, err = strconv.ParseUint(frac+strings.Repeat("0", 9-len(frac)), 10, 64); err != nil {
			return 0, false
		}
	}
	return time.Duration(sec)*time.Second + time.Duration(ns), true
}
