// Command lgw is the LoRa gateway agent: the daemon (`lgw run`) and the
// field technician's command line, in one binary.
package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"

	// The boards without hardware (sim, the drivers on their emulators).
	_ "github.com/lgwagent/lgw/board/emulated"
)

// Set by the linker: -X main.version=... -X main.commit=...
var (
	version = "dev"
	commit  = "unknown"
)

type command struct {
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

func commands() map[string]command {
	cmds := map[string]command{
		"run":      {"run the gateway daemon: lgw run [--config FILE]", cmdRun},
		"config":   {"check or print a configuration: lgw config check FILE | lgw config print", cmdConfig},
		"version":  {"print the version", cmdVersion},
		"boards":   {"list the known boards", cmdBoards},
		"classb":   {"class B checks: lgw classb pingslots|beacon ...", cmdClassB},
		"firmware": {"chip firmware: lgw firmware import DIR | lgw firmware status", cmdFirmware},
		"chip":     {"read the chip directly (daemon stopped): lgw chip info --board B", cmdChip},
	}
	for _, c := range ctlCommands {
		name := c.name
		cmds[name] = command{c.summary, func(args []string, stdout, stderr io.Writer) int {
			return cmdCtl(name, args, stdout, stderr)
		}}
	}
	return cmds
}

func main() { os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr)) }

func dispatch(args []string, stdout, stderr io.Writer) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout, cmds)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "lgw: unknown command %q\n\n", args[0])
		usage(stderr, cmds)
		return 2
	}
	return c.run(args[1:], stdout, stderr)
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
	fmt.Fprintln(w, "\nRun 'lgw COMMAND -h' for a command's flags.")
}

func cmdVersion(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintln(stderr, "usage: lgw version")
		return 2
	}
	fmt.Fprintf(stdout, "lgw %s (commit %s, %s, %s/%s)\n", version, commit, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return 0
}
