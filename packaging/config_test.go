// Package packaging holds the files of the lgw .deb packages; this test
// keeps the packaged default configuration valid.
package packaging

import (
	"testing"

	"github.com/lgwagent/lgw/config"
)

func TestPackagedConfigLoads(t *testing.T) {
	cfg, err := config.Load("lgw.toml")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Control.Socket != "/run/lgw/lgw.sock" || cfg.Control.Group != "lgw" || cfg.Storage.Dir != "/var/lib/lgw" {
		t.Errorf("control %+v, storage %+v: the unit and postinst expect /run/lgw/lgw.sock, group lgw, /var/lib/lgw",
			cfg.Control, cfg.Storage)
	}
}
