package golden

import (
	"os"
	"path/filepath"
	"testing"
)

// The shared golden data must be found from any package of the module:
// every driver test depends on it.
func TestDirFindsTheSharedData(t *testing.T) {
	for _, chip := range []string{"sx1302", "sx1301"} {
		files, err := filepath.Glob(filepath.Join(Dir(chip), "*.json"))
		if err != nil || len(files) == 0 {
			t.Errorf("%s: no golden JSON in %s (%v): the driver tests need ../shared/golden beside the repository, or %s", chip, Dir(chip), err, EnvDir)
		}
	}
}

func TestDirFollowsTheEnvironment(t *testing.T) {
	d := t.TempDir()
	t.Setenv(EnvDir, d)
	if got, want := Dir("sx1302"), filepath.Join(d, "sx1302"); got != want {
		t.Errorf("Dir = %q, want %q", got, want)
	}
}

func TestModuleRootHoldsGoMod(t *testing.T) {
	if _, err := os.Stat(filepath.Join(moduleRoot(), "go.mod")); err != nil {
		t.Errorf("module root %q: %v", moduleRoot(), err)
	}
}
