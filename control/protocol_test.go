package control_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lgwagent/lgw/control"
)

func TestParseAt(t *testing.T) {
	tests := []struct {
		in      string
		want    control.At
		wantErr string
	}{
		{"", control.At{}, ""},
		{"now", control.At{}, ""},
		{"+500ms", control.At{Mode: control.AtDelay, Delay: 500 * time.Millisecond}, ""},
		{"+2s", control.At{Mode: control.AtDelay, Delay: 2 * time.Second}, ""},
		{"tmst:4294967295", control.At{Mode: control.AtCount, Count: 4294967295}, ""},
		{"gps:1447000000.25", control.At{Mode: control.AtGPS, GPSTime: 1447000000250 * time.Millisecond}, ""},
		{"2026-11-21T10:00:00+01:00", control.At{Mode: control.AtTime,
			Time: time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)}, ""},
		{"+0s", control.At{}, "positive duration"},
		{"+-1s", control.At{}, "positive duration"},
		{"+soon", control.At{}, "positive duration"},
		{"tmst:4294967296", control.At{}, "tmst:N"},
		{"tmst:-1", control.At{}, "tmst:N"},
		{"gps:-3", control.At{}, "gps:SECONDS"},
		{"gps:NaN", control.At{}, "gps:SECONDS"},
		{"tomorrow", control.At{}, "RFC 3339"},
	}
	for _, tt := range tests {
		got, err := control.ParseAt(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseAt(%q) err = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseAt(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			continue
		}
		// String writes what ParseAt reads back.
		back, err := control.ParseAt(got.String())
		if err != nil || !reflect.DeepEqual(back, got) {
			t.Errorf("ParseAt(%q.String() = %q) = %+v, %v", tt.in, got.String(), back, err)
		}
	}
}

func TestTxRequestJSON(t *testing.T) {
	r := control.TxRequest{Freq: 868100000, Datr: "SF7BW125", Power: 14, Payload: []byte{0xde, 0xad},
		At: control.At{Mode: control.AtCount, Count: 7}}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"freq":868100000,"datr":"SF7BW125","power":14,"payload":"dead","at":{"mode":"tmst","count":7}}`
	if string(b) != want {
		t.Errorf("json = %s, want %s", b, want)
	}
	var back control.TxRequest
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, r) {
		t.Errorf("round trip = %+v, %v", back, err)
	}
}
