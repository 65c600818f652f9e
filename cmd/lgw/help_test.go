package main

import (
	"strings"
	"testing"
)

// Every command answers --help (and lgw help COMMAND) on stdout with its
// one-line description, its synopsis and its flags, and exits 0.
func TestEveryCommandHasHelp(t *testing.T) {
	flags := map[string][]string{
		"run": {"-config"}, "tx": {"-freq", "-datr", "-power", "-payload", "-size", "-at", "-socket", "-json"},
		"tail": {"-count", "-socket", "-config"}, "status": {"-socket", "-json"}, "config": {"check FILE", "print"},
	}
	for name, c := range commands() {
		if name == "help" {
			continue
		}
		for _, args := range [][]string{{name, "--help"}, {name, "-h"}, {"help", name}} {
			code, out, errOut := runCLI(args...)
			if code != 0 || errOut != "" {
				t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
			}
			head := "lgw " + name + ": " + c.summary + "\n\nusage: lgw " + name
			if !strings.HasPrefix(out, head) {
				t.Errorf("%v: output starts %q, want %q", args, out[:min(len(out), 80)], head)
			}
			if strings.Count(c.summary, "\n") > 0 || c.summary == "" {
				t.Errorf("%s: summary %q is not one line", name, c.summary)
			}
			for _, f := range flags[name] {
				if !strings.Contains(out, f) {
					t.Errorf("%v: help lacks %q:\n%s", args, f, out)
				}
			}
			if strings.Contains(out, "Usage of ") || strings.Contains(out, "unknown") {
				t.Errorf("%v: raw flag usage or error in help:\n%s", args, out)
			}
		}
	}
	_, a, _ := runCLI("help", "tx")
	_, b, _ := runCLI("tx", "--help")
	if a != b {
		t.Errorf("lgw help tx differs from lgw tx --help:\n%s\n---\n%s", a, b)
	}
	// Help on a subcommand shows that subcommand's flags.
	if code, out, _ := runCLI("classb", "pingslots", "--help"); code != 0 || !strings.Contains(out, "-devaddr") {
		t.Errorf("classb pingslots --help: exit %d\n%s", code, out)
	}
}

func TestTopLevelHelpAndVersion(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"--help"}, {"-h"}, {"help", "--help"}} {
		code, out, _ := runCLI(args...)
		if code != 0 || !strings.Contains(out, "Commands:") || !strings.Contains(out, "  tx ") {
			t.Errorf("%v: exit %d\n%s", args, code, out)
		}
	}
	if code, _, errOut := runCLI(); code != 2 || !strings.Contains(errOut, "Commands:") {
		t.Errorf("no arguments: exit %d", code)
	}
	_, v, _ := runCLI("version")
	for _, args := range [][]string{{"--version"}, {"-version"}} {
		if code, out, _ := runCLI(args...); code != 0 || out != v || !strings.HasPrefix(out, "lgw ") {
			t.Errorf("%v: exit %d %q, want %q", args, code, out, v)
		}
	}
	if code, _, errOut := runCLI("help", "frobnicate"); code != 2 || !strings.Contains(errOut, "unknown command") {
		t.Errorf("help frobnicate: exit %d %q", code, errOut)
	}
}
