package gwmp

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestEncodeRXPK(t *testing.T) {
	tm := RxTime(time.Date(2013, 3, 31, 16, 21, 17, 528002000, time.UTC))
	tmms, ftime := uint64(1048782095528), uint32(85224290)
	rssis, foff, lsnr := int32(-36), int32(-1250), Tenth(5.1)
	up := Upstream{RXPK: []RXPK{{
		Time: &tm, Tmms: &tmms, Tmst: 3512348611, FTime: &ftime, Chan: 2, RFCh: 0, Freq: 866349812, Stat: 1,
		Modu: "LORA", DatR: DataRate{LoRa: "SF7BW125"}, CodR: "4/6", RSSI: -35, RSSIS: &rssis, LSNR: &lsnr,
		Foff: &foff, Size: 3, Data: Data{1, 2, 3},
	}, {
		Tmst: 3512348514, Chan: 9, RFCh: 1, Freq: 869100000, Stat: -1, Modu: "FSK", DatR: DataRate{FSK: 50000},
		RSSI: -75, Size: 1, Data: Data{0xff},
	}}}
	b, err := up.Encode()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"rxpk":[{"time":"2013-03-31T16:21:17.528002Z","tmms":1048782095528,"tmst":3512348611,"ftime":85224290,` +
		`"chan":2,"rfch":0,"freq":866.349812,"stat":1,"modu":"LORA","datr":"SF7BW125","codr":"4/6","rssi":-35,` +
		`"rssis":-36,"lsnr":5.1,"foff":-1250,"size":3,"data":"AQID"},` +
		`{"tmst":3512348514,"chan":9,"rfch":1,"freq":869.100000,"stat":-1,"modu":"FSK","datr":50000,"rssi":-75,"size":1,"data":"/w=="}]}`
	if string(b) != want {
		t.Fatalf("got\n%s\nwant\n%s", b, want)
	}
	back, err := DecodeUpstream(b)
	if err != nil {
		t.Fatal(err)
	}
	if back.RXPK[0].Freq != 866349812 || *back.RXPK[0].FTime != ftime || back.RXPK[1].DatR.FSK != 50000 ||
		!time.Time(*back.RXPK[0].Time).Equal(time.Time(tm)) {
		t.Fatalf("decoded back %+v", back.RXPK)
	}
}

func TestEncodeStat(t *testing.T) {
	lat, lon, alt := Degrees(46.24), Degrees(3.2523), int32(145)
	st := Stat{Time: StatTime(time.Date(2014, 1, 12, 8, 59, 28, 0, time.UTC)), Lati: &lat, Long: &lon, Alti: &alt,
		RxNb: 2, RxOK: 2, RxFw: 2, ACKR: 100, DwNb: 2, TxNb: 2}
	b, err := Upstream{Stat: &st}.Encode()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"stat":{"time":"2014-01-12 08:59:28 GMT","lati":46.24000,"long":3.25230,"alti":145,"rxnb":2,"rxok":2,"rxfw":2,"ackr":100.0,"dwnb":2,"txnb":2}}`
	if string(b) != want {
		t.Fatalf("got\n%s\nwant\n%s", b, want)
	}
	back, err := DecodeUpstream(b)
	if err != nil || back.Stat == nil || !time.Time(back.Stat.Time).Equal(time.Time(st.Time)) {
		t.Fatalf("decoded back %+v, %v", back.Stat, err)
	}
}

func TestDecodeTxpkReferenceExamples(t *testing.T) {
	lora := `{"txpk":{"imme":true,"freq":864.123456,"rfch":0,"powe":14,"modu":"LORA","datr":"SF11BW125","codr":"4/6",` +
		`"ipol":false,"size":32,"data":"H3P3N2i9qc4yt7rK7ldqoeCVJGBybzPY5h1Dd7P7p8v"}}`
	got, err := DecodeTxpk([]byte(lora))
	if err != nil {
		t.Fatal(err)
	}
	if !got.Imme || got.Freq != 864123456 || *got.Powe != 14 || got.DatR.LoRa != "SF11BW125" || got.CodR != "4/6" ||
		len(got.Data) != 32 || got.IPol {
		t.Fatalf("decoded %+v", got)
	}
	fsk := `{"txpk":{"imme":true,"freq":861.3,"rfch":0,"powe":12,"modu":"FSK","datr":50000,"fdev":3000,"size":32,` +
		`"data":"H3P3N2i9qc4yt7rK7ldqoeCVJGBybzPY5h1Dd7P7p8v"}}`
	if got, err = DecodeTxpk([]byte(fsk)); err != nil {
		t.Fatal(err)
	}
	if got.Freq != 861300000 || got.DatR.FSK != 50000 || *got.FDev != 3000 {
		t.Fatalf("decoded %+v", got)
	}
	// What ChirpStack sends: tmst, brd and ant, which lgw ignores.
	cs := `{"txpk":{"tmst":1000000,"freq":868.1,"rfch":0,"powe":14,"modu":"LORA","datr":"SF7BW125","codr":"4/5",` +
		`"ipol":true,"size":3,"data":"AQID","brd":0,"ant":0,"ncrc":true,"nhdr":false,"prea":8}}`
	if got, err = DecodeTxpk([]byte(cs)); err != nil {
		t.Fatal(err)
	}
	if *got.Tmst != 1000000 || !got.IPol || !got.NCRC || got.NHdr || *got.Prea != 8 {
		t.Fatalf("decoded %+v", got)
	}
}

func TestDecodeTxpkErrorsNameTheField(t *testing.T) {
	base := `"freq":868.1,"modu":"LORA","datr":"SF7BW125","codr":"4/5","data":"AQID"`
	tests := []struct{ name, in, field string }{
		{"not json", `{`, "json"},
		{"no txpk", `{"rxpk":{}}`, "txpk"},
		{"txpk not an object", `{"txpk":3}`, "txpk"},
		{"no freq", `{"txpk":{"imme":true,"modu":"LORA","datr":"SF7BW125","codr":"4/5","data":"AQID"}}`, "txpk.freq"},
		{"negative freq", `{"txpk":{"imme":true,` + strings.Replace(base, "868.1", "-1", 1) + `}}`, "txpk.freq"},
		{"freq string", `{"txpk":{"imme":true,` + strings.Replace(base, "868.1", `"868.1"`, 1) + `}}`, "txpk.freq"},
		{"no data", `{"txpk":{"imme":true,"freq":868.1,"modu":"LORA","datr":"SF7BW125","codr":"4/5"}}`, "txpk.data"},
		{"bad base64", `{"txpk":{"imme":true,` + strings.Replace(base, "AQID", "!!!!", 1) + `}}`, "txpk.data"},
		{"bad modu", `{"txpk":{"imme":true,` + strings.Replace(base, "LORA", "GFSK", 1) + `}}`, "txpk.modu"},
		{"lora with number datr", `{"txpk":{"imme":true,` + strings.Replace(base, `"SF7BW125"`, "50000", 1) + `}}`, "txpk.datr"},
		{"fsk with string datr", `{"txpk":{"imme":true,` + strings.Replace(base, "LORA", "FSK", 1) + `}}`, "txpk.datr"},
		{"no codr", `{"txpk":{"imme":true,"freq":868.1,"modu":"LORA","datr":"SF7BW125","data":"AQID"}}`, "txpk.codr"},
		{"size mismatch", `{"txpk":{"imme":true,"size":4,` + base + `}}`, "txpk.size"},
		{"no start", `{"txpk":{` + base + `}}`, "txpk.tmst"},
		{"tmst negative", `{"txpk":{"tmst":-1,` + base + `}}`, "txpk.tmst"},
		{"tmst too large", `{"txpk":{"tmst":4294967296,` + base + `}}`, "txpk.tmst"},
		{"imme string", `{"txpk":{"imme":"yes",` + base + `}}`, "txpk.imme"},
		{"rfch 256", `{"txpk":{"imme":true,"rfch":256,` + base + `}}`, "txpk.rfch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeTxpk([]byte(tt.in))
			var de *DecodeError
			if !errors.As(err, &de) || !errors.Is(err, ErrJSON) {
				t.Fatalf("error %v, want a DecodeError", err)
			}
			if de.Field != tt.field {
				t.Fatalf("field %q, want %q (%v)", de.Field, tt.field, err)
			}
		})
	}
}

func TestTxAck(t *testing.T) {
	v := int32(14)
	tests := []struct {
		ack  TxAckInfo
		want string
	}{
		{TxAckInfo{Error: AckNone}, `{"txpk_ack":{"error":"NONE"}}`},
		{TxAckInfo{Error: AckCollisionPacket}, `{"txpk_ack":{"error":"COLLISION_PACKET"}}`},
		{TxAckInfo{Warn: AckTxPower, Value: &v}, `{"txpk_ack":{"warn":"TX_POWER","value":14}}`},
	}
	for _, tt := range tests {
		b, err := tt.ack.Encode()
		if err != nil || string(b) != tt.want {
			t.Fatalf("got %s, %v; want %s", b, err, tt.want)
		}
		back, err := DecodeTxAck(b)
		if err != nil || back.Error != tt.ack.Error || back.Warn != tt.ack.Warn {
			t.Fatalf("decoded back %+v, %v", back, err)
		}
	}
	if a, err := DecodeTxAck(nil); err != nil || a.Error != AckNone {
		t.Fatalf("empty TX_ACK: %+v, %v; want NONE", a, err)
	}
	if _, err := DecodeTxAck([]byte(`{"other":1}`)); !errors.Is(err, ErrJSON) {
		t.Fatalf("TX_ACK without txpk_ack: %v", err)
	}
}
