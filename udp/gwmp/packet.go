// Package gwmp is the wire format of Semtech's UDP packet-forwarder
// protocol (GWMP, protocol version 2, PROTOCOL.TXT of Lora-net's
// packet_forwarder and sx1302_hal): the datagram header and the JSON
// objects rxpk, stat, txpk and txpk_ack. It knows nothing of lgw's
// packets; package udp maps between the two.
//
// Every decoder returns a typed error for malformed input and never
// panics: datagrams come from the network.
package gwmp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
)

// Version is the protocol version lgw speaks; datagrams of another
// version are refused (ErrVersion).
const Version = 2

// Type is the identifier in byte 3 of every datagram.
type Type uint8

// Datagram types.
const (
	PushData Type = 0 // gateway → server: rxpk and stat
	PushAck  Type = 1 // server → gateway: PUSH_DATA received
	PullData Type = 2 // gateway → server: keepalive, opens the downstream route
	PullResp Type = 3 // server → gateway: txpk
	PullAck  Type = 4 // server → gateway: PULL_DATA received
	TxAck    Type = 5 // gateway → server: outcome of a PULL_RESP
)

// String names the type as the protocol does ("PUSH_DATA").
func (t Type) String() string {
	switch t {
	case PushData:
		return "PUSH_DATA"
	case PushAck:
		return "PUSH_ACK"
	case PullData:
		return "PULL_DATA"
	case PullResp:
		return "PULL_RESP"
	case PullAck:
		return "PULL_ACK"
	case TxAck:
		return "TX_ACK"
	}
	return "Type(" + strconv.Itoa(int(t)) + ")"
}

// hasEUI reports whether the type carries the gateway EUI in bytes 4-11.
func (t Type) hasEUI() bool { return t == PushData || t == PullData || t == TxAck }

// hasJSON reports whether the type may carry a JSON object after its
// header.
func (t Type) hasJSON() bool { return t == PushData || t == PullResp || t == TxAck }

// EUI is the 64-bit gateway identifier of the header, most significant
// byte first.
type EUI [8]byte

// String returns 16 lowercase hex digits.
func (e EUI) String() string { return fmt.Sprintf("%016x", e[:]) }

// Packet is one datagram.
type Packet struct {
	Type Type
	// Token pairs an acknowledgement with what it acknowledges.
	Token uint16
	// EUI is the gateway (PUSH_DATA, PULL_DATA, TX_ACK).
	EUI EUI
	// JSON is the object after the header (PUSH_DATA, PULL_RESP, TX_ACK;
	// empty in a TX_ACK that reports no error).
	JSON []byte
}

// Errors of Decode, for errors.Is.
var (
	ErrShort   = errors.New("gwmp: datagram too short")
	ErrVersion = errors.New("gwmp: unsupported protocol version")
	ErrType    = errors.New("gwmp: unknown datagram type")
	ErrJSON    = errors.New("gwmp: malformed JSON")
)

// DecodeError says what is wrong with a datagram and where.
type DecodeError struct {
	// Kind is one of ErrShort, ErrVersion, ErrType, ErrJSON.
	Kind error
	// Field names the header byte or JSON field ("version", "txpk.freq").
	Field string
	// Msg says what was found and what is allowed.
	Msg string
}

// Error implements error.
func (e *DecodeError) Error() string {
	return fmt.Sprintf("%v: %s: %s", e.Kind, e.Field, e.Msg)
}

// Unwrap returns the kind.
func (e *DecodeError) Unwrap() error { return e.Kind }

func headerLen(t Type) int {
	if t.hasEUI() {
		return 12
	}
	return 4
}

// Decode parses a datagram's header. The JSON is returned as is (not
// copied); decode it with DecodeUpstream, DecodeTxpk or DecodeTxAck.
func Decode(b []byte) (Packet, error) {
	if len(b) < 4 {
		return Packet{}, &DecodeError{Kind: ErrShort, Field: "header", Msg: fmt.Sprintf("%d bytes, want at least 4", len(b))}
	}
	if b[0] != Version {
		return Packet{}, &DecodeError{Kind: ErrVersion, Field: "version", Msg: fmt.Sprintf("%d, want %d", b[0], Version)}
	}
	p := Packet{Token: binary.BigEndian.Uint16(b[1:3]), Type: Type(b[3])}
	if p.Type > TxAck {
		return Packet{}, &DecodeError{Kind: ErrType, Field: "type", Msg: fmt.Sprintf("0x%02x, want 0x00 to 0x05", b[3])}
	}
	n := headerLen(p.Type)
	if len(b) < n {
		return Packet{}, &DecodeError{Kind: ErrShort, Field: "eui", Msg: fmt.Sprintf("%s of %d bytes, want at least %d", p.Type, len(b), n)}
	}
	if p.Type.hasEUI() {
		copy(p.EUI[:], b[4:12])
	}
	rest := b[n:]
	switch {
	case p.Type.hasJSON():
		if len(rest) > 0 {
			p.JSON = rest
		} else if p.Type != TxAck {
			return Packet{}, &DecodeError{Kind: ErrJSON, Field: "json", Msg: p.Type.String() + " without a JSON object"}
		}
	case len(rest) > 0:
		return Packet{}, &DecodeError{Kind: ErrShort, Field: "length", Msg: fmt.Sprintf("%s of %d bytes, want %d", p.Type, len(b), n)}
	}
	return p, nil
}

// Append appends the encoded datagram to dst.
func (p Packet) Append(dst []byte) []byte {
	dst = append(dst, Version, byte(p.Token>>8), byte(p.Token), byte(p.Type))
	if p.Type.hasEUI() {
		dst = append(dst, p.EUI[:]...)
	}
	if p.Type.hasJSON() {
		dst = append(dst, p.JSON...)
	}
	return dst
}

// Encode returns the encoded datagram.
func (p Packet) Encode() []byte { return p.Append(nil) }
