package mqtt_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/mqtt"
	"github.com/lgwagent/lgw/mqtt/broker"
	"github.com/lgwagent/lgw/mqtt/mqtttest"
)

// TestAWSCLIRequestBodies replays, in order, the request bodies the AWS
// CLI (iotwireless, API 2020-11-22) sends for the multicast operations,
// with the Id of the URL path moved into the body and the query
// parameters of ListMulticastGroups as body fields, over a real broker
// through the MQTT adapter to the application core (real multicast
// service, real scheduler on the simulator, virtual time), and compares every response with
// testdata/awscli/NN-Op.response.json. In the golden files "$NAME" stands
// for a value the gateway generates (bound at first sight, the same
// after), "$ANY" for any value; request bodies use the bound values.
func TestAWSCLIRequestBodies(t *testing.T) {
	g, rig := coreOnRig(t, gw)
	if err := g.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(g.Stop)
	b := mqtttest.Start(t, broker.Options{})
	rsp := b.Collect("lgw/" + gw + "/rsp/#")
	state := b.Collect("lgw/" + gw + "/state")
	c, err := mqtt.New(baseConfig(b.URL()), gw, mqtt.Over(g), rig.Clock, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Stop)
	state.Wait(wait, "online state", func(m broker.Message) bool { return strings.Contains(string(m.Payload), `"online":true`) })

	reqs, _ := filepath.Glob("testdata/awscli/*.request.json")
	sort.Strings(reqs)
	if len(reqs) < 15 {
		t.Fatalf("%d golden requests", len(reqs))
	}
	vars := map[string]string{}
	seen := map[string]bool{}
	for i, path := range reqs {
		name := strings.TrimSuffix(filepath.Base(path), ".request.json")
		op := name[strings.IndexByte(name, '-')+1:]
		seen[op] = true
		req, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		body := string(req)
		for k, v := range vars {
			body = strings.ReplaceAll(body, `"`+k+`"`, `"`+v+`"`)
		}
		if strings.Contains(body, `"$`) {
			t.Fatalf("%s: unbound variable in %s", name, body)
		}
		b.MustPublish("lgw/"+gw+"/cmd/"+op, body)
		all := rsp.WaitN(wait, i+1)
		got := all[i]
		if !strings.HasSuffix(got.Topic, "/rsp/"+op) {
			t.Fatalf("%s: response on %s", name, got.Topic)
		}
		wantRaw, err := os.ReadFile(strings.Replace(path, ".request.", ".response.", 1))
		if err != nil {
			t.Fatal(err)
		}
		var want, have any
		if err := json.Unmarshal(wantRaw, &want); err != nil {
			t.Fatalf("%s: golden: %v", name, err)
		}
		if err := json.Unmarshal(got.Payload, &have); err != nil {
			t.Fatal(err)
		}
		if err := matchGolden(want, have, vars, ""); err != nil {
			t.Errorf("%s: %v\n got %s\nwant %s", name, err, got.Payload, wantRaw)
		}
	}
	for _, op := range []string{mqtt.OpCreateMulticastGroup, mqtt.OpGetMulticastGroup, mqtt.OpUpdateMulticastGroup, mqtt.OpListMulticastGroups,
		mqtt.OpDeleteMulticastGroup, mqtt.OpStartMulticastGroupSession, mqtt.OpGetMulticastGroupSession,
		mqtt.OpCancelMulticastGroupSession, mqtt.OpDeleteMulticastGroupSession, mqtt.OpSendDataToMulticastGroup} {
		if !seen[op] {
			t.Errorf("no golden request for %s", op)
		}
	}
	if ids := []string{vars["$FIRST"], vars["$SECOND"]}; !(ids[0] == vars["$ID"] && ids[1] == vars["$ID2"]) &&
		!(ids[0] == vars["$ID2"] && ids[1] == vars["$ID"]) {
		t.Errorf("the two pages list %v, want both groups %s %s", ids, vars["$ID"], vars["$ID2"])
	}
}

// matchGolden compares a decoded response with its golden form.
func matchGolden(want, have any, vars map[string]string, path string) error {
	if w, ok := want.(string); ok && strings.HasPrefix(w, "$") {
		if w == "$ANY" {
			return nil
		}
		h, ok := have.(string)
		if !ok || h == "" {
			return fmt.Errorf("%s: got %v, want a string for %s", path, have, w)
		}
		if v, bound := vars[w]; bound && v != h {
			return fmt.Errorf("%s: got %q, want %s = %q", path, h, w, v)
		}
		vars[w] = h
		return nil
	}
	switch w := want.(type) {
	case map[string]any:
		h, ok := have.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: got %v, want an object", path, have)
		}
		for k := range h {
			if _, ok := w[k]; !ok {
				return fmt.Errorf("%s.%s: unexpected field", path, k)
			}
		}
		for k, wv := range w {
			hv, ok := h[k]
			if !ok {
				return fmt.Errorf("%s.%s: missing", path, k)
			}
			if err := matchGolden(wv, hv, vars, path+"."+k); err != nil {
				return err
			}
		}
		return nil
	case []any:
		h, ok := have.([]any)
		if !ok || len(h) != len(w) {
			return fmt.Errorf("%s: got %v, want %d elements", path, have, len(w))
		}
		for i := range w {
			if err := matchGolden(w[i], h[i], vars, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		return nil
	}
	if !reflect.DeepEqual(want, have) {
		return fmt.Errorf("%s: got %v, want %v", path, have, want)
	}
	return nil
}
