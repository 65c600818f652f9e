package config

import (
	"os"
	"path/filepath"
	"testing"
)

// Relative paths in a file are relative to the file's directory; absolute
// and empty ones stay.
func TestLoadResolvesPathsAgainstTheFile(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "conf")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	text := `[concentrator]
firmware_dir = "fw"
[concentrator.sim]
traffic = "../traffic.jsonl"
[mqtt]
ca_cert = "/etc/ssl/ca.pem"
[storage]
dir = "state"
[control]
socket = "../run/lgw.sock"
`
	p := filepath.Join(sub, "lgw.toml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir()) // somewhere else entirely
	cfg, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	for key, got := range map[string][2]string{
		"firmware_dir": {cfg.Concentrator.FirmwareDir, filepath.Join(sub, "fw")},
		"sim.traffic":  {cfg.Concentrator.Sim.Traffic, filepath.Join(dir, "traffic.jsonl")},
		"ca_cert":      {cfg.MQTT.CACert, "/etc/ssl/ca.pem"},
		"client_cert":  {cfg.MQTT.ClientCert, ""},
		"storage.dir":  {cfg.Storage.Dir, filepath.Join(sub, "state")},
		"socket":       {cfg.Control.Socket, filepath.Join(dir, "run", "lgw.sock")},
	} {
		if got[0] != got[1] {
			t.Errorf("%s = %q, want %q", key, got[0], got[1])
		}
	}
	// A relative --config resolves too.
	t.Chdir(dir)
	cfg, err = Load(filepath.Join("conf", "lgw.toml"))
	if err != nil || cfg.Storage.Dir != filepath.Join(sub, "state") {
		t.Errorf("relative config path: storage %q, %v", cfg.Storage.Dir, err)
	}
}
