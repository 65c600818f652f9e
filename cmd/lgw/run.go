package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/BurntSushi/toml"
	"go.uber.org/zap"

	"github.com/lgwagent/lgw/agent"
	"github.com/lgwagent/lgw/board"
	"github.com/lgwagent/lgw/config"
	"github.com/lgwagent/lgw/hal/chanplan"
	"github.com/lgwagent/lgw/logging"
	"github.com/lgwagent/lgw/region"
)

// loadConfig reads and validates a configuration file, the board name
// included.
func loadConfig(path string) (config.Config, error) {
	cfg, err := config.Load(path)
	if err != nil {
		return cfg, err
	}
	if err := cfg.ValidateBoard(board.Names()); err != nil {
		return cfg, fmt.Errorf("config %s: %w", path, err)
	}
	b, err := board.Lookup(cfg.Concentrator.Board)
	if err == nil {
		err = b.CheckSPISpeed(cfg.Concentrator.SPISpeed)
	}
	if err == nil {
		err = checkChannels(cfg, b)
	}
	if err == nil && b.Chip == "sx1301" && cfg.Gateway.ID == "" {
		err = &config.Error{Key: "gateway.id", Msg: fmt.Sprintf("required on board %s: the SX1301 has no EUI to default to", b.Name)}
	}
	if err != nil {
		return cfg, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, nil
}

// checkChannels resolves the channel plan under the board's chip, naming
// the key and the chip when the chip cannot receive it.
func checkChannels(cfg config.Config, b *board.Board) error {
	spec, err := cfg.ChannelSpec()
	if err != nil {
		return err
	}
	r, err := region.Lookup(cfg.Gateway.Region)
	if err != nil {
		return err
	}
	err = b.CheckChannels(board.Params{Region: r, Channels: &spec})
	var ce *chanplan.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ce):
		return fmt.Errorf("concentrator.%s: %s (board %s has an %s)", ce.Item, ce.Msg, b.Name, strings.ToUpper(b.Chip))
	}
	return fmt.Errorf("concentrator: board %s (%s): %w", b.Name, strings.ToUpper(b.Chip), err)
}

func cmdRun(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", config.DefaultPath, "configuration file")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: lgw run [--config FILE]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "lgw run: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	procs := limitProcs(os.Getenv)
	cfg, err := loadConfig(*path)
	if err != nil {
		fmt.Fprintf(stderr, "lgw run: %v\n", err)
		return 1
	}
	log, level, err := logging.New(stderr, cfg.Log.Level)
	if err != nil {
		fmt.Fprintf(stderr, "lgw run: %v\n", err)
		return 1
	}
	defer func() { _ = log.Sync() }()
	undo := zap.RedirectStdLog(log.Named("stdlog"))
	defer undo()

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	a, err := agent.New(cfg, agent.Options{Log: log, Level: level, Version: version})
	if err != nil {
		log.Error("configure", zap.Error(err))
		return 1
	}
	log.Info("lgw starting", zap.String("version", version), zap.String("config", *path),
		zap.Int("gomaxprocs", procs))
	if err := a.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		log.Error("lgw failed", zap.Error(err))
		return 1
	}
	log.Info("lgw stopped")
	return 0
}

func cmdConfig(args []string, stdout, stderr io.Writer) int {
	if helpRequested(args) {
		fmt.Fprintln(stdout, "  check FILE   validate a configuration; errors name the key and the allowed values")
		fmt.Fprintln(stdout, "  print        print every key with its default")
		return 0
	}
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: lgw config check FILE | lgw config print")
		return 2
	}
	switch args[0] {
	case "check":
		if len(args) != 2 {
			fmt.Fprintln(stderr, "usage: lgw config check FILE")
			return 2
		}
		cfg, err := loadConfig(args[1])
		if err != nil {
			fmt.Fprintf(stderr, "lgw config check: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "%s: ok (region %s, board %s)\n", args[1], cfg.Gateway.Region, cfg.Concentrator.Board)
		return 0
	case "print":
		if len(args) != 1 {
			fmt.Fprintln(stderr, "usage: lgw config print")
			return 2
		}
		fmt.Fprintln(stdout, "# lgw configuration: every key with its default value.")
		if err := toml.NewEncoder(stdout).Encode(config.Default()); err != nil {
			fmt.Fprintf(stderr, "lgw config print: %v\n", err)
			return 1
		}
		return 0
	}
	fmt.Fprintf(stderr, "lgw config: unknown subcommand %q (want check or print)\n", args[0])
	return 2
}

func cmdBoards(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintln(stderr, "usage: lgw boards")
		return 2
	}
	// Grouped by chip family: SX1302/SX1303, SX1301, then no hardware.
	groups := []struct{ chip, title string }{{"sx1302", "SX1302/SX1303 (sx1302_hal firmware)"},
		{"sx1301", "SX1301 (lora_gateway firmware)"}, {"sim", "simulated"}}
	known := map[string]bool{}
	for _, g := range groups {
		known[g.chip] = true
	}
	for _, b := range board.All() {
		if !known[b.Chip] {
			known[b.Chip] = true
			groups = append(groups, struct{ chip, title string }{b.Chip, b.Chip})
		}
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	for i, g := range groups {
		if i > 0 {
			fmt.Fprintln(tw)
		}
		fmt.Fprintf(tw, "%s:\n  BOARD\tTX RANGE\tDESCRIPTION\n", g.title)
		for _, b := range board.All() {
			if b.Chip == g.chip {
				fmt.Fprintf(tw, "  %s\t%s\t%s\n", b.Name, b.TxFreq, b.Description)
			}
		}
	}
	if err := tw.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}
