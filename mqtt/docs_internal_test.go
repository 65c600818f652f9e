package mqtt

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/lgwagent/lgw/internal/doccheck"
	"github.com/lgwagent/lgw/multicast"
	"github.com/lgwagent/lgw/strictjson"
)

// opTypes maps an operation to its input and output types.
var opTypes = map[string][2]reflect.Type{
	OpCreateMulticastGroup:        {reflect.TypeFor[multicast.CreateGroupInput](), reflect.TypeFor[multicast.CreateGroupOutput]()},
	OpGetMulticastGroup:           {reflect.TypeFor[multicast.GroupIDInput](), reflect.TypeFor[multicast.GroupOutput]()},
	OpUpdateMulticastGroup:        {reflect.TypeFor[multicast.UpdateGroupInput](), reflect.TypeFor[empty]()},
	OpListMulticastGroups:         {reflect.TypeFor[multicast.ListGroupsInput](), reflect.TypeFor[multicast.ListGroupsOutput]()},
	OpDeleteMulticastGroup:        {reflect.TypeFor[multicast.GroupIDInput](), reflect.TypeFor[empty]()},
	OpStartMulticastGroupSession:  {reflect.TypeFor[multicast.StartSessionInput](), reflect.TypeFor[multicast.SessionOutput]()},
	OpGetMulticastGroupSession:    {reflect.TypeFor[multicast.GroupIDInput](), reflect.TypeFor[multicast.SessionOutput]()},
	OpCancelMulticastGroupSession: {reflect.TypeFor[multicast.GroupIDInput](), reflect.TypeFor[empty]()},
	OpSendDataToMulticastGroup:    {reflect.TypeFor[multicast.SendDataInput](), reflect.TypeFor[multicast.SendDataOutput]()},
}

// TestDocExamples checks the examples of docs/mqtt-api.md against the
// code: a "request OP" block must decode as OP's input with the strict
// command decoder; a "response OP" block must be a Response whose Result
// has only OP's output fields; a "golden FILE" block must be the same
// JSON as testdata/FILE, which the codec tests produce.
func TestDocExamples(t *testing.T) {
	blocks, err := doccheck.Read(filepath.Join("..", "docs", "mqtt-api.md"))
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, b := range blocks {
		kinds[b.Kind]++
		switch b.Kind {
		case "request":
			ts, ok := opTypes[b.Arg]
			if !ok {
				t.Errorf("%s: no types for %q", b, b.Arg)
				continue
			}
			in := reflect.New(ts[0]).Interface()
			if err := decodeCommand([]byte(b.Text), in); err != nil {
				t.Errorf("%s: refused: %v", b, err)
			}
		case "response":
			ts, ok := opTypes[b.Arg]
			if !ok {
				t.Errorf("%s: no types for %q", b, b.Arg)
				continue
			}
			var r struct {
				RequestId string
				Result    json.RawMessage
			}
			if err := strictjson.Decode([]byte(b.Text), &r, strictjson.Options{}); err != nil || r.Result == nil {
				t.Errorf("%s: want {\"RequestId\", \"Result\"}: %v", b, err)
				continue
			}
			out := reflect.New(ts[1]).Interface()
			if err := strictjson.Decode(r.Result, out, strictjson.Options{}); err != nil {
				t.Errorf("%s: Result: %v", b, err)
			}
		case "golden":
			want, err := os.ReadFile(filepath.Join("testdata", b.Arg))
			if err != nil {
				t.Errorf("%s: %v", b, err)
				continue
			}
			if !sameJSON(t, []byte(b.Text), want) {
				t.Errorf("%s differs from testdata/%s:\n doc %s\nfile %s", b, b.Arg, b.Text, want)
			}
		default:
			t.Errorf("%s: unknown check kind", b)
		}
	}
	if kinds["request"] < 8 || kinds["response"] < 7 || kinds["golden"] < 5 {
		t.Errorf("checked blocks %v: markers lost?", kinds)
	}
}

func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Errorf("doc block: %v", err)
		return false
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Errorf("golden: %v", err)
		return false
	}
	bx, _ := json.Marshal(x)
	by, _ := json.Marshal(y)
	return bytes.Equal(bx, by)
}
