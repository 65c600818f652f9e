package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func runCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := dispatch(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestConfigCheck(t *testing.T) {
	sim := filepath.Join("..", "..", "examples", "sim.toml")
	if code, out, errs := runCLI("config", "check", sim); code != 0 || !strings.Contains(out, "ok") {
		t.Fatalf("check sim.toml: %d %q %q", code, out, errs)
	}
	b, err := os.ReadFile(sim)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.toml")
	if err := os.WriteFile(bad, bytes.Replace(b, []byte(`region = "EU868"`), []byte(`region = "EU969"`), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runCLI("config", "check", bad)
	if code == 0 || !strings.Contains(errs, "gateway.region") || !strings.Contains(errs, "US915") {
		t.Fatalf("EU969: code %d, %q", code, errs)
	}
	unknown := filepath.Join(dir, "unknown.toml")
	if err := os.WriteFile(unknown, bytes.Replace(b, []byte("[control]"), []byte("[control]\nsockett = \"x\""), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errs = runCLI("config", "check", unknown)
	if code == 0 || !strings.Contains(errs, "control.sockett") || !strings.Contains(errs, "unknown key") {
		t.Fatalf("unknown key: code %d, %q", code, errs)
	}
	far := filepath.Join(dir, "far.toml")
	plan := "\n[[concentrator.radio]]\nfrequency = 867500000\n[[concentrator.channel]]\nfrequency = 867100000\n[[concentrator.channel]]\nfrequency = 869100000\n"
	if err := os.WriteFile(far, append(b, plan...), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errs = runCLI("config", "check", far)
	if code == 0 || !strings.Contains(errs, "concentrator.channel[1]: 869.1 MHz (125kHz) is out of reach of both radios") {
		t.Fatalf("channel out of reach: code %d, %q", code, errs)
	}
}

func TestUsageAndVersion(t *testing.T) {
	if code, _, errs := runCLI("frobnicate"); code != 2 || !strings.Contains(errs, "unknown command") {
		t.Fatalf("unknown command: %d %q", code, errs)
	}
	if code, out, _ := runCLI("version"); code != 0 || !strings.HasPrefix(out, "lgw ") {
		t.Fatalf("version: %d %q", code, out)
	}
	if code, out, _ := runCLI("boards"); code != 0 || !strings.Contains(out, "sim") {
		t.Fatalf("boards: %d %q", code, out)
	}
	if code, out, _ := runCLI("config", "print"); code != 0 || !strings.Contains(out, "[gateway]") {
		t.Fatalf("config print: %d", code)
	}
}

// TestRunLogsTrafficAndStopsOnSIGTERM builds the real binary, runs it on
// the simulator with the example traffic, and stops it with SIGTERM.
func TestRunLogsTrafficAndStopsOnSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "lgw")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	root, _ := filepath.Abs(filepath.Join("..", ".."))
	cfg := filepath.Join(dir, "sim.toml")
	b, err := os.ReadFile(filepath.Join(root, "examples", "sim.toml"))
	if err != nil {
		t.Fatal(err)
	}
	// The copy's relative paths resolve against its own directory.
	b = bytes.ReplaceAll(b, []byte(`"../.cache/`), []byte(`"`))
	b = bytes.ReplaceAll(b, []byte(`"traffic.jsonl"`), []byte(`"`+filepath.Join(root, "examples", "traffic.jsonl")+`"`))
	// Nothing may listen on port 1: the daemon must not reach a broker of
	// the machine's own (or another test's daemon) at 127.0.0.1:1883.
	b = bytes.ReplaceAll(b, []byte(`"tcp://127.0.0.1:1883"`), []byte(`"tcp://127.0.0.1:1"`))
	// Uplinks are logged at debug.
	b = bytes.ReplaceAll(b, []byte(`level = "info"`), []byte(`level = "debug"`))
	if err := os.WriteFile(cfg, b, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "run", "--config", cfg)
	cmd.Dir = t.TempDir() // any working directory
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The example traffic starts at 1.0 s; wait for three uplinks.
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	uplinks := 0
	deadline := time.After(30 * time.Second)
	for uplinks < 3 {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("lgw exited early")
			}
			// Not the journal: a timestamp, no priority prefix.
			if strings.Contains(l, "\tdebug\tuplink\t") && strings.Contains(l, `"freq_mhz"`) && l[:2] == "20" {
				uplinks++
			}
		case <-deadline:
			_ = cmd.Process.Kill()
			t.Fatalf("saw %d uplinks in 30 s", uplinks)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		for range lines {
		}
		done <- cmd.Wait()
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("lgw exited with %v after SIGTERM", err)
		}
	case <-time.After(2 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("lgw did not stop within 2 s of SIGTERM")
	}
}

// The example configuration works from any directory: its paths are
// relative to the file.
func TestExampleConfigFromAnotherDirectory(t *testing.T) {
	sim, err := filepath.Abs(filepath.Join("..", "..", "examples", "sim.toml"))
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	cfg, err := loadConfig(sim)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(cfg.Concentrator.Sim.Traffic); err != nil {
		t.Errorf("traffic file: %v", err)
	}
	root := filepath.Dir(filepath.Dir(sim))
	if cfg.Storage.Dir != filepath.Join(root, ".cache", "lgw-state") || cfg.Control.Socket != filepath.Join(root, ".cache", "lgw.sock") {
		t.Errorf("storage %q socket %q, want them under %s/.cache", cfg.Storage.Dir, cfg.Control.Socket, root)
	}
}
