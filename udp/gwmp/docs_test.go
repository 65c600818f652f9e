package gwmp

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	lwgps "github.com/brocaar/lorawan/gps"
)

// TestDocsExamples decodes every JSON example of docs/udp.md with the
// decoder its object belongs to.
func TestDocsExamples(t *testing.T) {
	b, err := os.ReadFile("../../docs/udp.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```json\n(.*?)```").FindAllStringSubmatch(string(b), -1)
	if len(blocks) < 3 {
		t.Fatalf("%d JSON examples in docs/udp.md, want at least 3", len(blocks))
	}
	for _, m := range blocks {
		js := []byte(m[1])
		switch {
		case strings.Contains(m[1], `"txpk_ack"`):
			if _, err := DecodeTxAck(js); err != nil {
				t.Errorf("%s: %v", js, err)
			}
		case strings.Contains(m[1], `"txpk"`):
			if _, err := DecodeTxpk(js); err != nil {
				t.Errorf("%s: %v", js, err)
			}
		default:
			up, err := DecodeUpstream(js)
			if err != nil {
				t.Errorf("%s: %v", js, err)
				continue
			}
			for _, r := range up.RXPK {
				// time and tmms name the same instant.
				if r.Time == nil || r.Tmms == nil ||
					lwgps.Time(time.Time(*r.Time)).TimeSinceGPSEpoch().Milliseconds() != int64(*r.Tmms) {
					t.Errorf("rxpk example: time %v and tmms %v disagree", r.Time, r.Tmms)
				}
			}
		}
	}
}
