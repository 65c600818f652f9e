package sx1301

import (
	"errors"
	"fmt"
	"time"

	"periph.io/x/conn/v3/gpio"

	"github.com/lgwagent/lgw/hal"
)

// DefaultFirmwareDir is where `lgw firmware import` installs the firmware
// (shared with the SX1302 images).
const DefaultFirmwareDir = "/usr/share/lgw/firmware"

// RadioType is the SX125x model on the board's RF chains.
type RadioType uint8

// Radio types (sx1301.md §5.2: SX1257 for 868/915 MHz, SX1255 for
// 433/470 MHz).
const (
	SX1257 RadioType = iota
	SX1255
)

// String names the radio.
func (t RadioType) String() string {
	if t == SX1255 {
		return "SX1255"
	}
	return "SX1257"
}

// Pins are the board's control lines. A nil pin is not fitted.
type Pins struct {
	// Reset is the SX1301 reset line, active high (sx1301.md §5.1).
	Reset gpio.PinOut
}

// TxGain is one entry of the board's TX gain table (sx1301.md §5.3).
type TxGain struct {
	// Power is the RF power at the connector, in dBm.
	Power int8
	// PA is the PA gain 0..3, Mix the SX125x mixer gain 8..15, Dig the
	// digital gain 0..3. The DAC gain is always 3 (the calibration runs at
	// DAC gain 3).
	PA, Mix, Dig uint8
}

// dacGain is the only DAC gain the calibration supports.
const dacGain = 3

// Opts configure the driver. Zero fields take the defaults noted.
type Opts struct {
	// FirmwareDir holds the SX1301 images (default DefaultFirmwareDir).
	FirmwareDir string
	// Radio is the SX125x type of both radios (default SX1257).
	Radio RadioType
	// ClockSource is the radio (0 A, 1 B) that supplies the 32 MHz clock;
	// every board in sx1301.md §5.2 uses radio B, so boards set 1.
	ClockSource uint8
	// Plan is the channel plan (required).
	Plan Plan
	// RSSIOffset is added to raw RSSI readings in dB (default -166).
	RSSIOffset float32
	// TxGains is the board's TX gain table, 1..16 entries by increasing
	// power (default DefaultTxGains).
	TxGains []TxGain
	// TxFreq is the TX frequency range (default the radios' centres
	// ±1 MHz).
	TxFreq hal.FreqRange
	// TxChains is the number of RF chains that may transmit, from radio A
	// (default 1).
	TxChains int
	// PollInterval, when set, makes the driver read the RX FIFO itself at
	// that period into the queue Receive returns; 0 (the default): the
	// caller's Receive is the only reader (the gateway's RX loop).
	PollInterval time.Duration
	// RxQueue bounds the packets held between polls and Receive (default
	// 256); the excess is counted and dropped.
	RxQueue int
	// PrivateSyncWord selects the private LoRa sync word 0x12 (default:
	// public 0x34).
	PrivateSyncWord bool
}

// DefaultTxGains is the TX gain table of the reference configuration
// (packet_forwarder v4.0.1 global_conf.json, the golden data's LUT).
func DefaultTxGains() []TxGain {
	return []TxGain{{-6, 0, 8, 0}, {-3, 0, 10, 0}, {0, 0, 12, 0}, {3, 1, 8, 0}, {6, 1, 10, 0}, {10, 1, 12, 0},
		{11, 1, 13, 0}, {12, 2, 9, 0}, {13, 1, 15, 0}, {14, 2, 10, 0}, {16, 2, 11, 0}, {20, 3, 9, 0},
		{23, 3, 10, 0}, {25, 3, 11, 0}, {26, 3, 12, 0}, {27, 3, 14, 0}}
}

func (o *Opts) setDefaults() {
	if o.FirmwareDir == "" {
		o.FirmwareDir = DefaultFirmwareDir
	}
	if o.RSSIOffset == 0 {
		o.RSSIOffset = -166
	}
	if len(o.TxGains) == 0 {
		o.TxGains = DefaultTxGains()
	}
	if o.TxFreq == (hal.FreqRange{}) {
		lo, hi := o.Plan.Radios[0].Freq, o.Plan.Radios[1].Freq
		if hi == 0 {
			hi = lo
		}
		o.TxFreq = hal.FreqRange{Min: min(lo, hi) - 1e6, Max: max(lo, hi) + 1e6}
	}
	if o.TxChains == 0 {
		o.TxChains = 1
	}
	if o.RxQueue == 0 {
		o.RxQueue = 256
	}
}

// Validate checks the options with their defaults applied, naming the bad
// field.
func (o Opts) Validate() error {
	o.setDefaults()
	return o.validate()
}

func (o *Opts) validate() error {
	if o.ClockSource > 1 {
		return fmt.Errorf("sx1301 opts: clock_source %d: want 0 or 1", o.ClockSource)
	}
	if o.Radio > SX1255 {
		return fmt.Errorf("sx1301 opts: radio type %d: want SX1257 or SX1255", o.Radio)
	}
	if o.PollInterval < 0 || o.PollInterval > time.Second {
		return fmt.Errorf("sx1301 opts: poll_interval %s: want 0 (caller polls) to 1s", o.PollInterval)
	}
	if o.TxChains < 0 || o.TxChains > 2 {
		return fmt.Errorf("sx1301 opts: tx_chains %d: want 0 to 2", o.TxChains)
	}
	if len(o.TxGains) > 16 {
		return errors.New("sx1301 opts: tx_gains: at most 16 entries")
	}
	for i, g := range o.TxGains {
		if g.PA > 3 || g.Dig > 3 || g.Mix < 8 || g.Mix > 15 {
			return fmt.Errorf("sx1301 opts: tx_gains[%d]: pa %d (0..3), mix %d (8..15), dig %d (0..3)", i, g.PA, g.Mix, g.Dig)
		}
		if i > 0 && g.Power < o.TxGains[i-1].Power {
			return fmt.Errorf("sx1301 opts: tx_gains[%d]: power %d dBm is below the previous entry", i, g.Power)
		}
	}
	return ValidatePlan(&o.Plan, o.Radio)
}
