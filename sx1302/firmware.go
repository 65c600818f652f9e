package sx1302

import "github.com/lgwagent/lgw/hal/fwimage"

// FirmwareImage describes one firmware file: where it comes from in
// Semtech's sx1302_hal, where lgw installs it, its size and SHA-256
// (sx1302-bringup.md §4). lgw never ships the images; `lgw firmware import`
// installs them from a local copy of sx1302_hal.
type FirmwareImage = fwimage.Image

// FirmwareState is one image's installation state.
type FirmwareState = fwimage.State

// Firmware file names in the firmware directory.
const (
	FirmwareAGC = "agc_sx1250.bin"
	FirmwareARB = "arb.bin"
)

// FirmwareImages lists the images lgw knows.
func FirmwareImages() []FirmwareImage {
	return []FirmwareImage{
		{Name: FirmwareAGC, Var: "libloragw/src/agc_fw_sx1250.var", Size: FirmwareLen, Required: true,
			SHA256: "8f612e878b946b8c7cc59a5fc27ad33bb18ab92ad6e291d873f5d6bb7daae0d4"},
		{Name: FirmwareARB, Var: "libloragw/src/arb_fw.var", Size: FirmwareLen, Required: true,
			SHA256: "a6f542395e29cd258917f5948d1067ab18e3cf08ce5ee250e2caa08539f80fd0"},
		{Name: "agc_sx125x.bin", Var: "libloragw/src/agc_fw_sx1257.var", Size: FirmwareLen,
			SHA256: "28d05612240627fb9e61ec43eba661e96d24805e1ce62b2d800c8461d400ae66"},
		{Name: "cal_sx125x.bin", Var: "libloragw/src/cal_fw.var", Size: FirmwareLen,
			SHA256: "48b381021068a760d53e6366094f51e35084097f272c801ba8b47e7226d68d44"},
		{Name: "sx1261_pram.bin", Var: "libloragw/src/sx1261_pram.var", Size: 386 * 4, Words: true,
			SHA256: "2f1a728415a38298d07b77ebb1b54c9b9cdfe21fd830bf842d79d73f23b99074"},
	}
}

// ErrFirmwareMissing is returned when a required image is not installed.
var ErrFirmwareMissing = fwimage.ErrMissing

// loadFirmware reads one installed image and checks its size.
func loadFirmware(dir, name string) ([]byte, error) {
	return fwimage.Load(dir, name, FirmwareLen, "sx1302_hal checkout")
}

// ImportOptions configure ImportFirmware.
type ImportOptions struct {
	// Dest is the firmware directory to install into (default
	// DefaultFirmwareDir).
	Dest string
	// Images are the images to import (default FirmwareImages()); tests
	// replace the expected hashes.
	Images []FirmwareImage
}

// ImportResult says what ImportFirmware installed.
type ImportResult = fwimage.Result

// ImportFirmware reads the firmware arrays of a local sx1302_hal copy at
// src, checks each image's size and SHA-256 and installs it as a binary
// file. A required image that is missing or does not match is an error and
// nothing is installed.
func ImportFirmware(src string, opts ImportOptions) (ImportResult, error) {
	if opts.Dest == "" {
		opts.Dest = DefaultFirmwareDir
	}
	if opts.Images == nil {
		opts.Images = FirmwareImages()
	}
	return fwimage.Import(src, opts.Dest, opts.Images, "sx1302_hal 2.1.0")
}

// FirmwareStatus reports which images are installed in dir.
func FirmwareStatus(dir string) []FirmwareState {
	return fwimage.Status(dir, FirmwareImages())
}
