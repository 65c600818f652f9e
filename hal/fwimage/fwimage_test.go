package fwimage

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseVar(t *testing.T) {
	tests := []struct {
		name, text string
		words      bool
		want       []byte
		err        string
	}{
		{"bytes, comments", "static uint8_t fw[] = {\n/* a */ 0x01, 2, // b\n 0xFFu };", false, []byte{1, 2, 0xff}, ""},
		{"words big-endian", "x = { 0x01020304, 5U };", true, []byte{1, 2, 3, 4, 0, 0, 0, 5}, ""},
		{"no array", "nothing here", false, nil, "no {...} array"},
		{"unterminated comment", "{ 1, /* 2 }", false, nil, "unterminated comment"},
		{"byte overflow", "{ 1, 256 }", false, nil, `element 1 "256": not a 8-bit number`},
		{"not a number", "{ 0x1g }", false, nil, "not a 8-bit number"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseVar([]byte(tc.text), tc.words)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || !bytes.Equal(got, tc.want) {
				t.Fatalf("got %x, %v; want %x", got, err, tc.want)
			}
		})
	}
}

// writeVar writes a .var file under src holding b and returns its image.
func writeVar(t *testing.T, src, name string, b []byte, required bool) Image {
	t.Helper()
	var sb strings.Builder
	sb.WriteString("static const uint8_t fw[] = {")
	for _, v := range b {
		sb.WriteString("0x" + hex.EncodeToString([]byte{v}) + ",")
	}
	sb.WriteString("};\n")
	rel := filepath.Join("src", name+".var")
	if err := os.MkdirAll(filepath.Join(src, "src"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, rel), []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return Image{Name: name + ".bin", Var: rel, Size: len(b), SHA256: hex.EncodeToString(sum[:]), Required: required}
}

func TestImportInstallsAllOrNothing(t *testing.T) {
	src, dest := t.TempDir(), filepath.Join(t.TempDir(), "fw")
	a := writeVar(t, src, "a", []byte{1, 2, 3}, true)
	b := writeVar(t, src, "b", []byte{4, 5}, true)
	opt := Image{Name: "opt.bin", Var: "src/opt.var", Size: 1, SHA256: "00"}

	bad := b
	bad.SHA256 = strings.Repeat("0", 64)
	if _, err := Import(src, dest, []Image{a, bad}, "test 1.0"); err == nil || !strings.Contains(err.Error(), "only test 1.0 images are known") {
		t.Fatalf("hash mismatch: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dest, a.Name)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("an image was installed although another did not match: %v", err)
	}
	short := b
	short.Size = 3
	if _, err := Import(src, dest, []Image{short}, "test 1.0"); err == nil || !strings.Contains(err.Error(), "2 bytes, want 3") {
		t.Fatalf("wrong size: %v", err)
	}
	missing := Image{Name: "m.bin", Var: "src/m.var", Size: 1, Required: true}
	if _, err := Import(src, dest, []Image{a, missing}, "test 1.0"); err == nil {
		t.Fatal("a required image missing from the source was accepted")
	}

	res, err := Import(src, dest, []Image{a, b, opt}, "test 1.0")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Installed) != 2 || len(res.Skipped) != 1 || res.Skipped[0] != "opt.bin" {
		t.Fatalf("result %+v", res)
	}
	got, err := Load(dest, b.Name, 2, "test checkout")
	if err != nil || !bytes.Equal(got, []byte{4, 5}) {
		t.Fatalf("load %x, %v", got, err)
	}
	if fi, err := os.Stat(filepath.Join(dest, a.Name)); err != nil || fi.Mode().Perm() != 0o644 {
		t.Fatalf("installed file: %v, %v", fi, err)
	}
	if left, _ := filepath.Glob(filepath.Join(dest, ".fw-*")); len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}

	st := Status(dest, []Image{a, opt})
	if !st[0].Installed || !st[0].Known || st[0].Size != 3 || st[1].Installed {
		t.Fatalf("status %+v", st)
	}
	var out strings.Builder
	if !WriteStatus(&out, st) || !strings.Contains(out.String(), "a.bin            required ok\n") ||
		!strings.Contains(out.String(), "opt.bin          optional missing\n") {
		t.Fatalf("complete with only an optional image missing, got:\n%s", out.String())
	}
	if err := os.WriteFile(filepath.Join(dest, a.Name), []byte{9}, 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if WriteStatus(&out, Status(dest, []Image{a})) || !strings.Contains(out.String(), "unknown image (1 bytes, sha256 ") {
		t.Fatalf("a required image replaced by another file, got:\n%s", out.String())
	}
}

func TestLoadNamesWhatToDo(t *testing.T) {
	dir := t.TempDir()
	if _, err := Load(dir, "x.bin", 4, "sx1302_hal checkout"); !errors.Is(err, ErrMissing) ||
		!strings.Contains(err.Error(), "lgw firmware import <sx1302_hal checkout>") {
		t.Fatalf("missing: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "x.bin"), []byte{1, 2}, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir, "x.bin", 4, "sx1302_hal checkout"); err == nil || !strings.Contains(err.Error(), "2 bytes, want 4") {
		t.Fatalf("short file: %v", err)
	}
}
