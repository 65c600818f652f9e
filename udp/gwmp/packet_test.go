package gwmp

import (
	"bytes"
	"errors"
	"testing"
)

var eui = EUI{0xaa, 0x55, 0x5a, 0x00, 0x00, 0x00, 0x00, 0x01}

func TestDecodeHeader(t *testing.T) {
	hdr := func(typ byte, rest ...byte) []byte {
		return append([]byte{2, 0x12, 0x34, typ}, rest...)
	}
	withEUI := func(typ byte, rest ...byte) []byte { return hdr(typ, append(eui[:], rest...)...) }
	tests := []struct {
		name string
		in   []byte
		want Packet
		err  error
	}{
		{"push ack", hdr(1), Packet{Type: PushAck, Token: 0x1234}, nil},
		{"pull ack", hdr(4), Packet{Type: PullAck, Token: 0x1234}, nil},
		{"pull resp", hdr(3, '{', '}'), Packet{Type: PullResp, Token: 0x1234, JSON: []byte("{}")}, nil},
		{"push data", withEUI(0, '{', '}'), Packet{Type: PushData, Token: 0x1234, EUI: eui, JSON: []byte("{}")}, nil},
		{"pull data", withEUI(2), Packet{Type: PullData, Token: 0x1234, EUI: eui}, nil},
		{"tx ack without json", withEUI(5), Packet{Type: TxAck, Token: 0x1234, EUI: eui}, nil},
		{"empty", nil, Packet{}, ErrShort},
		{"three bytes", []byte{2, 0, 0}, Packet{}, ErrShort},
		{"version 1", []byte{1, 0, 0, 1}, Packet{}, ErrVersion},
		{"version 3", []byte{3, 0, 0, 1}, Packet{}, ErrVersion},
		{"type 6", hdr(6), Packet{}, ErrType},
		{"push data without eui", hdr(0, 1, 2, 3), Packet{}, ErrShort},
		{"pull resp without json", hdr(3), Packet{}, ErrJSON},
		{"push data without json", withEUI(0), Packet{}, ErrJSON},
		{"ack with trailing bytes", hdr(1, 0), Packet{}, ErrShort},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode(tt.in)
			if !errors.Is(err, tt.err) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			if err != nil {
				var de *DecodeError
				if !errors.As(err, &de) || de.Field == "" {
					t.Fatalf("error %v does not name a field", err)
				}
				return
			}
			if got.Type != tt.want.Type || got.Token != tt.want.Token || got.EUI != tt.want.EUI || !bytes.Equal(got.JSON, tt.want.JSON) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
			if enc := got.Encode(); !bytes.Equal(enc, tt.in) {
				t.Fatalf("re-encoded % x, want % x", enc, tt.in)
			}
		})
	}
}

func TestTypeNames(t *testing.T) {
	want := []string{"PUSH_DATA", "PUSH_ACK", "PULL_DATA", "PULL_RESP", "PULL_ACK", "TX_ACK", "Type(6)"}
	for i, w := range want {
		if got := Type(i).String(); got != w {
			t.Errorf("Type(%d) = %q, want %q", i, got, w)
		}
	}
	if got := eui.String(); got != "aa555a0000000001" {
		t.Errorf("EUI %q", got)
	}
}
