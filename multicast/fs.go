package multicast

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// FS is the file system the store uses. The default is the operating
// system's; tests inject one that fails (disk full, read-only) to show the
// manager's degraded behaviour without a real broken disk.
type FS interface {
	// MkdirAll creates a directory and its parents (mode 0700).
	MkdirAll(dir string) error
	// ReadFile reads a whole file.
	ReadFile(path string) ([]byte, error)
	// WriteSync creates or truncates path, writes data and fsyncs it.
	WriteSync(path string, data []byte) error
	// Rename renames a file, replacing the target.
	Rename(from, to string) error
	// Link makes a hard link.
	Link(from, to string) error
	// Remove removes a file.
	Remove(path string) error
	// SyncDir fsyncs a directory so the renames in it are durable.
	SyncDir(dir string) error
}

// OSFS is the operating system's file system.
type OSFS struct{}

var _ FS = OSFS{}

// MkdirAll implements FS.
func (OSFS) MkdirAll(dir string) error { return os.MkdirAll(dir, 0o700) }

// ReadFile implements FS.
func (OSFS) ReadFile(path string) ([]byte, error) { return os.ReadFile(path) }

// WriteSync implements FS.
func (OSFS) WriteSync(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("fsync: %w", err)
	}
	return f.Close()
}

// Rename implements FS.
func (OSFS) Rename(from, to string) error { return os.Rename(from, to) }

// Link implements FS.
func (OSFS) Link(from, to string) error { return os.Link(from, to) }

// Remove implements FS.
func (OSFS) Remove(path string) error { return os.Remove(path) }

// SyncDir implements FS.
func (OSFS) SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Storage conditions, as the state and stats messages show them.
const (
	StorageOK       = "ok"
	StorageFull     = "full"
	StorageReadOnly = "read-only"
	StorageCorrupt  = "corrupt"
	StorageError    = "error"
)

// storageCondition classifies a storage error.
func storageCondition(err error) string {
	var ce *CorruptError
	switch {
	case err == nil:
		return StorageOK
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return StorageFull
	case errors.Is(err, syscall.EROFS), errors.Is(err, os.ErrPermission):
		return StorageReadOnly
	case errors.As(err, &ce):
		return StorageCorrupt
	}
	return StorageError
}
