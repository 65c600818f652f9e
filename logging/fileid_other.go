//go:build !linux

package logging

import "os"

// fileID is unsupported off Linux (no journald): the console format.
func fileID(*os.File) (dev, ino uint64, ok bool) { return 0, 0, false }
