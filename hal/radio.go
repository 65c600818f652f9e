package hal

import (
	"fmt"
	"strconv"
	"strings"
)

// Modulation is the kind of modulation of a packet.
type Modulation uint8

// Modulations.
const (
	LoRa Modulation = iota + 1
	FSK
)

// String returns "LORA" or "FSK", as the downlink report spells them.
func (m Modulation) String() string {
	switch m {
	case LoRa:
		return "LORA"
	case FSK:
		return "FSK"
	}
	return "Modulation(" + strconv.Itoa(int(m)) + ")"
}

// Bandwidth is a LoRa channel bandwidth in Hz.
type Bandwidth uint32

// LoRa bandwidths the concentrators support.
const (
	BW125 Bandwidth = 125000
	BW250 Bandwidth = 250000
	BW500 Bandwidth = 500000
)

// KHz returns the bandwidth in kHz.
func (b Bandwidth) KHz() int { return int(b / 1000) }

// Valid reports whether b is one of BW125, BW250, BW500.
func (b Bandwidth) Valid() bool { return b == BW125 || b == BW250 || b == BW500 }

// String returns "125kHz" and so on.
func (b Bandwidth) String() string { return strconv.Itoa(b.KHz()) + "kHz" }

// CodeRate is a LoRa forward-error-correction rate.
type CodeRate uint8

// LoRa coding rates.
const (
	CR4_5 CodeRate = iota + 1
	CR4_6
	CR4_7
	CR4_8
)

// Valid reports whether c is one of CR4_5 to CR4_8.
func (c CodeRate) Valid() bool { return c >= CR4_5 && c <= CR4_8 }

// String returns "4/5" and so on.
func (c CodeRate) String() string {
	if !c.Valid() {
		return "CodeRate(" + strconv.Itoa(int(c)) + ")"
	}
	return "4/" + strconv.Itoa(int(c)+4)
}

// ParseCodeRate parses "4/5" to "4/8".
func ParseCodeRate(s string) (CodeRate, error) {
	for c := CR4_5; c <= CR4_8; c++ {
		if c.String() == s {
			return c, nil
		}
	}
	return 0, fmt.Errorf("code rate %q: want one of 4/5, 4/6, 4/7, 4/8", s)
}

// DataRate describes a modulation fully: LoRa spreading factor, bandwidth
// and coding rate, or FSK bit rate and frequency deviation. The one-byte
// fields come first: 16 bytes instead of 20 (a queued downlink holds one).
type DataRate struct {
	Modulation Modulation
	// SpreadingFactor is 5 to 12 (LoRa).
	SpreadingFactor uint8
	// CodeRate is the LoRa coding rate.
	CodeRate CodeRate
	// Bandwidth is the LoRa bandwidth.
	Bandwidth Bandwidth
	// BitRate is the FSK bit rate in bit/s (500 to 250000).
	BitRate uint32
	// FreqDeviation is the FSK frequency deviation in Hz.
	FreqDeviation uint32
}

// LoRaRate returns a LoRa data rate.
func LoRaRate(sf uint8, bw Bandwidth, cr CodeRate) DataRate {
	return DataRate{Modulation: LoRa, SpreadingFactor: sf, Bandwidth: bw, CodeRate: cr}
}

// FSKRate returns an FSK data rate.
func FSKRate(bitRate, freqDev uint32) DataRate {
	return DataRate{Modulation: FSK, BitRate: bitRate, FreqDeviation: freqDev}
}

// Validate checks the fields for the modulation.
func (d DataRate) Validate() error {
	switch d.Modulation {
	case LoRa:
		if d.SpreadingFactor < 5 || d.SpreadingFactor > 12 {
			return &FieldError{Field: "spreading_factor", Value: d.SpreadingFactor, Allowed: "5 to 12"}
		}
		if !d.Bandwidth.Valid() {
			return &FieldError{Field: "bandwidth", Value: uint32(d.Bandwidth), Allowed: "125000, 250000, 500000"}
		}
		if !d.CodeRate.Valid() {
			return &FieldError{Field: "code_rate", Value: uint8(d.CodeRate), Allowed: "4/5, 4/6, 4/7, 4/8"}
		}
	case FSK:
		if d.BitRate < 500 || d.BitRate > 250000 {
			return &FieldError{Field: "bit_rate", Value: d.BitRate, Allowed: "500 to 250000"}
		}
	default:
		return &FieldError{Field: "modulation", Value: uint8(d.Modulation), Allowed: "LORA, FSK"}
	}
	return nil
}

// Datr returns the Semtech "datr" string: "SF12BW125" for LoRa, the bit
// rate for FSK ("50000").
func (d DataRate) Datr() string {
	if d.Modulation == FSK {
		return strconv.FormatUint(uint64(d.BitRate), 10)
	}
	return "SF" + strconv.Itoa(int(d.SpreadingFactor)) + "BW" + strconv.Itoa(d.Bandwidth.KHz())
}

// String returns the datr and, for LoRa, the coding rate.
func (d DataRate) String() string {
	if d.Modulation == LoRa {
		return d.Datr() + " CR" + d.CodeRate.String()
	}
	return "FSK " + d.Datr() + "bps"
}

// ParseDatr parses a Semtech "datr" string ("SF7BW125") into a LoRa data
// rate with coding rate cr, or a decimal bit rate into an FSK one.
func ParseDatr(s string, cr CodeRate) (DataRate, error) {
	if !strings.HasPrefix(s, "SF") {
		br, err := strconv.ParseUint(s, 10, 32)
		if err != nil {
			return DataRate{}, fmt.Errorf("datr %q: want SFnBWn or an FSK bit rate", s)
		}
		d := FSKRate(uint32(br), uint32(br)/2)
		return d, d.Validate()
	}
	sfs, bws, ok := strings.Cut(s[2:], "BW")
	sf, err1 := strconv.Atoi(sfs)
	bw, err2 := strconv.Atoi(bws)
	if !ok || err1 != nil || err2 != nil {
		return DataRate{}, fmt.Errorf("datr %q: want SFnBWn, like SF7BW125", s)
	}
	if sf < 0 || sf > 255 || bw < 0 {
		return DataRate{}, fmt.Errorf("datr %q: out of range", s)
	}
	d := LoRaRate(uint8(sf), Bandwidth(bw*1000), cr)
	if err := d.Validate(); err != nil {
		return DataRate{}, fmt.Errorf("datr %q: %w", s, err)
	}
	return d, nil
}

// LowDataRateOptimize reports whether the LoRa low-data-rate optimisation
// applies (BW125 with SF11/12, BW250 with SF12), as the chips set it.
func (d DataRate) LowDataRateOptimize() bool {
	if d.Modulation != LoRa {
		return false
	}
	return (d.Bandwidth == BW125 && d.SpreadingFactor >= 11) || (d.Bandwidth == BW250 && d.SpreadingFactor == 12)
}

// FieldError names an invalid field, its value and what is allowed.
type FieldError struct {
	Field   string
	Value   any
	Allowed string
}

// Error implements error.
func (e *FieldError) Error() string {
	return fmt.Sprintf("%s: %v is not allowed (allowed: %s)", e.Field, e.Value, e.Allowed)
}
