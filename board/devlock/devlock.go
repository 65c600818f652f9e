// Package devlock gives a process exclusive use of a device node (the
// concentrator's SPI device) with an advisory flock.
package devlock

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// BusyError says another process holds a device.
type BusyError struct {
	Device string
	// PID is the holder's process ID (0: unknown).
	PID int
}

// Error implements error.
func (e *BusyError) Error() string {
	who := "another process"
	if e.PID > 0 {
		who = fmt.Sprintf("another process (pid %d)", e.PID)
	}
	return fmt.Sprintf("%s is in use by %s, probably a running lgw; stop it first (systemctl stop lgw)", e.Device, who)
}

// DeviceLock is an exclusive flock on a device node, held until Release.
type DeviceLock struct{ f *os.File }

// Lock takes an exclusive, non-blocking flock on path, so that two
// lgw processes never drive the same concentrator. When another process
// holds it, the error is a *BusyError naming the holder's PID (read from
// /proc/locks).
func Lock(path string) (*DeviceLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		defer f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, &BusyError{Device: path, PID: flockHolder(f)}
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return &DeviceLock{f: f}, nil
}

// Release drops the lock.
func (l *DeviceLock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// flockHolder finds the PID holding a FLOCK on f's inode in /proc/locks
// (0 when it cannot tell).
func flockHolder(f *os.File) int {
	st, err := f.Stat()
	if err != nil {
		return 0
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return 0
	}
	pl, err := os.Open("/proc/locks")
	if err != nil {
		return 0
	}
	defer pl.Close()
	dev := uint64(sys.Dev)
	want := fmt.Sprintf("%02x:%02x:%d", unix.Major(dev), unix.Minor(dev), sys.Ino)
	sc := bufio.NewScanner(pl)
	for sc.Scan() {
		// "1: FLOCK  ADVISORY  WRITE 1234 08:02:131 0 EOF"
		fs := strings.Fields(sc.Text())
		if len(fs) >= 6 && fs[1] == "FLOCK" && fs[5] == want {
			if pid, err := strconv.Atoi(fs[4]); err == nil {
				return pid
			}
		}
	}
	return 0
}
