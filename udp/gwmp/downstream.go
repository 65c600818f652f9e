package gwmp

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// TXPK is a packet to emit, as PULL_RESP carries it. Optional fields are
// pointers; DecodeTxpk leaves nil what the server left out.
type TXPK struct {
	// Imme sends as soon as possible (tmst and tmms ignored).
	Imme bool `json:"imme,omitempty"`
	// Tmst is the concentrator counter of the start (class A).
	Tmst *uint32 `json:"tmst,omitempty"`
	// Tmms is the start in ms since the GPS epoch (class B).
	Tmms *uint64 `json:"tmms,omitempty"`
	Freq MHz     `json:"freq"`
	RFCh uint8   `json:"rfch"`
	// Powe is the RF power in dBm.
	Powe *int32   `json:"powe,omitempty"`
	Modu string   `json:"modu"`
	DatR DataRate `json:"datr"`
	CodR string   `json:"codr,omitempty"`
	// FDev is the FSK frequency deviation in Hz.
	FDev *uint32 `json:"fdev,omitempty"`
	// IPol inverts the LoRa chirps (LoRaWAN downlinks).
	IPol bool `json:"ipol"`
	// Prea is the preamble length (symbols for LoRa, bytes for FSK).
	Prea *uint16 `json:"prea,omitempty"`
	// Size is the payload length; it must match Data when given.
	Size *uint16 `json:"size,omitempty"`
	Data Data    `json:"data"`
	// NCRC sends no payload CRC; NHdr sends no LoRa header.
	NCRC bool `json:"ncrc,omitempty"`
	NHdr bool `json:"nhdr,omitempty"`
}

// txpkFields lists, for each key DecodeTxpk reads, where it goes;
// unknown keys (brd, ant, ...) are ignored, as the reference does.
func (t *TXPK) fields() map[string]any {
	return map[string]any{
		"imme": &t.Imme, "tmst": &t.Tmst, "tmms": &t.Tmms, "freq": &t.Freq, "rfch": &t.RFCh, "powe": &t.Powe,
		"modu": &t.Modu, "datr": &t.DatR, "codr": &t.CodR, "fdev": &t.FDev, "ipol": &t.IPol, "prea": &t.Prea,
		"size": &t.Size, "data": &t.Data, "ncrc": &t.NCRC, "nhdr": &t.NHdr,
	}
}

// Downstream is the JSON object of a PULL_RESP datagram.
type Downstream struct {
	TXPK TXPK `json:"txpk"`
}

// Encode returns the JSON object (the server's side: tests and tools).
func (p Downstream) Encode() ([]byte, error) { return json.Marshal(p) }

// DecodeTxpk parses the JSON of a PULL_RESP datagram. It checks types
// and the fields every transmission needs (freq, modu, datr, data; codr
// for LoRa; size against data; a start: imme, tmst or tmms); an error
// names the field as "txpk.<name>".
func DecodeTxpk(b []byte) (TXPK, error) {
	var root map[string]json.RawMessage
	if err := json.Unmarshal(b, &root); err != nil {
		return TXPK{}, &DecodeError{Kind: ErrJSON, Field: "json", Msg: "not a JSON object: " + err.Error()}
	}
	raw, ok := root["txpk"]
	if !ok {
		return TXPK{}, &DecodeError{Kind: ErrJSON, Field: "txpk", Msg: "missing"}
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return TXPK{}, &DecodeError{Kind: ErrJSON, Field: "txpk", Msg: "want an object"}
	}
	var t TXPK
	for k, dst := range t.fields() {
		v, ok := obj[k]
		if !ok || bytes.Equal(v, []byte("null")) {
			continue
		}
		if err := json.Unmarshal(v, dst); err != nil {
			return TXPK{}, fieldErr(k, "%s", typeMsg(err))
		}
	}
	return t, t.check(obj)
}

func (t *TXPK) check(obj map[string]json.RawMessage) error {
	for _, k := range []string{"freq", "modu", "datr", "data"} {
		if _, ok := obj[k]; !ok {
			return fieldErr(k, "missing")
		}
	}
	switch t.Modu {
	case "LORA":
		if t.DatR.LoRa == "" {
			return fieldErr("datr", "%s: LORA wants an identifier like \"SF7BW125\"", t.DatR)
		}
		if t.CodR == "" {
			return fieldErr("codr", "missing (LORA)")
		}
	case "FSK":
		if t.DatR.FSK == 0 {
			return fieldErr("datr", "%q: FSK wants a bit rate number", t.DatR.LoRa)
		}
	default:
		return fieldErr("modu", "%q: want LORA or FSK", t.Modu)
	}
	if t.Size != nil && int(*t.Size) != len(t.Data) {
		return fieldErr("size", "%d, but data holds %d bytes", *t.Size, len(t.Data))
	}
	if !t.Imme && t.Tmst == nil && t.Tmms == nil {
		return fieldErr("tmst", "missing: give imme, tmst or tmms")
	}
	return nil
}

func fieldErr(k, format string, args ...any) error {
	return &DecodeError{Kind: ErrJSON, Field: "txpk." + k, Msg: fmt.Sprintf(format, args...)}
}

// typeMsg shortens encoding/json's type errors to what was wrong.
func typeMsg(err error) string {
	if te, ok := err.(*json.UnmarshalTypeError); ok {
		return fmt.Sprintf("%s value where %s is wanted", te.Value, te.Type)
	}
	return err.Error()
}

// TX_ACK error and warning names (PROTOCOL.TXT §6, sx1302_hal v1.5+).
const (
	AckNone            = "NONE"
	AckTooLate         = "TOO_LATE"
	AckTooEarly        = "TOO_EARLY"
	AckCollisionPacket = "COLLISION_PACKET"
	AckCollisionBeacon = "COLLISION_BEACON"
	AckTxFreq          = "TX_FREQ"
	AckTxPower         = "TX_POWER"
	AckGPSUnlocked     = "GPS_UNLOCKED"
)

// TxAckInfo is the txpk_ack object: Error names a refusal (or NONE);
// Warn names a limitation of an accepted packet (TX_POWER) and Value
// says what was used instead (the power in dBm).
type TxAckInfo struct {
	Error string `json:"error,omitempty"`
	Warn  string `json:"warn,omitempty"`
	Value *int32 `json:"value,omitempty"`
}

type txAckRoot struct {
	TxpkAck TxAckInfo `json:"txpk_ack"`
}

// Encode returns the JSON object of a TX_ACK datagram.
func (a TxAckInfo) Encode() ([]byte, error) { return json.Marshal(txAckRoot{a}) }

// DecodeTxAck parses the JSON of a TX_ACK datagram; an empty JSON means
// no error (PROTOCOL.TXT §5.5) and gives Error NONE.
func DecodeTxAck(b []byte) (TxAckInfo, error) {
	if len(b) == 0 {
		return TxAckInfo{Error: AckNone}, nil
	}
	var r struct {
		TxpkAck *TxAckInfo `json:"txpk_ack"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return TxAckInfo{}, &DecodeError{Kind: ErrJSON, Field: "txpk_ack", Msg: typeMsg(err)}
	}
	if r.TxpkAck == nil {
		return TxAckInfo{}, &DecodeError{Kind: ErrJSON, Field: "txpk_ack", Msg: "missing"}
	}
	return *r.TxpkAck, nil
}
