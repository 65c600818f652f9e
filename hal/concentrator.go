package hal

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// TxStatus is the state of an RF chain's transmitter.
type TxStatus uint8

// TX states, as the chips report them.
const (
	TxUnknown TxStatus = iota
	// TxOff: the concentrator is not started.
	TxOff
	// TxFree: nothing programmed.
	TxFree
	// TxScheduled: a transmission is armed and waits for its trigger.
	TxScheduled
	// TxEmitting: the transmission is on air.
	TxEmitting
)

// String names the status.
func (s TxStatus) String() string {
	switch s {
	case TxOff:
		return "off"
	case TxFree:
		return "free"
	case TxScheduled:
		return "scheduled"
	case TxEmitting:
		return "emitting"
	}
	return "unknown(" + strconv.Itoa(int(s)) + ")"
}

// Errors every concentrator returns, for errors.Is.
var (
	// ErrNotStarted: the operation needs a started concentrator.
	ErrNotStarted = errors.New("concentrator not started")
	// ErrTxBusy: the RF chain already has a transmission scheduled or on
	// air; lgw never overwrites one silently.
	ErrTxBusy = errors.New("rf chain busy: a transmission is already programmed")
	// ErrNoSensor: the board has no temperature sensor fitted.
	ErrNoSensor = errors.New("no temperature sensor fitted")
	// ErrRFChain: the RF chain does not exist or cannot transmit.
	ErrRFChain = errors.New("rf chain not available")
)

// ChipInfo identifies the concentrator chip.
type ChipInfo struct {
	// Model is "SX1302", "SX1303", "SX1301" or "sim".
	Model string
	// EUI is the chip's unique 64-bit identifier.
	EUI EUI64
	// Firmware lists loaded firmware versions by name ("agc", "arb").
	Firmware map[string]string
}

// String summarises the chip.
func (c ChipInfo) String() string { return c.Model + " " + c.EUI.String() }

// EUI64 is a 64-bit identifier.
type EUI64 [8]byte

// String returns 16 lowercase hex digits.
func (e EUI64) String() string { return fmt.Sprintf("%016x", e[:]) }

// ParseEUI64 parses 16 hex digits.
func ParseEUI64(s string) (EUI64, error) {
	var e EUI64
	if len(s) != 16 {
		return e, fmt.Errorf("eui %q: want 16 hex digits", s)
	}
	for i := range e {
		v, err := strconv.ParseUint(s[2*i:2*i+2], 16, 8)
		if err != nil {
			return e, fmt.Errorf("eui %q: want 16 hex digits", s)
		}
		e[i] = byte(v)
	}
	return e, nil
}

// FreqRange is an inclusive frequency range in Hz.
type FreqRange struct{ Min, Max uint32 }

// Contains reports whether f is within the range.
func (r FreqRange) Contains(f uint32) bool { return f >= r.Min && f <= r.Max }

// String returns "863.000-870.000 MHz".
func (r FreqRange) String() string {
	return fmt.Sprintf("%.3f-%.3f MHz", float64(r.Min)/1e6, float64(r.Max)/1e6)
}

// TxGain is one entry of a board's TX gain table; drivers add their own
// register settings keyed by the same index.
type TxGain struct {
	// Power is the RF power in dBm this entry gives at the connector.
	Power int8
}

// Capabilities describe what a concentrator can do.
type Capabilities struct {
	// RFChains is the number of radios; IFChains the number of IF
	// (demodulator) channels.
	RFChains, IFChains int
	// TxFreq is the TX frequency range per RF chain; a chain with a zero
	// range cannot transmit.
	TxFreq []FreqRange
	// TxGains is the TX power table, by increasing power.
	TxGains []TxGain
	// FineTimestamp reports whether received packets carry a fine
	// timestamp.
	FineTimestamp bool
	// TxStartDelay is the time between the trigger the chip arms and the
	// start of the preamble (about 1.5 ms on SX1302).
	TxStartDelay time.Duration
	// ProgramTime is the measured time to program a transmission (the
	// longest seen so far); the scheduler's lead must cover it.
	ProgramTime time.Duration
}

// CanTransmit reports whether chain can transmit on freq.
func (c Capabilities) CanTransmit(chain uint8, freq uint32) bool {
	return int(chain) < len(c.TxFreq) && c.TxFreq[chain].Contains(freq)
}

// Concentrator is the contract of a LoRa concentrator: the SX1302/SX1303
// and SX1301 drivers and the simulator implement it. Every method is safe
// for concurrent use.
type Concentrator interface {
	// Start powers, configures and starts the chip; receive runs from then
	// on. ctx bounds the start sequence.
	Start(ctx context.Context) error
	// Stop stops receiving and transmitting and leaves the radio silent.
	Stop() error
	// Receive fetches the packets received since the last call (possibly
	// none). A corrupt record is counted and skipped, not returned as an
	// error.
	Receive() ([]RxPacket, error)
	// Send programs a transmission. It does not wait for it: TxStatus
	// tells what became of it. It returns ErrTxBusy when the chain already
	// has one programmed.
	Send(p *TxPacket) error
	// TxStatus reports the transmitter state of an RF chain.
	TxStatus(rfChain uint8) (TxStatus, error)
	// AbortTx cancels a scheduled or ongoing transmission on an RF chain.
	AbortTx(rfChain uint8) error
	// Counter reads the instantaneous 32-bit µs counter.
	Counter() (Count, error)
	// PPSCounter reads the counter latched at the last PPS rising edge.
	PPSCounter() (Count, error)
	// Chip identifies the chip (valid once started).
	Chip() (ChipInfo, error)
	// Temperature returns the board temperature in °C, or ErrNoSensor.
	Temperature() (float64, error)
	// Capabilities describe the chip and board.
	Capabilities() Capabilities
}

// GPSFix is the GPS time of a PPS pulse, as the GPS receiver reports it
// (NMEA or UBX) shortly after the pulse.
type GPSFix struct {
	// Time is the GPS time of the pulse, as a duration since the GPS epoch
	// (1980-01-06 00:00:00 UTC, no leap seconds).
	Time time.Duration
	// PPSCount is the concentrator counter latched at that pulse.
	PPSCount Count
	// Latitude, Longitude in degrees and Altitude in metres, when HasPos.
	Latitude, Longitude, Altitude float64
	HasPos                        bool
}

// GPS delivers one fix per PPS pulse while the receiver has a lock.
type GPS interface {
	// Fixes returns the channel fixes arrive on; it is closed when the
	// source stops.
	Fixes() <-chan GPSFix
}
