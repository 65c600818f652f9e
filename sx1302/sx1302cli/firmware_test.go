package sx1302cli

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lgwagent/lgw/board/devlock"
	"github.com/lgwagent/lgw/sx1302"
)

// writeVar writes a synthetic .var file (not Semtech's firmware) and
// returns the hash of its bytes.
func writeVar(t *testing.T, root, rel string, n int, seed byte) string {
	t.Helper()
	var sb strings.Builder
	sb.WriteString("static uint8_t fw[] = { /* synthetic */\n")
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i)*3 + seed
		fmt.Fprintf(&sb, "0x%02X, ", b[i])
		if i%16 == 15 {
			sb.WriteString("\n")
		}
	}
	sb.WriteString("};\n")
	p := filepath.Join(root, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestFirmwareImportAndStatus(t *testing.T) {
	src, dest := t.TempDir(), t.TempDir()
	var images []sx1302.FirmwareImage
	for i, im := range sx1302.FirmwareImages()[:2] {
		im.SHA256 = writeVar(t, src, im.Var, im.Size, byte(i))
		images = append(images, im)
	}
	var out, errb bytes.Buffer
	if code := firmware([]string{"import", src, "--dest", dest, "--spi-device", filepath.Join(src, "no-spidev")}, &out, &errb, images); code != 0 {
		t.Fatalf("import: %d %s", code, errb.String())
	}
	b, err := os.ReadFile(filepath.Join(dest, sx1302.FirmwareAGC))
	if err != nil || len(b) != sx1302.FirmwareLen || b[1] != 3 {
		t.Fatalf("installed agc: %d bytes, %v", len(b), err)
	}
	out.Reset()
	// The synthetic images are not the known ones: status says so.
	if code := firmware([]string{"status", "--dir", dest}, &out, &errb, nil); code != 1 || !strings.Contains(out.String(), "unknown image") {
		t.Fatalf("status: %d %s", code, out.String())
	}
	// A hash mismatch refuses the import.
	images[0].SHA256 = strings.Repeat("0", 64)
	errb.Reset()
	if code := firmware([]string{"import", src, "--dest", t.TempDir(), "--spi-device", filepath.Join(src, "no-spidev")}, &out, &errb, images); code != 1 || !strings.Contains(errb.String(), "SHA-256") {
		t.Fatalf("bad hash: %d %s", code, errb.String())
	}
	// Wrong size.
	im := sx1302.FirmwareImages()[0]
	im.SHA256 = writeVar(t, src, im.Var, 100, 0)
	errb.Reset()
	if code := firmware([]string{"import", src, "--dest", t.TempDir(), "--spi-device", filepath.Join(src, "no-spidev")}, &out, &errb, []sx1302.FirmwareImage{im}); code != 1 || !strings.Contains(errb.String(), "100 bytes") {
		t.Fatalf("bad size: %d %s", code, errb.String())
	}
	if code := firmware(nil, &out, &errb, nil); code != 2 {
		t.Fatalf("usage: %d", code)
	}
	out.Reset()
	if code := firmware([]string{"status", "--dir", t.TempDir()}, &out, &errb, nil); code != 1 || !strings.Contains(out.String(), "lgw firmware import") {
		t.Fatalf("empty status: %d %s", code, out.String())
	}
}

func TestFirmwareImportRefusedWhileChipHeld(t *testing.T) {
	src := t.TempDir()
	dev := filepath.Join(t.TempDir(), "spidev0.0")
	if err := os.WriteFile(dev, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := devlock.Lock(dev)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	var out, errb bytes.Buffer
	code := firmware([]string{"import", src, "--dest", t.TempDir(), "--spi-device", dev}, &out, &errb, nil)
	if code != 1 || !strings.Contains(errb.String(), fmt.Sprintf("pid %d", os.Getpid())) {
		t.Fatalf("import under a holder: %d %q", code, errb.String())
	}
}
