package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lgwagent/lgw/sx1301"
)

// writeLoraGateway lays out a synthetic lora_gateway checkout (not
// Semtech's images) and returns the images with their hashes.
func writeLoraGateway(t *testing.T, root string) []sx1301.FirmwareImage {
	t.Helper()
	var ims []sx1301.FirmwareImage
	for i, im := range sx1301.FirmwareImages() {
		b := make([]byte, sx1301.FirmwareLen)
		var sb strings.Builder
		sb.WriteString("/* synthetic */\nstatic uint8_t fw[MCU_FW_BYTE] = {\n")
		for j := range b {
			b[j] = byte(j*5 + i)
			fmt.Fprintf(&sb, "0x%02X, ", b[j])
		}
		sb.WriteString("\n};\n")
		p := filepath.Join(root, im.Var)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(sb.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		s := sha256.Sum256(b)
		im.SHA256 = hex.EncodeToString(s[:])
		ims = append(ims, im)
	}
	return ims
}

func TestFirmwareImportLoraGateway(t *testing.T) {
	src, dest := t.TempDir(), t.TempDir()
	ims := writeLoraGateway(t, src)
	var out, errb bytes.Buffer
	if code := firmwareCmd([]string{"import", src, "--dest", dest}, &out, &errb, ims); code != 0 {
		t.Fatalf("import: exit %d %s", code, errb.String())
	}
	for _, im := range ims {
		if b, err := os.ReadFile(filepath.Join(dest, im.Name)); err != nil || len(b) != sx1301.FirmwareLen {
			t.Errorf("%s: %v", im.Name, err)
		}
	}
	// The facts' hashes refuse the synthetic images, installing nothing.
	other := t.TempDir()
	errb.Reset()
	if code := firmwareCmd([]string{"import", "--dest", other, src}, &out, &errb, nil); code != 1 || !strings.Contains(errb.String(), "SHA-256") {
		t.Fatalf("unknown images: exit %d %q", code, errb.String())
	}
	if ents, _ := os.ReadDir(other); len(ents) != 0 {
		t.Errorf("installed %d files from unknown images", len(ents))
	}
	// A truncated image is refused by size.
	os.WriteFile(filepath.Join(src, ims[1].Var), []byte("static uint8_t x[] = { 0x01, 0x02 };"), 0o644)
	errb.Reset()
	if code := firmwareCmd([]string{"import", src, "--dest", other}, &out, &errb, ims); code != 1 || !strings.Contains(errb.String(), "2 bytes, want 8192") {
		t.Fatalf("truncated: exit %d %q", code, errb.String())
	}
	out.Reset()
	if code := firmwareCmd([]string{"status", "--dir", t.TempDir()}, &out, &errb, nil); code != 1 ||
		!strings.Contains(out.String(), "SX1301 (Semtech lora_gateway v5.0.1)") || !strings.Contains(out.String(), "sx1301_cal.bin   required missing") ||
		!strings.Contains(out.String(), "SX1302/SX1303") {
		t.Fatalf("status: exit %d\n%s", code, out.String())
	}
}

func TestBoardsGroupedByChip(t *testing.T) {
	var out, errb bytes.Buffer
	if code := cmdBoards(nil, &out, &errb); code != 0 {
		t.Fatal(code)
	}
	s := out.String()
	i302, i301, isim := strings.Index(s, "SX1302/SX1303"), strings.Index(s, "SX1301 (lora_gateway"), strings.Index(s, "simulated:")
	if i302 < 0 || i301 < i302 || isim < i301 {
		t.Fatalf("groups out of order:\n%s", s)
	}
	for _, n := range []string{"rak831", "rak2245", "rak2247-spi", "rak833-spi", "ic880a-spi", "imst-lite", "rhf0m301", "pi-supply-lora-hat", "generic-sx1301", "sx1301-emulated"} {
		if k := strings.Index(s, "  "+n+" "); k < i301 || k > isim {
			t.Errorf("%s not in the SX1301 group", n)
		}
	}
}

// TestChipInfoSX1301: lgw chip info on the SX1301 emulated board (real
// clock: the start takes its ≈2.9 s of radio settling and calibration).
func TestChipInfoSX1301(t *testing.T) {
	if testing.Short() {
		t.Skip("real-time start")
	}
	var out, errb bytes.Buffer
	if code := cmdChipInfo([]string{"--board", "sx1301-emulated", "--firmware-dir", t.TempDir()}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, w := range []string{"model:       SX1301", "eui:         none", "firmware agc: 4", "firmware arb: 1", "firmware cal: 2", "temperature: not fitted"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("output lacks %q:\n%s", w, out.String())
		}
	}
}

func TestConfigCheckSX1301Example(t *testing.T) {
	var out, errb bytes.Buffer
	if code := cmdConfig([]string{"check", "../../examples/sx1301-hat.toml"}, &out, &errb); code != 0 ||
		!strings.Contains(out.String(), "board rak2245") {
		t.Fatalf("exit %d: %s %s", code, out.String(), errb.String())
	}
}

// TestConfigCheckSX1301Limits: lgw config check says what an SX1301
// cannot do that an SX1302 can.
func TestConfigCheckSX1301Limits(t *testing.T) {
	base, err := os.ReadFile("../../examples/sx1301-hat.toml")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, extra, board, want string
	}{
		{"SF6 service channel", "\n[[concentrator.channel]]\nfrequency = 868100000\n[[concentrator.channel]]\nfrequency = 868500000\n[concentrator.service_channel]\nfrequency = 868300000\nspreading_factor = 6\nbandwidth = 125000\n", "",
			"concentrator.service_channel: spreading factor 6: the SX1301 takes 7 to 12 (board rak2245 has an SX1301)"},
		{"channel beyond 462.5 kHz", "\n[[concentrator.radio]]\nfrequency = 867500000\n[[concentrator.channel]]\nfrequency = 868200000\nradio = 0\n", "",
			"concentrator.channel[0]: 868.2 MHz is 700 kHz from radio 0"},
	}
	cases = append(cases, struct{ name, extra, board, want string }{"no gateway id", "", "", "gateway.id: required on board rak2245"})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := string(base) + c.extra
			if c.name == "no gateway id" {
				cfg = strings.Replace(cfg, `id = "b827ebfffe000001"`, "", 1)
			}
			if c.board != "" {
				cfg = strings.Replace(cfg, `board = "rak2245"`, `board = "`+c.board+`"`, 1)
			}
			p := filepath.Join(t.TempDir(), "lgw.toml")
			if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
				t.Fatal(err)
			}
			var out, errb bytes.Buffer
			code := cmdConfig([]string{"check", p}, &out, &errb)
			if c.want == "" {
				if code != 0 {
					t.Fatalf("exit %d: %s", code, errb.String())
				}
				return
			}
			if code != 1 || !strings.Contains(errb.String(), c.want) {
				t.Fatalf("exit %d: %q, want %q", code, errb.String(), c.want)
			}
			// The same plan is fine on an SX1302 board.
			cfg = strings.Replace(cfg, `board = "rak2245"`, `board = "rak2287"`, 1)
			os.WriteFile(p, []byte(cfg), 0o600)
			if code := cmdConfig([]string{"check", p}, &out, &errb); code != 0 {
				t.Errorf("on an SX1302: exit %d", code)
			}
		})
	}
}
