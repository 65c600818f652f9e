package control_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net"
	"testing"
	"time"

	"github.com/lgwagent/lgw/apierr"
	"github.com/lgwagent/lgw/control"
	"github.com/lgwagent/lgw/control/controltest"
)

var kinds = map[string]bool{string(apierr.Validation): true, string(apierr.ResourceNotFound): true,
	string(apierr.AccessDenied): true, string(apierr.Conflict): true, string(apierr.InternalServer): true,
	string(apierr.Throttling): true}

// FuzzProtocol sends one arbitrary request line over the real socket:
// the server answers with one JSON response, OK or an error whose type
// is one of the API's kinds, and keeps serving.
func FuzzProtocol(f *testing.F) {
	for _, s := range []string{
		`{"cmd":"ping"}`, `{"cmd":"status"}`, `{"cmd":"queue"}`, `{"cmd":"groups"}`, `{"cmd":"sessions"}`,
		`{"cmd":"stats"}`, `{"cmd":"log-level","args":{"level":"debug"}}`, `{"cmd":"log-level","args":{"level":7}}`,
		`{"cmd":"tx","args":{"freq":869525000,"datr":"SF9BW125","power":14,"payload":"0102","at":{"mode":"delay","delay":"1s"}}}`,
		`{"cmd":"tx","args":{"payload":"zz"}}`, `{"cmd":""}`, `{"cmd":"nope"}`, `{"cmd":"ping","cmd":"status"}`,
		`[]`, `nul`, `{"cmd":"ping"} trailing`,
	} {
		f.Add([]byte(s))
	}
	agent := controltest.Sample()
	_, path := controltest.Serve(f, agent)
	f.Fuzz(func(t *testing.T, line []byte) {
		line = bytes.ReplaceAll(line, []byte("\n"), nil)
		var req control.Request
		if json.Unmarshal(line, &req) == nil && req.Cmd == control.CmdTail {
			return // streams until closed; covered by the tail tests
		}
		c, err := net.Dial("unix", path)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		// A write may fail when the server answered at once and closed
		// (ThrottlingException past the connection bound, while earlier
		// iterations' connections are still being released): the
		// response is read either way.
		_, _ = c.Write(append(line, '\n'))
		r := bufio.NewReader(c)
		resp, err := r.ReadBytes('\n')
		if err != nil {
			t.Fatalf("no response to %q: %v", line, err)
		}
		var out control.Response
		if err := json.Unmarshal(resp, &out); err != nil {
			t.Fatalf("response %q is not JSON: %v", resp, err)
		}
		if !out.OK && (out.Error == nil || !kinds[out.Error.Type]) {
			t.Fatalf("request %q: untyped error response %s", line, resp)
		}
	})
}
