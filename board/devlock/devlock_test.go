package devlock

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLockRefusesSecondHolderNamingPID(t *testing.T) {
	dev := filepath.Join(t.TempDir(), "spidev0.0")
	if err := os.WriteFile(dev, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := Lock(dev)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Lock(dev)
	var busy *BusyError
	if !errors.As(err, &busy) || busy.PID != os.Getpid() || !strings.Contains(err.Error(), dev) {
		t.Fatalf("second lock: %v, want busy held by pid %d", err, os.Getpid())
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	l2, err := Lock(dev)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	l2.Release()
	if _, err := Lock(filepath.Join(t.TempDir(), "none")); err == nil || errors.As(err, &busy) {
		t.Fatalf("missing device: %v", err)
	}
}
