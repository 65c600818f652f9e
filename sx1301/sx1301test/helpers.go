package sx1301test

import (
	"os"
	"path/filepath"

	"github.com/lgwagent/lgw/sx1301"
)

// WriteSyntheticFirmware writes the three placeholder images into dir
// under their installed names. They are not Semtech's firmware: only the
// emulator runs them.
func WriteSyntheticFirmware(dir string) error {
	for _, im := range sx1301.FirmwareImages() {
		if err := os.WriteFile(filepath.Join(dir, im.Name), SyntheticFirmware(im.Name), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Stats are the emulator's RX counters: uplinks no IF chain received and
// records lost to a full FIFO.
func (c *Chip) Stats() (unplaced, overflow int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rx.unplaced, c.rx.overflow
}

// MCUs reports the images the ARB and AGC MCUs run ("no image",
// "calibration", "AGC", "ARB") and whether receive runs.
func (c *Chip) MCUs() (arb, agc string, ready bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.mcus[0].running.String(), c.mcus[1].running.String(), c.agcReady()
}

// FIFOLen is the number of records waiting in the RX FIFO.
func (c *Chip) FIFOLen() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.rx.recs)
}

// Transactions counts the SPI transactions so far.
func (c *Chip) Transactions() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.txCount
}
