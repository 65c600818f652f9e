package sx1301

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/lgwagent/lgw/hal/fwimage"
)

// FirmwareLen is the size of each MCU program image: 4096 14-bit words
// stored as 2 bytes (sx1301.md §1.6).
const FirmwareLen = 8192

// Firmware versions the MCUs report at data RAM 0x20 (sx1301.md §1.6).
const (
	CalVersion    = 2
	AGCVersion    = 4
	ARBVersion    = 1
	fwVersionAddr = 0x20
)

// Installed firmware file names (next to the SX1302 images).
const (
	FirmwareCal = "sx1301_cal.bin"
	FirmwareAGC = "sx1301_agc.bin"
	FirmwareARB = "sx1301_arb.bin"
)

// FirmwareImage describes one image: its source in a lora_gateway v5.0.1
// checkout, the installed name, size and SHA-256 (golden start-eu868.json
// `firmware`). lgw never ships the images.
type FirmwareImage = fwimage.Image

// FirmwareState is one image's installation state.
type FirmwareState = fwimage.State

// FirmwareImages lists the three SX1301 images, all required.
func FirmwareImages() []FirmwareImage {
	return []FirmwareImage{
		{Name: FirmwareCal, Var: "libloragw/src/cal_fw.var", Size: FirmwareLen, Required: true,
			SHA256: "0b6a0693b2127f6c12d1663a6579631ae688b2aa820544591f030ac9c055041b"},
		{Name: FirmwareARB, Var: "libloragw/src/arb_fw.var", Size: FirmwareLen, Required: true,
			SHA256: "c93a5a6e9e666a63dd18cccc6bd82ee3df638676b74b5a8b27eca8725615e161"},
		{Name: FirmwareAGC, Var: "libloragw/src/agc_fw.var", Size: FirmwareLen, Required: true,
			SHA256: "08263797ad3b3ecf42de2e30987d436eb6f45cac876cede6b4051bb4f7483929"},
	}
}

// ErrFirmwareMissing is returned when an image is not installed.
var ErrFirmwareMissing = fwimage.ErrMissing

// IsCheckout reports whether dir looks like a lora_gateway checkout (it
// holds agc_fw.var; sx1302_hal names its AGC images agc_fw_sx1250.var and
// agc_fw_sx1257.var).
func IsCheckout(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "libloragw/src/agc_fw.var"))
	return err == nil
}

func loadFirmware(dir, name string) ([]byte, error) {
	return fwimage.Load(dir, name, FirmwareLen, "lora_gateway checkout")
}

// ImportFirmware reads the three .var images of a lora_gateway checkout at
// src, checks size and SHA-256 of each (images nil: FirmwareImages) and
// installs them into dest (fsync, atomic rename). Nothing is installed
// unless all three match.
func ImportFirmware(src, dest string, images []FirmwareImage) ([]string, error) {
	if images == nil {
		images = FirmwareImages()
	}
	res, err := fwimage.Import(src, dest, images, "lora_gateway v5.0.1")
	if err != nil {
		return res.Installed, fmt.Errorf("sx1301: %w", err)
	}
	return res.Installed, nil
}

// FirmwareStatus reports which SX1301 images are installed in dir.
func FirmwareStatus(dir string) []FirmwareState {
	return fwimage.Status(dir, FirmwareImages())
}

// mcu identifies one of the SX1301's two MCUs.
type mcu struct {
	name     string
	rst, mux Reg
}

var (
	mcuARB = mcu{"ARB", McuRst0, McuSelectMux0}
	mcuAGC = mcu{"AGC", McuRst1, McuSelectMux1}
)

// loadMCU writes an image into an MCU's program RAM and reads it back
// (sx1301.md §1.6): reset, host owns the RAM, address 0, burst, one
// throw-away read (the RAM port is pipelined by a byte), burst read-back,
// RAM back to the MCU.
func (d *Dev) loadMCU(m mcu, image string, fw []byte) error {
	b := d.bus
	if err := b.setAll(regVal{m.rst, 1}, regVal{m.mux, 0}, regVal{McuPromAddr, 0}); err != nil {
		return err
	}
	if err := b.burstTo(McuPromData, fw); err != nil {
		return err
	}
	if _, err := b.get(McuPromData); err != nil {
		return err
	}
	back := make([]byte, len(fw))
	if err := b.burstFrom(McuPromData, back); err != nil {
		return err
	}
	if i := mismatch(fw, back); i >= 0 {
		return fmt.Errorf("sx1301 start: %s firmware %s read-back differs at byte %d (wrote 0x%02x, read 0x%02x)",
			m.name, image, i, fw[i], back[i])
	}
	return b.set(m.mux, 1)
}

func mismatch(a, b []byte) int {
	if bytes.Equal(a, b) {
		return -1
	}
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return len(a)
}

// mcuRAM reads a byte of an MCU's data RAM through the debug port.
func (d *Dev) mcuRAM(agc bool, addr byte) (byte, error) {
	ar, dr := DbgArbMcuRamAddr, DbgArbMcuRamData
	if agc {
		ar, dr = DbgAgcMcuRamAddr, DbgAgcMcuRamData
	}
	if err := d.bus.set(ar, int32(addr)); err != nil {
		return 0, err
	}
	v, err := d.bus.get(dr)
	return byte(v), err
}
