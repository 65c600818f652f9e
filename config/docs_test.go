package config

import (
	"os"
	"strings"
	"testing"
)

// TestChannelDocExamples parses every TOML example of docs/channels.md.
func TestChannelDocExamples(t *testing.T) {
	b, err := os.ReadFile("../docs/channels.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := strings.Split(string(b), "```toml\n")[1:]
	if len(blocks) < 3 {
		t.Fatalf("%d examples in docs/channels.md", len(blocks))
	}
	for i, blk := range blocks {
		text := blk[:strings.Index(blk, "```")]
		if _, err := Parse(text); err != nil {
			t.Errorf("example %d: %v\n%s", i+1, err, text)
		}
	}
}
