//go:build !unix

package multicast

import (
	"fmt"
	"os"
)

// lockDir opens the lock file; without flock the directory is not
// protected against a second agent.
func lockDir(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return f, nil
}
