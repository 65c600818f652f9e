package main

// TEMPORARY: the cli branch has no cmd/lgw/main.go; this lets package
// main compile and test. The lead deletes this file when merging main.go.

import "os"

var version = "dev"

func main() {
	if len(os.Args) > 1 && isCtlCommand(os.Args[1]) {
		os.Exit(cmdCtl(os.Args[1], os.Args[2:], os.Stdout, os.Stderr))
	}
	os.Stderr.WriteString("lgw " + version + ": only the control commands are built on this branch\n")
	os.Exit(2)
}
