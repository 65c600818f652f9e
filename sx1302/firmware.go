package sx1302

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// FirmwareImage describes one firmware file: where it comes from in
// Semtech's sx1302_hal, where lgw installs it, its size and SHA-256
// (sx1302-bringup.md §4). lgw never ships the images; `lgw firmware import`
// installs them from a local copy of sx1302_hal.
type FirmwareImage struct {
	// Name is the installed file name in the firmware directory.
	Name string
	// Var is the source file, relative to the sx1302_hal root.
	Var string
	// Size is the image size in bytes.
	Size int
	// SHA256 is the hex SHA-256 of the raw image bytes.
	SHA256 string
	// Words is set when the .var array holds 32-bit words, installed
	// big-endian.
	Words bool
	// Required is set for the images an SX1250 board needs to start.
	Required bool
}

// Firmware file names in the firmware directory.
const (
	FirmwareAGC = "agc_sx1250.bin"
	FirmwareARB = "arb.bin"
)

// FirmwareImages lists the images lgw knows.
func FirmwareImages() []FirmwareImage {
	return []FirmwareImage{
		{Name: FirmwareAGC, Var: "libloragw/src/agc_fw_sx1250.var", Size: FirmwareLen, Required: true,
			SHA256: "8f612e878b946b8c7cc59a5fc27ad33bb18ab92ad6e291d873f5d6bb7daae0d4"},
		{Name: FirmwareARB, Var: "libloragw/src/arb_fw.var", Size: FirmwareLen, Required: true,
			SHA256: "a6f542395e29cd258917f5948d1067ab18e3cf08ce5ee250e2caa08539f80fd0"},
		{Name: "agc_sx125x.bin", Var: "libloragw/src/agc_fw_sx1257.var", Size: FirmwareLen,
			SHA256: "28d05612240627fb9e61ec43eba661e96d24805e1ce62b2d800c8461d400ae66"},
		{Name: "cal_sx125x.bin", Var: "libloragw/src/cal_fw.var", Size: FirmwareLen,
			SHA256: "48b381021068a760d53e6366094f51e35084097f272c801ba8b47e7226d68d44"},
		{Name: "sx1261_pram.bin", Var: "libloragw/src/sx1261_pram.var", Size: 386 * 4, Words: true,
			SHA256: "2f1a728415a38298d07b77ebb1b54c9b9cdfe21fd830bf842d79d73f23b99074"},
	}
}

// ErrFirmwareMissing is returned when a required image is not installed.
var ErrFirmwareMissing = errors.New("firmware not installed")

// loadFirmware reads one installed image and checks its size.
func loadFirmware(dir, name string) ([]byte, error) {
	p := filepath.Join(dir, name)
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s not found; run `lgw firmware import <sx1302_hal checkout>` (or set concentrator.firmware_dir)", ErrFirmwareMissing, p)
	}
	if err != nil {
		return nil, fmt.Errorf("firmware %s: %w", p, err)
	}
	if len(b) != FirmwareLen {
		return nil, fmt.Errorf("firmware %s: %d bytes, want %d; re-run `lgw firmware import`", p, len(b), FirmwareLen)
	}
	return b, nil
}

// ImportOptions configure ImportFirmware.
type ImportOptions struct {
	// Dest is the firmware directory to install into (default
	// DefaultFirmwareDir).
	Dest string
	// Images are the images to import (default FirmwareImages()); tests
	// replace the expected hashes.
	Images []FirmwareImage
}

// ImportResult says what ImportFirmware installed.
type ImportResult struct {
	Installed []string
	// Skipped are optional images absent from the source.
	Skipped []string
}

// ImportFirmware reads the firmware arrays of a local sx1302_hal copy at
// src, checks each image's size and SHA-256 and installs it as a binary
// file. A required image that is missing or does not match is an error and
// nothing is installed.
func ImportFirmware(src string, opts ImportOptions) (ImportResult, error) {
	if opts.Dest == "" {
		opts.Dest = DefaultFirmwareDir
	}
	if opts.Images == nil {
		opts.Images = FirmwareImages()
	}
	var res ImportResult
	bins := map[string][]byte{}
	for _, im := range opts.Images {
		text, err := os.ReadFile(filepath.Join(src, im.Var))
		if errors.Is(err, os.ErrNotExist) && !im.Required {
			res.Skipped = append(res.Skipped, im.Name)
			continue
		}
		if err != nil {
			return ImportResult{}, fmt.Errorf("firmware import: %w", err)
		}
		b, err := ParseVar(text, im.Words)
		if err != nil {
			return ImportResult{}, fmt.Errorf("firmware import %s: %w", im.Var, err)
		}
		if len(b) != im.Size {
			return ImportResult{}, fmt.Errorf("firmware import %s: %d bytes, want %d", im.Var, len(b), im.Size)
		}
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:]); !strings.EqualFold(got, im.SHA256) {
			return ImportResult{}, fmt.Errorf("firmware import %s: SHA-256 %s, want %s (only sx1302_hal 2.1.0 images are known)", im.Var, got, im.SHA256)
		}
		bins[im.Name] = b
	}
	if err := os.MkdirAll(opts.Dest, 0o755); err != nil {
		return ImportResult{}, fmt.Errorf("firmware import: %w", err)
	}
	for _, im := range opts.Images {
		b, ok := bins[im.Name]
		if !ok {
			continue
		}
		p := filepath.Join(opts.Dest, im.Name)
		tmp := p + ".tmp"
		if err := os.WriteFile(tmp, b, 0o644); err != nil {
			return ImportResult{}, fmt.Errorf("firmware import: %w", err)
		}
		if err := os.Rename(tmp, p); err != nil {
			return ImportResult{}, fmt.Errorf("firmware import: %w", err)
		}
		res.Installed = append(res.Installed, p)
	}
	return res, nil
}

// ParseVar extracts the array of a Semtech .var file: the hex numbers
// between the first '{' and the next '}', bytes in order, or 32-bit words
// serialised big-endian when words is set.
func ParseVar(text []byte, words bool) ([]byte, error) {
	i := bytes.IndexByte(text, '{')
	j := bytes.IndexByte(text[max(i, 0):], '}')
	if i < 0 || j < 0 {
		return nil, errors.New("no {...} array found")
	}
	body := text[i+1 : i+j]
	// Drop comments.
	var clean []byte
	for len(body) > 0 {
		if bytes.HasPrefix(body, []byte("/*")) {
			k := bytes.Index(body, []byte("*/"))
			if k < 0 {
				return nil, errors.New("unterminated comment")
			}
			body = body[k+2:]
			continue
		}
		if bytes.HasPrefix(body, []byte("//")) {
			k := bytes.IndexByte(body, '\n')
			if k < 0 {
				break
			}
			body = body[k:]
			continue
		}
		clean = append(clean, body[0])
		body = body[1:]
	}
	var out []byte
	for n, tok := range strings.Split(string(clean), ",") {
		tok = strings.TrimSpace(tok)
		if tok == "" {
			continue
		}
		bits := 8
		if words {
			bits = 32
		}
		v, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSuffix(tok, "u"), "U"), 0, bits)
		if err != nil {
			return nil, fmt.Errorf("element %d %q: not a %d-bit number", n, tok, bits)
		}
		if words {
			out = append(out, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
		} else {
			out = append(out, byte(v))
		}
	}
	return out, nil
}

// FirmwareState is one image's installation state.
type FirmwareState struct {
	Image FirmwareImage
	Path  string
	// Installed is set when the file exists; Size and SHA256 are its own.
	Installed bool
	Size      int
	SHA256    string
	// Known is set when the file matches the expected hash.
	Known bool
}

// FirmwareStatus reports which images are installed in dir.
func FirmwareStatus(dir string) []FirmwareState {
	var out []FirmwareState
	for _, im := range FirmwareImages() {
		st := FirmwareState{Image: im, Path: filepath.Join(dir, im.Name)}
		if b, err := os.ReadFile(st.Path); err == nil {
			sum := sha256.Sum256(b)
			st.Installed, st.Size, st.SHA256 = true, len(b), hex.EncodeToString(sum[:])
			st.Known = st.SHA256 == im.SHA256
		}
		out = append(out, st)
	}
	return out
}
