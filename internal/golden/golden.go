// Package golden finds the golden data recorded from the reference drivers
// (Semtech's sx1302_hal and lora_gateway on a chip model), which the
// driver tests use as their expectations. The data lives in the project's
// shared folder beside the repository (../shared/golden/<chip>), not in the
// repository, so that the tests always read the one recorded copy.
package golden

import (
	"os"
	"path/filepath"
)

// EnvDir names the environment variable that, when set, gives the golden
// folder (the one holding sx1302/ and sx1301/) instead of the default.
const EnvDir = "LGW_GOLDEN_DIR"

// Dir returns the folder of chip's golden data ("sx1302", "sx1301"):
// $LGW_GOLDEN_DIR/chip when set, else ../shared/golden/chip beside the
// module root found above the working directory. A test reading a file
// there fails with the path when the folder is missing.
func Dir(chip string) string {
	if d := os.Getenv(EnvDir); d != "" {
		return filepath.Join(d, chip)
	}
	return filepath.Join(moduleRoot(), "..", "shared", "golden", chip)
}

// moduleRoot is the nearest folder above the working directory that holds
// go.mod (go test runs in the package's folder); "." if there is none.
func moduleRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return "."
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return "."
		}
	}
}
