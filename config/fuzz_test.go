package config_test

import (
	"errors"
	"testing"

	"github.com/lgwagent/lgw/config"
)

// FuzzParse feeds arbitrary text to the TOML loader: no panic, and every
// refusal is a *config.Error (naming the key) or a *config.SyntaxError.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"",
		"[gateway]\nregion = \"US915\"\nid = \"0016c001ff10a235\"\n",
		"[mqtt]\nserver = \"ssl://broker:8883\"\nbuffer_size = 5\nspool_max = 100\nspool_dir = \"/var/lib/lgw/spool\"\n",
		"[concentrator]\nboard = \"sim\"\nspi_speed = 99999999999999999999\n",
		"[scheduler]\nmin_lead = \"10x\"\n",
		"[gateway]\nregion = 5\n",
		"[[x]]\n[x.y]\nz = [1, \"a\"]\n",
		"a = {b = {c = {d = 1}}}\n",
		"[mqtt]\nkeepalive = \"-1s\"\nrate_limit = nan\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		_, err := config.Parse(text)
		if err == nil {
			return
		}
		var ke *config.Error
		var se *config.SyntaxError
		if !errors.As(err, &ke) && !errors.As(err, &se) {
			t.Fatalf("untyped error %T: %v", err, err)
		}
	})
}
