package main

import "os"

// Temporary entry point until the lead's cmd/lgw/main.go is merged.
func main() { os.Exit(cmdClassB(os.Args[1:], os.Stdout, os.Stderr)) }
