package udp

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"

	"github.com/lgwagent/lgw/apierr"
	"github.com/lgwagent/lgw/gateway"
	"github.com/lgwagent/lgw/udp/gwmp"
)

// codeRates maps codr to the core's coding rate; "2/3" and "1/2" are the
// reference's aliases of 4/6 and 4/8.
var codeRates = map[string]string{"4/5": "4/5", "4/6": "4/6", "2/3": "4/6", "4/7": "4/7", "4/8": "4/8", "1/2": "4/8"}

// Minimum preamble lengths; a shorter "prea" is raised to them, as the
// reference forwarder does.
const (
	minLoRaPreamble = 6
	minFSKPreamble  = 3
)

// downlinkOf maps a txpk to the core's SendDownlink input (docs/udp.md
// lists every field). Errors name the txpk field.
func downlinkOf(t gwmp.TXPK) (gateway.SendDownlinkInput, error) {
	chain, invert := int(t.RFCh), t.IPol
	in := gateway.SendDownlinkInput{PHYPayload: base64.StdEncoding.EncodeToString(t.Data), Frequency: uint32(t.Freq),
		RfChain: &chain, InvertIQ: &invert, Radio: &gateway.RadioOptions{CRC: !t.NCRC, ImplicitHeader: t.NHdr}}
	if t.Powe != nil {
		p := int(*t.Powe)
		in.Power = &p
	}
	switch t.Modu {
	case "LORA":
		cr, ok := codeRates[t.CodR]
		if !ok {
			return in, fmt.Errorf("txpk.codr: %q: want 4/5, 4/6, 4/7 or 4/8", t.CodR)
		}
		in.Datr, in.CodeRate = t.DatR.LoRa, cr
		if t.Prea != nil {
			in.Radio.Preamble = max(*t.Prea, minLoRaPreamble)
		}
	case "FSK":
		if t.FDev == nil {
			return in, errors.New("txpk.fdev: missing (FSK)")
		}
		in.Datr = strconv.FormatUint(uint64(t.DatR.FSK), 10)
		in.Radio.FreqDeviation = *t.FDev
		if t.Prea != nil {
			in.Radio.Preamble = max(*t.Prea, minFSKPreamble)
		}
	default:
		return in, fmt.Errorf("txpk.modu: %q: want LORA or FSK", t.Modu)
	}
	switch {
	case t.Imme:
		in.Timing.Immediate = true
	case t.Tmst != nil:
		tmst := *t.Tmst
		in.Timing.Tmst = &tmst
	default:
		ms := int64(*t.Tmms)
		if ms < 0 {
			return in, fmt.Errorf("txpk.tmms: %d: out of range", *t.Tmms)
		}
		in.Timing.GPSTime = &ms
	}
	return in, nil
}

// ackError is the TX_ACK error name of an lgw refusal code. The eight
// names of the protocol are lgw's own codes; a full queue is a packet
// collision, as the reference reports it; lgw's other refusals
// (DUTY_CYCLE, DWELL_TIME, PAYLOAD_SIZE, TX_FAILED) keep their names.
func ackError(code gateway.Code) string {
	if code == "QUEUE_FULL" {
		return gwmp.AckCollisionPacket
	}
	return string(code)
}

// invalidAck is the TX_ACK error for an input the core refused as
// invalid: a power or frequency no transmitter takes is TX_POWER or
// TX_FREQ; anything else is not answered (like a malformed txpk).
func invalidAck(err error) (string, bool) {
	var ae *apierr.Error
	if !errors.As(err, &ae) {
		return "", false
	}
	switch ae.Field {
	case "Power":
		return gwmp.AckTxPower, true
	case "Frequency":
		return gwmp.AckTxFreq, true
	}
	return "", false
}
