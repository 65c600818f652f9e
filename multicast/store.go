package multicast

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
)

// storeVersion is the version of the store files' layout.
const storeVersion = 1

// File names in the storage directory. Each store file has a previous
// generation beside it (prevSuffix), the content it held before the last
// write, so one damaged file falls back one step instead of to nothing.
const (
	groupsFile = "multicast-groups.state"
	queueFile  = "multicast-queue.state"
	// ledgerFile keeps what must survive the loss of either other file:
	// the frame-counter high-water marks and the accepted messages not yet
	// ended.
	ledgerFile = "multicast-ledger.state"
	lockFile   = "multicast.lock"
	prevSuffix = ".prev"
	tmpSuffix  = ".tmp"
)

// storeFiles lists the store files in load order.
var storeFiles = []string{groupsFile, queueFile, ledgerFile}

// CorruptError says a store file failed its checks.
type CorruptError struct {
	Path   string
	Reason string
}

// Error implements error.
func (e *CorruptError) Error() string {
	return fmt.Sprintf("multicast store %s is corrupt (%s)", e.Path, e.Reason)
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
		return nil, &CorruptError{Path: path, Reason: "unsupported version"}
	}
	crc, err1 := strconv.ParseUint(strings.TrimPrefix(f[3], "crc32="), 16, 32)
	n, err2 := strconv.Atoi(strings.TrimPrefix(f[4], "len="))
	if err1 != nil || err2 != nil || !strings.HasPrefix(f[3], "crc32=") || !strings.HasPrefix(f[4], "len=") {
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

// store reads and writes the store files of one directory through an FS.
type store struct {
	fs  FS
	dir string
	// good says the current file of a name holds a good generation: only
	// then does a write keep it as the previous one.
	good map[string]bool
}

func newStore(fsys FS, dir string) *store {
	return &store{fs: fsys, dir: dir, good: map[string]bool{}}
}

func (s *store) path(name string) string { return filepath.Join(s.dir, name) }

// write replaces name with data so that after a crash or power cut the
// file holds either the old or the new content: write a temporary file,
// fsync it, keep the current good file as the previous generation (a hard
// link, renamed into place), rename the temporary over the target, fsync
// the directory. A failed write removes its temporary file.
func (s *store) write(name, kind string, body []byte) error {
	path := s.path(name)
	tmp := path + tmpSuffix
	if err := s.fs.WriteSync(tmp, encodeStore(kind, body)); err != nil {
		_ = s.fs.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if s.good[name] {
		if err := s.keepPrevious(path); err != nil {
			_ = s.fs.Remove(tmp)
			return err
		}
	}
	if err := s.fs.Rename(tmp, path); err != nil {
		_ = s.fs.Remove(tmp)
		return fmt.Errorf("rename %s: %w", tmp, err)
	}
	s.good[name] = true
	if err := s.fs.SyncDir(s.dir); err != nil {
		return fmt.Errorf("fsync dir %s: %w", s.dir, err)
	}
	return nil
}

// keepPrevious makes path's current content the previous generation.
func (s *store) keepPrevious(path string) error {
	prev, ptmp := path+prevSuffix, path+prevSuffix+tmpSuffix
	_ = s.fs.Remove(ptmp)
	if err := s.fs.Link(path, ptmp); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil // nothing to keep
		}
		return fmt.Errorf("keep %s: %w", prev, err)
	}
	if err := s.fs.Rename(ptmp, prev); err != nil {
		_ = s.fs.Remove(ptmp)
		return fmt.Errorf("keep %s: %w", prev, err)
	}
	return nil
}

// genResult is what reading one store file found.
type genResult struct {
	body []byte
	// from is the path the body came from (the previous generation when
	// the current one was bad); empty when neither exists.
	from string
	// bad lists the generations that exist but cannot be used, with why.
	bad []error
}

// read returns the newest good generation of name. A generation that
// exists but fails its checks (or cannot be read) is listed in bad; a
// missing one is not.
func (s *store) read(name, kind string, check func([]byte) error) genResult {
	var r genResult
	for _, p := range []string{s.path(name), s.path(name) + prevSuffix} {
		data, err := s.fs.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			r.bad = append(r.bad, fmt.Errorf("read %s: %w", p, err))
			continue
		}
		body, err := decodeStore(p, kind, data)
		if err == nil && check != nil {
			if cerr := check(body); cerr != nil {
				err = &CorruptError{Path: p, Reason: cerr.Error()}
			}
		}
		if err != nil {
			r.bad = append(r.bad, err)
			continue
		}
		r.body, r.from = body, p
		s.good[name] = p == s.path(name)
		return r
	}
	return r
}

// removeStaleTemp removes temporary files a crash left behind.
func (s *store) removeStaleTemp() {
	for _, n := range storeFiles {
		_ = s.fs.Remove(s.path(n + tmpSuffix))
		_ = s.fs.Remove(s.path(n + prevSuffix + tmpSuffix))
	}
}

// quarantine moves every generation of name aside (suffix .bad) so a
// fresh start does not read it again; it is kept for a post-mortem.
func (s *store) quarantine(name string) error {
	for _, p := range []string{s.path(name), s.path(name) + prevSuffix} {
		if err := s.fs.Rename(p, p+".bad"); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("move %s aside: %w", p, err)
		}
	}
	s.good[name] = false
	return nil
}
