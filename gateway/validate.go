package gateway

import (
	"errors"
	"strconv"
	"strings"

	"go.uber.org/zap/zapcore"

	"github.com/lgwagent/lgw/apierr"
	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/logging"
)

// The limits every adapter's input is checked against, in one place.
const (
	// MinPower and MaxPower bound a requested RF power in dBm (the board's
	// gain table and the region's limit are the scheduler's checks).
	MinPower, MaxPower = -10, 36
)

// LogLevels lists the levels SetLogLevel accepts.
var LogLevels = []string{"debug", "info", "warn", "error"}

// checkPower refuses a power outside MinPower..MaxPower, naming field.
func checkPower(field string, p int) error {
	if p < MinPower || p > MaxPower {
		return apierr.Newf(apierr.Validation, field, "%d dBm: want %d to %d", p, MinPower, MaxPower)
	}
	return nil
}

// checkPayload refuses an empty frame or one longer than the chip takes.
func checkPayload(field string, b []byte) error {
	if len(b) == 0 || len(b) > hal.MaxPayload {
		return apierr.Newf(apierr.Validation, field, "%d bytes: want 1 to %d", len(b), hal.MaxPayload)
	}
	return nil
}

// ParseLogLevel reads debug, info, warn or error; anything else is a
// ValidationException naming field.
func ParseLogLevel(field, level string) (zapcore.Level, error) {
	l, err := logging.ParseLevel(level)
	if err != nil {
		return 0, apierr.Newf(apierr.Validation, field, "%q: want %s", level, strings.Join(LogLevels, ", "))
	}
	return l, nil
}

// ParseDatr reads a data rate as a technician types it: "SF7BW125",
// "FSK50" (kbit/s) or "50000" (bit/s), coding rate 4/5.
func ParseDatr(s string) (hal.DataRate, error) {
	if rest, ok := strings.CutPrefix(strings.ToUpper(s), "FSK"); ok {
		kbps, err := strconv.ParseFloat(rest, 64)
		if err != nil || kbps <= 0 {
			return hal.DataRate{}, errors.New("want SFnBWn, FSKn (kbit/s) or a bit rate")
		}
		return hal.ParseDatr(strconv.Itoa(int(kbps*1000)), hal.CR4_5)
	}
	return hal.ParseDatr(strings.ToUpper(s), hal.CR4_5)
}
