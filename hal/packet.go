package hal

import (
	"fmt"
	"strconv"
	"time"

	"github.com/brocaar/lorawan/airtime"
)

// MaxPayload is the largest payload the concentrators carry.
const MaxPayload = 255

// CRCStatus is the CRC outcome of a received packet.
type CRCStatus int8

// CRC outcomes, numbered as the downlink report's "status" field (1 OK,
// -1 fail, 0 no CRC).
const (
	CRCNone CRCStatus = 0
	CRCOK   CRCStatus = 1
	CRCBad  CRCStatus = -1
)

// String returns "ok", "bad" or "none".
func (c CRCStatus) String() string {
	switch c {
	case CRCOK:
		return "ok"
	case CRCBad:
		return "bad"
	case CRCNone:
		return "none"
	}
	return "CRCStatus(" + strconv.Itoa(int(c)) + ")"
}

// RxPacket is one packet as the concentrator received it.
type RxPacket struct {
	// Payload is the PHYPayload.
	Payload []byte
	// Frequency is the channel centre in Hz.
	Frequency uint32
	// IFChain is the concentrator IF channel (0-7 multi-SF, 8 LoRa
	// service channel, 9 FSK on the SX1302).
	IFChain uint8
	// RFChain is the radio that received it.
	RFChain uint8
	// DataRate is the modulation.
	DataRate DataRate
	// CRC is the CRC status.
	CRC CRCStatus
	// RSSIChannel is the channel RSSI in dBm, board offset applied.
	RSSIChannel float32
	// RSSISignal is the signal RSSI in dBm, board offset applied (LoRa).
	RSSISignal float32
	// SNR is the LoRa signal to noise ratio in dB.
	SNR float32
	// FreqOffset is the measured frequency error in Hz.
	FreqOffset int32
	// Count is the counter value at the end of the packet (tmst).
	Count Count
	// FineTime is the fine timestamp in ns since the last PPS, valid when
	// HasFineTime is true (SX1303 only).
	FineTime    uint32
	HasFineTime bool
}

// String summarises the packet for logs.
func (p RxPacket) String() string {
	return fmt.Sprintf("%.6f MHz %s %d B crc=%s rssi=%.1f snr=%.1f tmst=%d",
		float64(p.Frequency)/1e6, p.DataRate.Datr(), len(p.Payload), p.CRC, p.RSSIChannel, p.SNR, p.Count)
}

// TriggerMode says when a programmed transmission starts.
type TriggerMode uint8

// Trigger modes.
const (
	// Immediate starts the emission as soon as the chip is armed (after its
	// TX start delay).
	Immediate TriggerMode = iota
	// AtCount starts the preamble when the counter reaches Trigger.Count.
	AtCount
	// OnPPS starts the emission on the next PPS edge (after the TX start
	// delay), as class B beacons are sent.
	OnPPS
)

// String names the mode.
func (m TriggerMode) String() string {
	switch m {
	case Immediate:
		return "immediate"
	case AtCount:
		return "at-count"
	case OnPPS:
		return "on-pps"
	}
	return "TriggerMode(" + strconv.Itoa(int(m)) + ")"
}

// Trigger is when a transmission starts.
type Trigger struct {
	Mode TriggerMode
	// Count is the counter value the preamble starts at (AtCount).
	Count Count
}

// TxPacket is a transmission to program. Its fields are ordered to leave
// no padding between them (64 bytes on 64-bit machines): the scheduler
// holds one per queued downlink.
type TxPacket struct {
	// Payload is the PHYPayload, at most MaxPayload bytes.
	Payload []byte
	// Frequency is the centre frequency in Hz.
	Frequency uint32
	// RFChain is the radio to transmit on.
	RFChain uint8
	// Power is the RF power in dBm; the driver picks the nearest lower
	// entry of the board's gain table.
	Power int8
	// Preamble is the preamble length in symbols (LoRa) or bytes (FSK);
	// 0 means the default (8 LoRa, 5 FSK).
	Preamble uint16
	// DataRate is the modulation.
	DataRate DataRate
	// InvertIQ inverts the chirps, as LoRaWAN downlinks do (not beacons).
	InvertIQ bool
	// ImplicitHeader sends no LoRa header (beacons).
	ImplicitHeader bool
	// NoCRC sends no payload CRC (LoRaWAN downlinks and beacons).
	NoCRC bool
	// Trigger is when the emission starts.
	Trigger Trigger
}

// Default preamble lengths.
const (
	DefaultLoRaPreamble = 8
	DefaultFSKPreamble  = 5
)

// PreambleLen returns the preamble length with the default applied.
func (p *TxPacket) PreambleLen() int {
	if p.Preamble != 0 {
		return int(p.Preamble)
	}
	if p.DataRate.Modulation == FSK {
		return DefaultFSKPreamble
	}
	return DefaultLoRaPreamble
}

// Validate checks what every concentrator checks before programming.
func (p *TxPacket) Validate() error {
	if len(p.Payload) > MaxPayload {
		return &FieldError{Field: "payload", Value: fmt.Sprintf("%d bytes", len(p.Payload)), Allowed: "at most 255 bytes"}
	}
	if p.Trigger.Mode > OnPPS {
		return &FieldError{Field: "trigger", Value: p.Trigger.Mode, Allowed: "immediate, at-count, on-pps"}
	}
	return p.DataRate.Validate()
}

// TimeOnAir returns the duration of the emission.
func (p *TxPacket) TimeOnAir() (time.Duration, error) {
	return TimeOnAir(p.DataRate, len(p.Payload), p.PreambleLen(), p.ImplicitHeader, !p.NoCRC)
}

// TimeOnAir returns the time on air of a packet of size bytes. LoRa uses
// brocaar/lorawan's airtime (the Semtech design-guide formula); FSK counts
// preamble, 3-byte sync word, length byte, payload and CRC.
func TimeOnAir(d DataRate, size, preamble int, implicitHeader, crc bool) (time.Duration, error) {
	if err := d.Validate(); err != nil {
		return 0, err
	}
	switch d.Modulation {
	case FSK:
		bytes := preamble + 3 + 1 + size
		if crc {
			bytes += 2
		}
		return time.Duration(int64(bytes) * 8 * int64(time.Second) / int64(d.BitRate)), nil
	default:
		// airtime always counts a 16-bit payload CRC; two bytes less
		// payload is exactly the same symbol count without it.
		if !crc {
			size -= 2
		}
		return airtime.CalculateLoRaAirtime(size, int(d.SpreadingFactor), d.Bandwidth.KHz(), preamble,
			airtime.CodingRate(d.CodeRate), !implicitHeader, d.LowDataRateOptimize())
	}
}
