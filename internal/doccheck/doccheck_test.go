package doccheck

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	md := "# T\n\n<!-- check: golden a.json -->\n```json\n{\"a\": 1}\n```\n\n```\nunchecked\n```\n<!-- check: output lgw version -->\n```\n$ lgw version\nlgw dev\n```\n"
	p := filepath.Join(dir, "a.md")
	if err := os.WriteFile(p, []byte(md), 0o644); err != nil {
		t.Fatal(err)
	}
	bs, err := Read(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 2 || bs[0].Kind != "golden" || bs[0].Arg != "a.json" || bs[0].Text != "{\"a\": 1}\n" || bs[0].Line != 3 ||
		bs[1].Arg != "lgw version" || bs[1].Text != "$ lgw version\nlgw dev\n" {
		t.Fatalf("blocks %+v", bs)
	}
	if err := os.WriteFile(p, []byte("<!-- check: golden x -->\ntext\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(p); err == nil {
		t.Fatal("a marker without a block was accepted")
	}
}
