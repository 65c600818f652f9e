package gwmp

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzDecode feeds arbitrary datagrams to every decoder the gateway and
// the test server use: none may panic, a datagram that decodes re-encodes
// to the same bytes, and a txpk that decodes survives a round trip
// through its own encoding.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		"\x02\x12\x34\x01",
		"\x02\x12\x34\x04",
		"\x02\x12\x34\x03" + `{"txpk":{"imme":true,"freq":868.1,"rfch":0,"powe":14,"modu":"LORA","datr":"SF7BW125","codr":"4/5","ipol":true,"size":3,"data":"AQID"}}`,
		"\x02\x12\x34\x03" + `{"txpk":{"tmms":1300000000000,"freq":869.525,"modu":"FSK","datr":50000,"fdev":25000,"data":"AQ"}}`,
		"\x02\x12\x34\x00\xaa\x55\x5a\x00\x00\x00\x00\x01" + `{"rxpk":[{"tmst":1,"chan":0,"rfch":0,"freq":868.1,"stat":1,"modu":"LORA","datr":"SF7BW125","codr":"4/5","rssi":-50,"size":1,"data":"AA=="}]}`,
		"\x02\x12\x34\x05\xaa\x55\x5a\x00\x00\x00\x00\x01" + `{"txpk_ack":{"warn":"TX_POWER","value":14}}`,
		"\x02\x12\x34\x02\xaa\x55\x5a\x00\x00\x00\x00\x01",
		"\x01\x00\x00\x03{}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := Decode(b)
		if err != nil {
			return
		}
		if enc := p.Encode(); !bytes.Equal(enc, b) {
			t.Fatalf("re-encoded % x, want % x", enc, b)
		}
		switch p.Type {
		case PullResp:
			tx, err := DecodeTxpk(p.JSON)
			if err != nil {
				return
			}
			again, err := Downstream{TXPK: tx}.Encode()
			if err != nil {
				t.Fatalf("encode decoded txpk: %v", err)
			}
			tx2, err := DecodeTxpk(again)
			if err != nil {
				t.Fatalf("own encoding %s refused: %v", again, err)
			}
			a, _ := json.Marshal(tx)
			c, _ := json.Marshal(tx2)
			if !bytes.Equal(a, c) {
				t.Fatalf("round trip changed the txpk:\n%s\n%s", a, c)
			}
		case PushData:
			_, _ = DecodeUpstream(p.JSON)
		case TxAck:
			_, _ = DecodeTxAck(p.JSON)
		}
	})
}
