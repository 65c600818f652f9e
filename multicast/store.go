package multicast

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// storeVersion is the version of the store files' layout.
const storeVersion = 1

// File names in the storage directory.
const (
	groupsFile = "multicast-groups.state"
	queueFile  = "multicast-queue.state"
	lockFile   = "multicast.lock"
)

// CorruptError says a store file failed its checks; the manager refuses to
// start rather than guess (an older frame counter could be reused).
type CorruptError struct {
	Path   string
	Reason string
}

// Error implements error.
func (e *CorruptError) Error() string {
	return fmt.Sprintf("multicast store %s is corrupt (%s); move it away to start empty", e.Path, e.Reason)
}

// encodeStore frames a store body: one header line
// "lgw-multicast <kind> v<version> crc32=<8 hex> len=<n>" then the body.
func encodeStore(kind string, body []byte) []byte {
	h := fmt.Sprintf("lgw-multicast %s v%d crc32=%08x len=%d\n", kind, storeVersion, crc32.ChecksumIEEE(body), len(body))
	return append([]byte(h), body...)
}

// decodeStore checks a store file's header and returns its body.
func decodeStore(path, kind string, data []byte) ([]byte, error) {
	nl := bytes.IndexByte(data, '\n')
	if nl < 0 {
		return nil, &CorruptError{Path: path, Reason: "no header line"}
	}
	f := strings.Fields(string(data[:nl]))
	if len(f) != 5 || f[0] != "lgw-multicast" || f[1] != kind {
		return nil, &CorruptError{Path: path, Reason: "bad header"}
	}
	if f[2] != "v"+strconv.Itoa(storeVersion) {
		return nil, &CorruptError{Path: path, Reason: "unsupported version " + f[2]}
	}
	crc, err1 := strconv.ParseUint(strings.TrimPrefix(f[3], "crc32="), 16, 32)
	n, err2 := strconv.Atoi(strings.TrimPrefix(f[4], "len="))
	if err1 != nil || err2 != nil {
		return nil, &CorruptError{Path: path, Reason: "bad header fields"}
	}
	body := data[nl+1:]
	if len(body) != n {
		return nil, &CorruptError{Path: path, Reason: fmt.Sprintf("length %d, header says %d", len(body), n)}
	}
	if crc32.ChecksumIEEE(body) != uint32(crc) {
		return nil, &CorruptError{Path: path, Reason: "crc mismatch"}
	}
	return body, nil
}

// writeAtomic replaces dir/name with data so that after a crash or power
// cut the file holds either the old or the new content (go-ecosystem.md
// §8): write a temporary file in the same directory, fsync it, rename it
// over the target, fsync the directory.
func writeAtomic(dir, name string, data []byte) error {
	path := filepath.Join(dir, name)
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("fsync %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("rename %s: %w", tmp, err)
	}
	return syncDir(dir)
}

// syncDir fsyncs a directory so a rename in it is durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open dir %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("fsync dir %s: %w", dir, err)
	}
	return nil
}

// readStore reads dir/name; ok is false when the file does not exist.
func readStore(dir, name, kind string) (body []byte, ok bool, err error) {
	path := filepath.Join(dir, name)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read %s: %w", path, err)
	}
	body, err = decodeStore(path, kind, data)
	if err != nil {
		return nil, false, err
	}
	return body, true, nil
}
