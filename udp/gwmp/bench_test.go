package gwmp

import (
	"testing"
	"time"
)

// BenchmarkEncodeRXPK is the per-uplink cost of PUSH_DATA's JSON.
func BenchmarkEncodeRXPK(b *testing.B) {
	tm := RxTime(time.Date(2026, 11, 21, 12, 0, 0, 50000000, time.UTC))
	tmms, rssis, foff, lsnr := uint64(1479297618050), int32(-104), int32(612), Tenth(-4.3)
	up := Upstream{RXPK: []RXPK{{Time: &tm, Tmms: &tmms, Tmst: 50000, Chan: 2, RFCh: 1, Freq: 868500000, Stat: 1,
		Modu: "LORA", DatR: DataRate{LoRa: "SF10BW125"}, CodR: "4/5", RSSI: -101, RSSIS: &rssis, LSNR: &lsnr,
		Foff: &foff, Size: 23, Data: make(Data, 23)}}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := up.Encode(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodePullResp is the cost of reading one PULL_RESP.
func BenchmarkDecodePullResp(b *testing.B) {
	d := Packet{Type: PullResp, Token: 1, JSON: []byte(`{"txpk":{"tmst":1050000,"freq":868.1,"rfch":0,"powe":14,"modu":"LORA","datr":"SF7BW125","codr":"4/5","ipol":true,"size":12,"data":"YAECAwQAAAABAgME"}}`)}.Encode()
	b.ReportAllocs()
	for b.Loop() {
		p, err := Decode(d)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := DecodeTxpk(p.JSON); err != nil {
			b.Fatal(err)
		}
	}
}
