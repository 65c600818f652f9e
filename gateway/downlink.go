package gateway

import (
	"fmt"
	"time"

	"github.com/lgwagent/lgw/apierr"
	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/region"
	"github.com/lgwagent/lgw/scheduler"
	"github.com/lgwagent/lgw/strictjson"
)

// MaxGPSTimeMillis bounds Timing.GPSTime before it is converted to a
// duration (2^42 ms after the GPS epoch is in 2119; a larger int64 would
// overflow time.Duration).
const MaxGPSTimeMillis = 1 << 42

// SendDownlinkInput is the body of SendDownlink: a ready PHYPayload from a
// network server with its radio settings and timing.
type SendDownlinkInput struct {
	// PHYPayload is the frame, base64, 1 to 255 bytes.
	PHYPayload string `json:"PHYPayload"`
	// Frequency is the centre frequency in Hz.
	Frequency uint32 `json:"Frequency"`
	// DataRate is the region's data-rate index; Datr ("SF9BW125", or an
	// FSK bit rate "50000") is the alternative. Exactly one is given.
	DataRate *int   `json:"DataRate,omitempty"`
	Datr     string `json:"Datr,omitempty"`
	// CodeRate goes with Datr: "4/5" (default) to "4/8".
	CodeRate string `json:"CodeRate,omitempty"`
	// Power is the RF power in dBm; omitted: the agent's default.
	Power *int `json:"Power,omitempty"`
	// RfChain is the radio to use (default 0).
	RfChain *int `json:"RfChain,omitempty"`
	// InvertIQ inverts the chirps (default true, as LoRaWAN downlinks).
	InvertIQ *bool `json:"InvertIQ,omitempty"`
	// Class is "A", "B" or "C" (priority and duty-cycle ceiling); default
	// A for Tmst, B for GPSTime, C for Immediate.
	Class string `json:"Class,omitempty"`
	// Timing is when: exactly one of its fields.
	Timing DownlinkTiming `json:"Timing"`
	// Radio carries the settings only Semtech's UDP protocol gives (txpk
	// prea, ncrc, nhdr, fdev); nil keeps the LoRaWAN downlink defaults.
	// Not part of the MQTT API.
	Radio *RadioOptions `json:"-"`
}

// RadioOptions are the low-level radio settings of a downlink.
type RadioOptions struct {
	// Preamble is the preamble length (0: the default, 8 LoRa, 5 FSK).
	Preamble uint16
	// CRC sends a payload CRC (LoRaWAN downlinks have none).
	CRC bool
	// ImplicitHeader sends no LoRa header.
	ImplicitHeader bool
	// FreqDeviation is the FSK frequency deviation in Hz (0: half the
	// bit rate).
	FreqDeviation uint32
}

// DownlinkTiming is the start of a SendDownlink frame.
type DownlinkTiming struct {
	// Tmst is the concentrator counter value of the start (class A: the
	// uplink's tmst plus the RX1/RX2 delay).
	Tmst *uint32 `json:"Tmst,omitempty"`
	// GPSTime is the start in milliseconds since the GPS epoch (class B);
	// it needs a locked time reference.
	GPSTime *int64 `json:"GPSTime,omitempty"`
	// Immediate sends as soon as every check passes (class C).
	Immediate bool `json:"Immediate,omitempty"`
}

// Request validates the input against the region and returns the
// scheduler request it describes. Ref, Origin and Done are left for the
// caller;
// defaultPower applies when Power is omitted. Errors are
// ValidationExceptions naming the field.
func (in SendDownlinkInput) Request(reg *region.Region, defaultPower int8) (scheduler.Request, error) {
	var req scheduler.Request
	phy, err := in.payload()
	if err != nil {
		return req, err
	}
	if err := in.checkFrequency(); err != nil {
		return req, err
	}
	dr, err := in.dataRate(reg)
	if err != nil {
		return req, err
	}
	power, chain, invert, err := in.radio(defaultPower)
	if err != nil {
		return req, err
	}
	if req.Timing, req.Class, err = in.Timing.timing(); err != nil {
		return req, err
	}
	if req.Class, err = in.class(req.Class); err != nil {
		return req, err
	}
	req.Packet = hal.TxPacket{Payload: phy, Frequency: in.Frequency, RFChain: uint8(chain), Power: power,
		DataRate: dr, InvertIQ: invert, NoCRC: true}
	in.Radio.apply(&req.Packet)
	if err := req.Packet.Validate(); err != nil {
		return req, apierr.Newf(apierr.Validation, "", "%v", err)
	}
	return req, nil
}

// apply sets the radio options on p; nil changes nothing.
func (r *RadioOptions) apply(p *hal.TxPacket) {
	if r == nil {
		return
	}
	p.Preamble, p.NoCRC, p.ImplicitHeader = r.Preamble, !r.CRC, r.ImplicitHeader
	if p.DataRate.Modulation == hal.FSK && r.FreqDeviation != 0 {
		p.DataRate.FreqDeviation = r.FreqDeviation
	}
}

// payload decodes PHYPayload.
func (in SendDownlinkInput) payload() ([]byte, error) {
	phy, err := strictjson.Base64("PHYPayload", in.PHYPayload)
	if err != nil {
		return nil, err
	}
	if err := checkPayload("PHYPayload", phy); err != nil {
		return nil, err
	}
	return phy, nil
}

// checkFrequency refuses a missing frequency or one not in Hz.
func (in SendDownlinkInput) checkFrequency() error {
	if in.Frequency == 0 {
		return apierr.Newf(apierr.Validation, "Frequency", "required, in Hz")
	}
	if in.Frequency < 100_000_000 || in.Frequency > 1_100_000_000 {
		return apierr.Newf(apierr.Validation, "Frequency", "%d Hz: want a frequency in Hz (100 MHz to 1.1 GHz)", in.Frequency)
	}
	return nil
}

// dataRate reads DataRate (a region index) or Datr with CodeRate: exactly
// one of them.
func (in SendDownlinkInput) dataRate(reg *region.Region) (hal.DataRate, error) {
	switch {
	case in.DataRate != nil && in.Datr != "":
		return hal.DataRate{}, apierr.Newf(apierr.Validation, "DataRate", "give DataRate or Datr, not both")
	case in.DataRate != nil:
		if in.CodeRate != "" {
			return hal.DataRate{}, apierr.Newf(apierr.Validation, "CodeRate", "goes with Datr only")
		}
		dr, err := reg.DataRate(*in.DataRate)
		if err != nil {
			return hal.DataRate{}, apierr.Newf(apierr.Validation, "DataRate", "%v", err)
		}
		return dr, nil
	case in.Datr != "":
		cr := hal.CR4_5
		if in.CodeRate != "" {
			var err error
			if cr, err = hal.ParseCodeRate(in.CodeRate); err != nil {
				return hal.DataRate{}, apierr.Newf(apierr.Validation, "CodeRate", "%v", err)
			}
		}
		dr, err := hal.ParseDatr(in.Datr, cr)
		if err != nil {
			return hal.DataRate{}, apierr.Newf(apierr.Validation, "Datr", "%v", err)
		}
		return dr, nil
	}
	return hal.DataRate{}, apierr.Newf(apierr.Validation, "DataRate", "required: DataRate (index) or Datr")
}

// radio reads Power (default defaultPower), RfChain (default 0) and
// InvertIQ (default true).
func (in SendDownlinkInput) radio(defaultPower int8) (power int8, chain int, invert bool, err error) {
	power, invert = defaultPower, true
	if in.Power != nil {
		if err := checkPower("Power", *in.Power); err != nil {
			return 0, 0, false, err
		}
		power = int8(*in.Power)
	}
	if in.RfChain != nil {
		if *in.RfChain < 0 || *in.RfChain > 1 {
			return 0, 0, false, apierr.Newf(apierr.Validation, "RfChain", "%d: want 0 or 1", *in.RfChain)
		}
		chain = *in.RfChain
	}
	if in.InvertIQ != nil {
		invert = *in.InvertIQ
	}
	return power, chain, invert, nil
}

// timing reads the one timing given and the class it implies.
func (t DownlinkTiming) timing() (scheduler.Timing, scheduler.Class, error) {
	var tm scheduler.Timing
	var class scheduler.Class
	n := 0
	if t.Tmst != nil {
		n++
		tm, class = scheduler.Timing{Mode: scheduler.AtCount, Count: hal.Count(*t.Tmst)}, scheduler.ClassA
	}
	if t.GPSTime != nil {
		n++
		if *t.GPSTime <= 0 || *t.GPSTime > MaxGPSTimeMillis {
			return tm, class, apierr.Newf(apierr.Validation, "Timing.GPSTime", "%d: want milliseconds since the GPS epoch, 1 to %d",
				*t.GPSTime, int64(MaxGPSTimeMillis))
		}
		tm = scheduler.Timing{Mode: scheduler.AtGPSTime, GPSTime: time.Duration(*t.GPSTime) * time.Millisecond}
		class = scheduler.ClassB
	}
	if t.Immediate {
		n++
		tm, class = scheduler.Timing{Mode: scheduler.ASAP}, scheduler.ClassC
	}
	if n != 1 {
		return tm, class, apierr.Newf(apierr.Validation, "Timing", "give exactly one of Tmst, GPSTime, Immediate (got %d)", n)
	}
	return tm, class, nil
}

// class applies Class over the class the timing implies.
func (in SendDownlinkInput) class(implied scheduler.Class) (scheduler.Class, error) {
	switch in.Class {
	case "":
		return implied, nil
	case "A":
		return scheduler.ClassA, nil
	case "B":
		return scheduler.ClassB, nil
	case "C":
		return scheduler.ClassC, nil
	}
	return implied, apierr.Newf(apierr.Validation, "Class", "%q: want A, B or C", in.Class)
}

// SendDownlinkOutput answers SendDownlink.
type SendDownlinkOutput struct {
	MessageId string `json:"MessageId"`
	// Refusal is the scheduler's refusal when the frame was not admitted
	// (nil: queued). The outcome is reported on the event stream either
	// way; this lets an adapter that acknowledges at once (Semtech UDP
	// TX_ACK) answer without waiting for the report.
	Refusal error `json:"-"`
	// Power is the power the frame will be sent at when queued: the
	// request's, or the gain-table entry below it, or the clamped power
	// (scheduler.power_policy "clamp").
	Power int8 `json:"-"`
}

// String summarises the input for logs (no payload).
func (in SendDownlinkInput) String() string {
	return fmt.Sprintf("SendDownlink %d Hz dr=%v datr=%q", in.Frequency, in.DataRate, in.Datr)
}
