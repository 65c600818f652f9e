package main

import (
	"bytes"
	"regexp"
	"strconv"
	"testing"
)

// TestDemoRuns runs the demo, shortened, and checks it shows the product
// working: uplinks, class C and class B multicast downlinks sent, the
// refused commands answered with their exception, and the UDP network
// server's uplinks, stat and class A replies with their TX_ACK.
func TestDemoRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for 35 s of real time")
	}
	var out, errb bytes.Buffer
	if code := run([]string{"--duration", "35s", "--traffic", "../../examples/traffic.jsonl"}, &out, &errb); code != 0 {
		t.Fatalf("demo exit %d\n%s\n%s", code, out.String(), errb.String())
	}
	s := out.String()
	m := regexp.MustCompile(`summary: (\d+) uplinks, (\d+) downlinks sent`).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no summary:\n%s", s)
	}
	up, _ := strconv.Atoi(m[1])
	down, _ := strconv.Atoi(m[2])
	if up < 10 || down < 4 {
		t.Fatalf("%d uplinks, %d downlinks:\n%s", up, down, s)
	}
	for _, want := range []string{"demo-class-c   SENT", "demo-class-b   SENT", "ValidationException", "ResourceNotFoundException",
		"UDP   rxpk", "UDP   TX_ACK token=", "TOO_LATE", "UDP   stat rxnb="} {
		if !bytes.Contains(out.Bytes(), []byte(want)) {
			t.Errorf("demo output lacks %q:\n%s", want, s)
		}
	}
}
