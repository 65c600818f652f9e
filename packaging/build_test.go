package packaging

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The packaged binaries are linked with the commit, so `lgw version` on a
// gateway says which source it runs.
func TestPackagedBinaryCarriesTheCommit(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make not installed")
	}
	rev, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		t.Skip("not a git checkout")
	}
	for _, target := range []string{"dist/lgw-linux-armv6", "dist/lgw-linux-arm64", "dist/lgw-linux-amd64", "dist/lgw"} {
		out, err := exec.Command("make", "-n", "-B", "-C", "..", target).CombinedOutput()
		if err != nil {
			t.Fatalf("make -n %s: %v\n%s", target, err, out)
		}
		want := "-X main.commit=" + strings.TrimSpace(string(rev))
		if !strings.Contains(string(out), want) {
			t.Errorf("make %s does not link %q:\n%s", target, want, out)
		}
	}
}

// postinst creates the unit's SupplementaryGroups that the system lacks
// (systemd refuses to start the unit otherwise: 216/GROUP) and puts lgw
// in each. It runs here against stub commands that record their calls.
func TestPostinstCreatesMissingDeviceGroups(t *testing.T) {
	unit, err := os.ReadFile(filepath.Join("..", "systemd", "lgw.service"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^SupplementaryGroups=(.*)$`).FindSubmatch(unit)
	if m == nil {
		t.Fatal("unit has no SupplementaryGroups")
	}
	groups := strings.Fields(string(m[1]))
	bin := t.TempDir()
	log := filepath.Join(t.TempDir(), "calls")
	stub := func(name, body string) {
		script := "#!/bin/sh\necho \"" + name + " $*\" >> " + log + "\n" + body + "\n"
		if err := os.WriteFile(filepath.Join(bin, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// The system has the user and only the dialout group.
	stub("getent", `[ "$1" = passwd ] && exit 0; [ "$2" = dialout ] && exit 0; exit 2`)
	for _, n := range []string{"addgroup", "adduser", "chown", "chmod", "systemctl"} {
		stub(n, "exit 0")
	}
	cmd := exec.Command("sh", filepath.Join("scripts", "postinst"), "configure")
	cmd.Env = append(os.Environ(), "PATH="+bin)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("postinst: %v\n%s", err, out)
	}
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	calls := string(b)
	for _, g := range groups {
		created := strings.Contains(calls, "addgroup --system "+g+"\n")
		if created != (g != "dialout") {
			t.Errorf("group %s: created=%v\n%s", g, created, calls)
		}
		if !strings.Contains(calls, "adduser lgw "+g+"\n") {
			t.Errorf("lgw not added to %s:\n%s", g, calls)
		}
	}
}
