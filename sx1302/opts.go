package sx1302

import (
	"errors"
	"fmt"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/i2c"

	"github.com/lgwagent/lgw/hal"
)

// DefaultFirmwareDir is where `lgw firmware import` installs the firmware.
const DefaultFirmwareDir = "/usr/share/lgw/firmware"

// Pins are the board's control lines. A nil pin is not fitted.
type Pins struct {
	// Reset is the SX1302 reset line, active high (bringup §3.1).
	Reset gpio.PinOut
	// Power enables the SX1302 supplies, active high.
	Power gpio.PinOut
}

// TxGain is one entry of the board's TX gain table (rxtx-timing §2.3).
type TxGain struct {
	// Power is the RF power at the connector, in dBm.
	Power int8
	// PA is the PA gain (0 turns the PA off), 0..3.
	PA uint8
	// PwrIdx is the SX1250 power index, 0..22.
	PwrIdx uint8
	// DigGain is the digital gain, 0..3.
	DigGain uint8
}

// Opts configure the driver. Zero fields take the defaults noted.
type Opts struct {
	// FirmwareDir holds agc_sx1250.bin and arb.bin (default
	// DefaultFirmwareDir).
	FirmwareDir string
	// ClockSource is the radio (0 A, 1 B) that clocks the SX1302.
	ClockSource uint8
	// Plan is the IF channel plan (required; see PlanFor).
	Plan Plan
	// RSSIOffset is added to raw RSSI readings in dB (default -215.4, the
	// SX1250 reference value).
	RSSIOffset float32
	// TxGains is the board's TX gain table, by increasing power (default
	// the reference design's).
	TxGains []TxGain
	// TxFreq is the TX frequency range of both RF chains (default the
	// plan's band ±1 MHz).
	TxFreq hal.FreqRange
	// TxChains is the number of RF chains that may transmit (default 1:
	// radio A, as the reference design).
	TxChains int
	// I2C is the bus of the STTS751 temperature sensor at TempAddr; nil:
	// no sensor.
	I2C      i2c.Bus
	TempAddr uint16
	// Temperature is the board temperature in °C used for RSSI
	// compensation when there is no sensor (default DefaultTemperature;
	// 0 means the default).
	Temperature float64
	// RSSITempComp is the radios' RSSI temperature compensation (default
	// DefaultTempComp; set all zero but E = 0.001 to turn it off).
	RSSITempComp TempComp
	// PollInterval, when set, makes the driver read the RX buffer itself
	// that often, queueing packets for Receive. Default 0: Receive is the
	// only reader, and its caller polls (see hal.RxPoll), so the chip is
	// read by one loop.
	PollInterval time.Duration
	// CounterInterval is how often the counter is read to track its
	// 134 s wrap (default 10 s; at most 60 s).
	CounterInterval time.Duration
	// HandshakeTimeout bounds every wait for the chip (default 1 s).
	HandshakeTimeout time.Duration
	// RxQueue bounds the packets held between polls and Receive (default
	// 256); the excess is counted and dropped.
	RxQueue int
	// PrivateSyncWord selects the private LoRa sync word 0x12 (default:
	// public 0x34).
	PrivateSyncWord bool
	// ChipVersions are the accepted COMMON_VERSION values (default 0x10
	// SX1302, 0x12 SX1303).
	ChipVersions []byte
	// FineTimestamp enables precision mode and the fine timestamp
	// (rxtx §1.6; SX1303 only: Start fails on an SX1302). It needs a GPS
	// PPS: packets carry a fine time once 16 distinct PPS latches were
	// seen, and the counter is then read at least every 250 ms.
	FineTimestamp bool
}

// DefaultTxGains is the SX1250 reference design's TX gain table
// (packet_forwarder global_conf.json.sx1250.EU868 of sx1302_hal 2.1.0).
func DefaultTxGains() []TxGain {
	p := []struct{ pa, idx uint8 }{{0, 15}, {0, 16}, {0, 17}, {0, 19}, {0, 20}, {0, 22},
		{1, 1}, {1, 2}, {1, 3}, {1, 4}, {1, 5}, {1, 6}, {1, 7}, {1, 9}, {1, 11}, {1, 14}}
	g := make([]TxGain, len(p))
	for i, e := range p {
		g[i] = TxGain{Power: int8(12 + i), PA: e.pa, PwrIdx: e.idx}
	}
	return g
}

func (o *Opts) setDefaults() {
	if o.FirmwareDir == "" {
		o.FirmwareDir = DefaultFirmwareDir
	}
	if o.RSSIOffset == 0 {
		o.RSSIOffset = -215.4
	}
	if o.Temperature == 0 {
		o.Temperature = DefaultTemperature
	}
	if o.RSSITempComp == (TempComp{}) {
		o.RSSITempComp = DefaultTempComp
	}
	if len(o.TxGains) == 0 {
		o.TxGains = DefaultTxGains()
	}
	if o.TxFreq == (hal.FreqRange{}) {
		o.TxFreq = defaultTxFreq(o.Plan.Radios[0].Freq)
	}
	if o.TxChains == 0 {
		o.TxChains = 1
	}
	if o.CounterInterval == 0 {
		o.CounterInterval = 10 * time.Second
	}
	if o.HandshakeTimeout == 0 {
		o.HandshakeTimeout = time.Second
	}
	if o.RxQueue == 0 {
		o.RxQueue = 256
	}
	if len(o.ChipVersions) == 0 {
		o.ChipVersions = []byte{0x10, 0x12}
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
		return fmt.Errorf("sx1302 opts: clock_source %d: want 0 or 1", o.ClockSource)
	}
	if o.CounterInterval <= 0 || o.CounterInterval > time.Minute {
		return fmt.Errorf("sx1302 opts: counter_interval %s: want (0, 1m] so no 134 s wrap is missed", o.CounterInterval)
	}
	if o.PollInterval < 0 || o.PollInterval > time.Second {
		return fmt.Errorf("sx1302 opts: poll_interval %s: want 0 (caller polls) to 1s", o.PollInterval)
	}
	if o.TxChains < 0 || o.TxChains > 2 {
		return fmt.Errorf("sx1302 opts: tx_chains %d: want 0 to 2", o.TxChains)
	}
	for i, g := range o.TxGains {
		if g.PA > 3 || g.DigGain > 3 || g.PwrIdx > 22 {
			return fmt.Errorf("sx1302 opts: tx_gains[%d]: pa %d (≤3), dig_gain %d (≤3), pwr_idx %d (≤22)", i, g.PA, g.DigGain, g.PwrIdx)
		}
		if i > 0 && g.Power < o.TxGains[i-1].Power {
			return fmt.Errorf("sx1302 opts: tx_gains[%d]: power %d dBm is below the previous entry", i, g.Power)
		}
	}
	if len(o.TxGains) > 16 {
		return errors.New("sx1302 opts: tx_gains: at most 16 entries")
	}
	if o.I2C != nil && o.TempAddr == 0 {
		return errors.New("sx1302 opts: temp_addr: required with an I2C bus")
	}
	return o.Plan.Validate(Limits)
}
