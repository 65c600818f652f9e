// Package fwimage handles the concentrators' MCU firmware files: lgw never
// ships them; `lgw firmware import` extracts them from the .var arrays of a
// local copy of Semtech's sources, checks size and SHA-256 and installs
// them as binary files, which the drivers load at start. Both drivers (the
// SX1302's sx1302_hal images and the SX1301's lora_gateway ones) use it.
package fwimage

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Image describes one firmware file.
type Image struct {
	// Name is the installed file name in the firmware directory.
	Name string
	// Var is the source file, relative to the root of Semtech's sources.
	Var string
	// Size is the image size in bytes.
	Size int
	// SHA256 is the hex SHA-256 of the raw image bytes.
	SHA256 string
	// Words is set when the .var array holds 32-bit words, installed
	// big-endian.
	Words bool
	// Required is set for the images the chip needs to start: Import
	// fails without them, and skips the others when absent.
	Required bool
}

// ErrMissing is returned when an image is not installed.
var ErrMissing = errors.New("firmware not installed")

// Load reads an installed image from dir and checks its size. source names
// what `lgw firmware import` wants in the error ("sx1302_hal checkout").
func Load(dir, name string, size int, source string) ([]byte, error) {
	p := filepath.Join(dir, name)
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s not found; run `lgw firmware import <%s>` (or set concentrator.firmware_dir)", ErrMissing, p, source)
	}
	if err != nil {
		return nil, fmt.Errorf("firmware %s: %w", p, err)
	}
	if len(b) != size {
		return nil, fmt.Errorf("firmware %s: %d bytes, want %d; re-run `lgw firmware import`", p, len(b), size)
	}
	return b, nil
}

// Result says what Import installed.
type Result struct {
	Installed []string
	// Skipped are optional images absent from the source.
	Skipped []string
}

// Import reads the images' .var arrays under src, checks each one's size
// and SHA-256 and installs it into dest (fsync, then atomic rename). A
// required image that is missing or does not match is an error, and then
// nothing is installed. known names the sources whose images match, for
// the error ("sx1302_hal 2.1.0").
func Import(src, dest string, images []Image, known string) (Result, error) {
	var res Result
	bins := map[string][]byte{}
	for _, im := range images {
		text, err := os.ReadFile(filepath.Join(src, im.Var))
		if errors.Is(err, os.ErrNotExist) && !im.Required {
			res.Skipped = append(res.Skipped, im.Name)
			continue
		}
		if err != nil {
			return Result{}, fmt.Errorf("firmware import: %w", err)
		}
		b, err := ParseVar(text, im.Words)
		if err != nil {
			return Result{}, fmt.Errorf("firmware import %s: %w", im.Var, err)
		}
		if len(b) != im.Size {
			return Result{}, fmt.Errorf("firmware import %s: %d bytes, want %d", im.Var, len(b), im.Size)
		}
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:]); !strings.EqualFold(got, im.SHA256) {
			return Result{}, fmt.Errorf("firmware import %s: SHA-256 %s, want %s (only %s images are known)", im.Var, got, im.SHA256, known)
		}
		bins[im.Name] = b
	}
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return Result{}, fmt.Errorf("firmware import: %w", err)
	}
	for _, im := range images {
		b, ok := bins[im.Name]
		if !ok {
			continue
		}
		p := filepath.Join(dest, im.Name)
		if err := writeAtomic(p, b); err != nil {
			return res, fmt.Errorf("firmware import: %w", err)
		}
		res.Installed = append(res.Installed, p)
	}
	return res, nil
}

// writeAtomic writes b to p through a synced temporary file renamed over
// it, so a power cut leaves the old file or the new one.
func writeAtomic(p string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(p), ".fw-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(f.Name(), p)
}

// State is one image's installation state.
type State struct {
	Image Image
	Path  string
	// Installed is set when the file exists; Size and SHA256 are its own.
	Installed bool
	Size      int
	SHA256    string
	// Known is set when the file matches the expected hash.
	Known bool
}

// Status reports which of images are installed in dir.
func Status(dir string, images []Image) []State {
	var out []State
	for _, im := range images {
		st := State{Image: im, Path: filepath.Join(dir, im.Name)}
		if b, err := os.ReadFile(st.Path); err == nil {
			sum := sha256.Sum256(b)
			st.Installed, st.Size, st.SHA256 = true, len(b), hex.EncodeToString(sum[:])
			st.Known = strings.EqualFold(st.SHA256, im.SHA256)
		}
		out = append(out, st)
	}
	return out
}

// WriteStatus writes one line per state (name, required or optional, and
// ok, missing or the unknown file's size and hash) and reports whether
// every required image is installed and known.
func WriteStatus(w io.Writer, states []State) bool {
	complete := true
	for _, st := range states {
		state := "missing"
		switch {
		case st.Installed && st.Known:
			state = "ok"
		case st.Installed:
			state = fmt.Sprintf("unknown image (%d bytes, sha256 %s)", st.Size, st.SHA256)
		}
		req := "optional"
		if st.Image.Required {
			req = "required"
			complete = complete && st.Installed && st.Known
		}
		fmt.Fprintf(w, "%-16s %-8s %s\n", st.Image.Name, req, state)
	}
	return complete
}

// ParseVar extracts the array of a Semtech .var file: the numbers between
// the first '{' and the next '}', comments dropped, bytes in order, or
// 32-bit words serialised big-endian when words is set.
func ParseVar(text []byte, words bool) ([]byte, error) {
	i := bytes.IndexByte(text, '{')
	j := bytes.IndexByte(text[max(i, 0):], '}')
	if i < 0 || j < 0 {
		return nil, errors.New("no {...} array found")
	}
	clean, err := dropComments(text[i+1 : i+j])
	if err != nil {
		return nil, err
	}
	bits := 8
	if words {
		bits = 32
	}
	var out []byte
	for n, tok := range strings.Split(string(clean), ",") {
		tok = strings.TrimSpace(tok)
		if tok == "" {
			continue
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

// dropComments removes /* */ and // comments from body.
func dropComments(body []byte) ([]byte, error) {
	var clean []byte
	for len(body) > 0 {
		switch {
		case bytes.HasPrefix(body, []byte("/*")):
			k := bytes.Index(body, []byte("*/"))
			if k < 0 {
				return nil, errors.New("unterminated comment")
			}
			body = body[k+2:]
		case bytes.HasPrefix(body, []byte("//")):
			k := bytes.IndexByte(body, '\n')
			if k < 0 {
				return clean, nil
			}
			body = body[k:]
		default:
			clean = append(clean, body[0])
			body = body[1:]
		}
	}
	return clean, nil
}
