package udp

import (
	"fmt"
	"time"

	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/udp/gwmp"
)

// TimingMode says how a downlink gives its start.
type TimingMode uint8

// Timing modes, as txpk gives them.
const (
	// Immediate: "imme", as soon as every check passes (class C).
	Immediate TimingMode = iota
	// AtCount: "tmst", at a concentrator counter value (class A).
	AtCount
	// AtGPSTime: "tmms", at a GPS time (class B); needs a valid GPS time
	// reference.
	AtGPSTime
)

// String names the mode by its txpk field.
func (m TimingMode) String() string {
	switch m {
	case Immediate:
		return "imme"
	case AtCount:
		return "tmst"
	case AtGPSTime:
		return "tmms"
	}
	return fmt.Sprintf("TimingMode(%d)", uint8(m))
}

// Downlink is a transmission a network server asked for.
type Downlink struct {
	// Packet is what to send; its Trigger is left to the scheduler.
	Packet hal.TxPacket
	// PowerGiven is false when the txpk had no powe: the core then picks
	// the region's power for the frequency.
	PowerGiven bool
	// Timing is when: Count for AtCount, GPSTime for AtGPSTime.
	Timing  TimingMode
	Count   hal.Count
	GPSTime time.Duration
	// Origin names the server ("udp:host:1700/1700").
	Origin string
}

// Minimum preamble lengths; a shorter "prea" is raised to them, as the
// reference forwarder does.
const (
	minLoRaPreamble = 6
	minFSKPreamble  = 3
)

// codeRates maps codr to a coding rate; "2/3" and "1/2" are the
// reference's aliases of 4/6 and 4/8.
var codeRates = map[string]hal.CodeRate{
	"4/5": hal.CR4_5, "4/6": hal.CR4_6, "2/3": hal.CR4_6, "4/7": hal.CR4_7, "4/8": hal.CR4_8, "1/2": hal.CR4_8,
}

// errPower is a requested power outside what any concentrator takes; it
// is answered with TX_POWER rather than as a malformed txpk.
type errPower struct{ dBm int32 }

func (e errPower) Error() string { return fmt.Sprintf("txpk.powe: %d dBm is out of range", e.dBm) }

// downlinkOf maps a txpk to a downlink. Errors name the txpk field.
func downlinkOf(t gwmp.TXPK) (Downlink, error) {
	var d Downlink
	p := &d.Packet
	p.Payload, p.Frequency, p.RFChain = t.Data, uint32(t.Freq), t.RFCh
	if t.Powe != nil {
		if *t.Powe < -128 || *t.Powe > 127 {
			return d, errPower{*t.Powe}
		}
		p.Power, d.PowerGiven = int8(*t.Powe), true
	}
	p.InvertIQ, p.NoCRC, p.ImplicitHeader = t.IPol, t.NCRC, t.NHdr
	switch t.Modu {
	case "LORA":
		cr, ok := codeRates[t.CodR]
		if !ok {
			return d, fmt.Errorf("txpk.codr: %q: want 4/5, 4/6, 4/7 or 4/8", t.CodR)
		}
		dr, err := hal.ParseDatr(t.DatR.LoRa, cr)
		if err != nil {
			return d, fmt.Errorf("txpk.datr: %w", err)
		}
		p.DataRate = dr
		if t.Prea != nil {
			p.Preamble = max(*t.Prea, minLoRaPreamble)
		}
	case "FSK":
		if t.FDev == nil {
			return d, fmt.Errorf("txpk.fdev: missing (FSK)")
		}
		p.DataRate = hal.FSKRate(t.DatR.FSK, *t.FDev)
		if t.Prea != nil {
			p.Preamble = max(*t.Prea, minFSKPreamble)
		}
	default:
		return d, fmt.Errorf("txpk.modu: %q: want LORA or FSK", t.Modu)
	}
	if err := p.Validate(); err != nil {
		return d, fmt.Errorf("txpk: %w", err)
	}
	switch {
	case t.Imme:
		d.Timing = Immediate
	case t.Tmst != nil:
		d.Timing, d.Count = AtCount, hal.Count(*t.Tmst)
	default:
		d.Timing, d.GPSTime = AtGPSTime, time.Duration(*t.Tmms)*time.Millisecond
	}
	return d, nil
}

// ackError is the TX_ACK error name of an lgw refusal code. The eight
// names of the protocol are lgw's own codes; a full queue is a packet
// collision, as the reference reports it; lgw's other refusals
// (DUTY_CYCLE, DWELL_TIME, PAYLOAD_SIZE, TX_FAILED) keep their names.
func ackError(code string) string {
	if code == "QUEUE_FULL" {
		return gwmp.AckCollisionPacket
	}
	return code
}
