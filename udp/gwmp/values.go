package gwmp

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"
)

// MHz is a frequency held in Hz and written in MHz with six decimals
// (Hz precision), as "freq" is.
type MHz uint32

// MarshalJSON writes 868.100000.
func (f MHz) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, float64(f)/1e6, 'f', 6, 64), nil
}

// UnmarshalJSON reads a number of MHz, rounded to the Hz.
func (f *MHz) UnmarshalJSON(b []byte) error {
	var v float64
	if err := json.Unmarshal(b, &v); err != nil {
		return errors.New("want a number of MHz")
	}
	if !(v > 0 && v < math.MaxUint32/1e6) {
		return fmt.Errorf("%v MHz: want more than 0 and less than 4294 MHz", v)
	}
	*f = MHz(math.Round(v * 1e6))
	return nil
}

// DataRate is "datr": a LoRa identifier string ("SF7BW125") or an FSK bit
// rate number. Exactly one of LoRa and FSK is set.
type DataRate struct {
	LoRa string
	FSK  uint32
}

// MarshalJSON writes the string or the number.
func (d DataRate) MarshalJSON() ([]byte, error) {
	if d.LoRa != "" {
		return json.Marshal(d.LoRa)
	}
	return strconv.AppendUint(nil, uint64(d.FSK), 10), nil
}

// UnmarshalJSON reads a non-empty string or a positive integer.
func (d *DataRate) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil || s == "" {
			return errors.New("want a LoRa identifier like \"SF7BW125\" or an FSK bit rate")
		}
		*d = DataRate{LoRa: s}
		return nil
	}
	var n uint32
	if err := json.Unmarshal(b, &n); err != nil || n == 0 {
		return errors.New("want a LoRa identifier like \"SF7BW125\" or an FSK bit rate")
	}
	*d = DataRate{FSK: n}
	return nil
}

// String returns the identifier or the bit rate.
func (d DataRate) String() string {
	if d.LoRa != "" {
		return d.LoRa
	}
	return strconv.FormatUint(uint64(d.FSK), 10)
}

// Tenth is a number written with one decimal ("lsnr", "ackr").
type Tenth float64

// MarshalJSON writes 5.1.
func (t Tenth) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, float64(t), 'f', 1, 64), nil
}

// Degrees is a latitude or longitude written with five decimals.
type Degrees float64

// MarshalJSON writes 46.24000.
func (d Degrees) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, float64(d), 'f', 5, 64), nil
}

// Data is a payload written in padded base64; reading also accepts it
// without padding ("padding optional" for txpk).
type Data []byte

// MarshalJSON writes padded standard base64.
func (d Data) MarshalJSON() ([]byte, error) {
	return json.Marshal(base64.StdEncoding.EncodeToString(d))
}

// UnmarshalJSON reads standard base64, padded or not.
func (d *Data) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errors.New("want a base64 string")
	}
	enc := base64.StdEncoding
	if len(s)%4 != 0 {
		enc = base64.RawStdEncoding
	}
	v, err := enc.DecodeString(s)
	if err != nil {
		return fmt.Errorf("not base64: %v", err)
	}
	*d = v
	return nil
}

// rxTimeLayout is the "compact" ISO 8601 UTC time of rxpk, µs precision.
const rxTimeLayout = "2006-01-02T15:04:05.000000Z"

// RxTime is the UTC time of an uplink ("time" of rxpk).
type RxTime time.Time

// MarshalJSON writes "2013-03-31T16:21:17.528002Z".
func (t RxTime) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Time(t).UTC().Format(rxTimeLayout))
}

// UnmarshalJSON reads an RFC 3339 time.
func (t *RxTime) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errors.New("want an ISO 8601 time string")
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("%q: want an ISO 8601 time", s)
	}
	*t = RxTime(v)
	return nil
}

// statTimeLayout is the "expanded" time of stat.
const statTimeLayout = "2006-01-02 15:04:05 GMT"

// StatTime is the gateway's system time in a stat object.
type StatTime time.Time

// MarshalJSON writes "2014-01-12 08:59:28 GMT".
func (t StatTime) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Time(t).UTC().Format(statTimeLayout))
}

// UnmarshalJSON reads the expanded form or RFC 3339.
func (t *StatTime) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errors.New("want a time string")
	}
	v, err := time.Parse(statTimeLayout, s)
	if err != nil {
		if v, err = time.Parse(time.RFC3339Nano, s); err != nil {
			return fmt.Errorf("%q: want \"2006-01-02 15:04:05 GMT\"", s)
		}
	}
	*t = StatTime(v)
	return nil
}
