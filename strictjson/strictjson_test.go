package strictjson_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/lgwagent/lgw/apierr"
	"github.com/lgwagent/lgw/strictjson"
)

type inner struct {
	A int    `json:"A"`
	B string `json:"B,omitempty"`
}

type body struct {
	Id    string  `json:"Id"`
	In    inner   `json:"In"`
	List  []inner `json:"List"`
	Count *uint32 `json:"Count,omitempty"`
}

func TestDecode(t *testing.T) {
	cases := []struct {
		name, body string
		field      string // "" with ok
		ok         bool
	}{
		{"valid", `{"Id":"g","In":{"A":1},"List":[{"A":2}],"Count":3}`, "", true},
		{"empty is {}", ``, "", true},
		{"extra key allowed", `{"RequestId":"r","Id":"g"}`, "", true},
		{"duplicate top", `{"Id":"g1","Id":"nope"}`, "Id", false},
		{"duplicate nested", `{"In":{"A":1,"A":2}}`, "In.A", false},
		{"duplicate in array", `{"List":[{"A":1},{"B":"x","B":"y"}]}`, "List[1].B", false},
		{"duplicate extra", `{"RequestId":"a","RequestId":"b"}`, "RequestId", false},
		{"duplicate in unknown subtree", `{"Id":"g","X":{"k":1,"k":2}}`, "X.k", false},
		{"unknown", `{"Idx":"g"}`, "Idx", false},
		{"case", `{"id":"g"}`, "id", false},
		{"nested unknown", `{"In":{"C":1}}`, "In.C", false},
		{"wrong type", `{"In":{"A":"one"}}`, "In.A", false},
		{"uint32 overflow", `{"Count":4294967296}`, "Count", false},
		{"negative uint", `{"Count":-1}`, "Count", false},
		{"int overflow", `{"In":{"A":1e40}}`, "In.A", false},
		{"extra not string", `{"RequestId":1}`, "RequestId", false},
		{"trailing data", `{"Id":"g"} {}`, "", false},
		{"not an object", `[1]`, "", false},
		{"malformed", `{"Id":`, "", false},
		{"too deep", `{"X":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`, "X" + strings.Repeat("[0]", strictjson.MaxDepth-1), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var v body
			err := strictjson.Decode([]byte(tc.body), &v, strictjson.Options{MaxSize: 1 << 16, Extra: []string{"RequestId"}})
			if tc.ok {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var ae *apierr.Error
			if !errors.As(err, &ae) || ae.Kind != apierr.Validation {
				t.Fatalf("err %v: want a ValidationException", err)
			}
			if ae.Field != tc.field {
				t.Fatalf("field %q, want %q (%v)", ae.Field, tc.field, err)
			}
		})
	}
}

func TestDecodeTooLarge(t *testing.T) {
	var v body
	err := strictjson.Decode([]byte(`{"Id":"`+strings.Repeat("x", 100)+`"}`), &v, strictjson.Options{MaxSize: 50})
	if apierr.KindOf(err) != apierr.Validation {
		t.Fatalf("err %v", err)
	}
}

func TestBase64(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"AQID", true},
		{"", true},
		{"AQIDBA==", true},
		{"AQID\nBA==", false},
		{"AQID\r\n", false},
		{" AQID", false},
		{"AQIDBA", false},   // padding missing
		{"AQIDBB==", false}, // non-zero trailing bits
		{"AQ-_", false},     // URL alphabet
	} {
		b, err := strictjson.Base64("PayloadData", tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("%q: %x %v, want ok=%v", tc.in, b, err, tc.ok)
		}
		var ae *apierr.Error
		if err != nil && (!errors.As(err, &ae) || ae.Field != "PayloadData") {
			t.Errorf("%q: %v does not name the field", tc.in, err)
		}
	}
}
