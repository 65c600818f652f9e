// Command lgw is the LoRa gateway agent: the daemon (`lgw run`) and the
// field technician's command line, in one binary.
package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strings"

	// The boards without hardware (sim, the drivers on their emulators).
	_ "github.com/lgwagent/lgw/board/emulated"
)

// Set by the linker: -X main.version=... -X main.commit=...
var (
	version = "dev"
	commit  = "unknown"
)

type command struct {
	// summary is the one-line description; usage the synopsis after
	// "lgw NAME".
	summary, usage string
	run            func(args []string, stdout, stderr io.Writer) int
}

func commands() map[string]command {
	cmds := map[string]command{
		"run":      {"run the gateway daemon (needs an MQTT broker, see README)", "[--config FILE]", cmdRun},
		"config":   {"check or print a configuration", "check FILE | print", cmdConfig},
		"version":  {"print the version, commit and Go version", "", cmdVersion},
		"boards":   {"list the known boards", "", cmdBoards},
		"classb":   {"class B checks: ping slots and beacon frames", "pingslots|beacon [flags]", cmdClassB},
		"firmware": {"chip firmware: install it from sx1302_hal, show what is installed", "import DIR [--dest DIR] | status [--dir DIR]", cmdFirmware},
		"chip":     {"read the chip directly (daemon stopped)", "info --board B [flags]", cmdChip},
		"help":     {"show the commands, or one command's help", "[COMMAND]", nil},
	}
	for _, c := range ctlCommands {
		name := c.name
		cmds[name] = command{c.summary, "[--socket PATH | --config FILE] [--json] " + c.usage,
			func(args []string, stdout, stderr io.Writer) int { return cmdCtl(name, args, stdout, stderr) }}
	}
	return cmds
}

func main() { os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr)) }

func dispatch(args []string, stdout, stderr io.Writer) int {
	cmds := commands()
	if len(args) == 0 {
		usage(stderr, cmds)
		return 2
	}
	switch args[0] {
	case "-h", "-help", "--help":
		usage(stdout, cmds)
		return 0
	case "-version", "--version":
		return cmdVersion(args[1:], stdout, stderr)
	case "help":
		if len(args) == 1 || helpRequested(args[1:2]) {
			usage(stdout, cmds)
			return 0
		}
		if _, ok := cmds[args[1]]; !ok || args[1] == "help" {
			fmt.Fprintf(stderr, "lgw help: unknown command %q\n\n", args[1])
			usage(stderr, cmds)
			return 2
		}
		return help(args[1], cmds[args[1]], append(args[2:], "--help"), stdout)
	}
	c, ok := cmds[args[0]]
	if !ok || c.run == nil {
		fmt.Fprintf(stderr, "lgw: unknown command %q\n\n", args[0])
		usage(stderr, cmds)
		return 2
	}
	if helpRequested(args[1:]) {
		return help(args[0], c, args[1:], stdout)
	}
	return c.run(args[1:], stdout, stderr)
}

// helpRequested reports whether args ask for help (-h, -help or --help
// before a "--").
func helpRequested(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}

// help prints a command's one-line description and synopsis, then what
// the command itself prints for args (its flags, or its subcommand's),
// on stdout, and exits 0. The command stops at the help flag before doing
// anything.
func help(name string, c command, args []string, stdout io.Writer) int {
	fmt.Fprintf(stdout, "lgw %s: %s\n\nusage: lgw %s %s\n", name, c.summary, name, c.usage)
	var buf bytes.Buffer
	c.run(args, &buf, &buf)
	var flags []string
	for _, l := range strings.Split(strings.TrimRight(buf.String(), "\n"), "\n") {
		switch {
		case l == "", strings.HasPrefix(l, "usage: lgw "+name), strings.HasPrefix(l, "Usage of "):
			continue
		}
		flags = append(flags, l)
	}
	if len(flags) > 0 {
		fmt.Fprintf(stdout, "\n%s\n", strings.Join(flags, "\n"))
	}
	return 0
}

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "lgw: LoRa gateway agent\n\nUsage: lgw COMMAND [flags]\n\nCommands:")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'lgw help COMMAND' or 'lgw COMMAND --help' for a command's flags; 'lgw --version' for the version.")
}

func cmdVersion(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintln(stderr, "usage: lgw version")
		return 2
	}
	fmt.Fprintf(stdout, "lgw %s (commit %s, %s, %s/%s)\n", version, commit, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return 0
}
