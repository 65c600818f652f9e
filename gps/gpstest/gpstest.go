// Package gpstest helps test GPS receivers: a pseudo-terminal that stands
// for a serial port, and NMEA sentences with their checksums.
package gpstest

import (
	"fmt"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// OpenPTY returns the master side of a pseudo-terminal and the path of its
// slave, which gps.OpenSerial opens like a serial port. It skips the test
// where the machine has no pseudo-terminals.
func OpenPTY(t testing.TB) (*os.File, string) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	return m, fmt.Sprintf("/dev/pts/%d", n)
}

// Sentence adds the NMEA checksum to body (the text between $ and *).
func Sentence(body string) string {
	var x byte
	for i := 0; i < len(body); i++ {
		x ^= body[i]
	}
	return fmt.Sprintf("$%s*%02X", body, x)
}

// RMC returns an RMC sentence for hhmmss.ss, ddmmyy and validity (A or V).
func RMC(hms, date, validity string) string {
	return Sentence("GPRMC," + hms + "," + validity + ",4851.3960,N,00221.1320,E,0.0,0.0," + date + ",,,A")
}
