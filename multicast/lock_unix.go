//go:build unix

package multicast

import (
	"fmt"
	"os"
	"syscall"
)

// lockDir takes an exclusive lock on the storage directory so two agents
// never share frame counters. The kernel drops it when the process dies.
func lockDir(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s (another agent uses this storage directory?): %w", path, err)
	}
	return f, nil
}
