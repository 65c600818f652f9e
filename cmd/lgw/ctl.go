package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/lgwagent/lgw/config"
	"github.com/lgwagent/lgw/control"
)

// ctlCommand is one command cmdCtl serves: its usage and summary, its own
// flags and arguments, and what it does once connected.
type ctlCommand struct {
	name, usage, summary string
	// flags registers the command's own flags (nil: none).
	flags func(fs *flag.FlagSet, r *ctlRun)
	// args checks the positional arguments (nil: none allowed); an error
	// is a usage error.
	args func(rest []string, r *ctlRun) error
	// run does the command on a connected client.
	run func(ctx context.Context, c *control.Client, r *ctlRun, stdout, stderr io.Writer) int
}

// ctlRun is one invocation: the common options and what the command's
// flags and arguments gave.
type ctlRun struct {
	name  string
	opts  ctlOpts
	tx    txFlags
	txReq control.TxRequest
	count int
	level string
}

// ctlCommands are the commands cmdCtl serves.
var ctlCommands = []ctlCommand{
	{name: "status", summary: "concentrator, time reference, MQTT, queue, last RX/TX, uptime",
		run: query(printStatus)},
	{name: "queue", summary: "scheduled transmissions",
		run: query(printQueue)},
	{name: "groups", summary: "multicast groups",
		run: query(printGroups)},
	{name: "sessions", summary: "multicast sessions",
		run: query(printSessions)},
	{name: "stats", summary: "counters since the daemon started",
		run: query(printStats)},
	{name: "log-level", usage: "LEVEL", summary: "set the daemon's log level (debug, info, warn, error)",
		args: logLevelArgs, run: runLogLevel},
	{name: "tx", usage: "--freq F --datr DR [--power DBM] (--payload HEX | --size N) [--at WHEN]",
		summary: "test transmission through the scheduler; waits for its result",
		flags:   func(fs *flag.FlagSet, r *ctlRun) { r.tx.register(fs) }, args: txArgs,
		run: func(ctx context.Context, c *control.Client, r *ctlRun, stdout, stderr io.Writer) int {
			return runTx(ctx, c, r.txReq, r.opts.json, txNotice, stdout, stderr)
		}},
	{name: "tail", usage: "[--count N]", summary: "live uplinks and reports until Ctrl-C",
		flags: func(fs *flag.FlagSet, r *ctlRun) {
			fs.IntVar(&r.count, "count", 0, "stop after N events (0: until Ctrl-C)")
		}, args: tailArgs,
		run: func(ctx context.Context, c *control.Client, r *ctlRun, stdout, stderr io.Writer) int {
			return runTail(ctx, c, r.count, r.opts.json, stdout, stderr)
		}},
}

// ctlCommandOf returns the command of a name.
func ctlCommandOf(name string) (ctlCommand, bool) {
	for _, c := range ctlCommands {
		if c.name == name {
			return c, true
		}
	}
	return ctlCommand{}, false
}

// isCtlCommand reports whether cmdCtl serves name.
func isCtlCommand(name string) bool {
	_, ok := ctlCommandOf(name)
	return ok
}

// daemonRunning reports whether an lgw daemon answers on socket; the
// direct chip commands (lgw chip info) refuse to run when it does, since
// the daemon owns the SPI port.
func daemonRunning(socket string) bool { return control.Probe(socket, 2*time.Second) }

// ctlTimeout bounds a control request other than tx and tail on the
// client side (the daemon's own deadline is shorter).
const ctlTimeout = 30 * time.Second

// ctlOpts are the flags every control command takes.
type ctlOpts struct {
	socket string
	config string
	json   bool
}

// resolveSocket picks the socket: --socket, else the --config file's
// control.socket, else the default.
func (o *ctlOpts) resolveSocket() (string, error) {
	if o.socket != "" {
		return o.socket, nil
	}
	if o.config != "" {
		cfg, err := config.Load(o.config)
		if err != nil {
			return "", err
		}
		if cfg.Control.Socket != "" {
			return cfg.Control.Socket, nil
		}
	}
	return control.DefaultSocket, nil
}

// startHint says how to start the daemon the command looked for: the
// packaged service for the packaged configuration, else lgw run with the
// configuration given.
func (o *ctlOpts) startHint(socket string) string {
	switch {
	case o.config != "" && o.config != config.DefaultPath:
		return "start it with lgw run --config " + o.config
	case o.config == "" && socket != control.DefaultSocket:
		return "start the lgw daemon whose control.socket is " + socket + " (lgw run --config FILE)"
	}
	return ""
}

// cmdCtl runs one control command (status, queue, groups, sessions,
// stats, log-level, tx, tail) against the daemon's socket. It returns the
// exit code: 0 ok, 1 error (daemon not running, refused TX...), 2 usage.
func cmdCtl(name string, args []string, stdout, stderr io.Writer) int {
	cmd, ok := ctlCommandOf(name)
	if !ok {
		fmt.Fprintf(stderr, "lgw: unknown command %q\n", name)
		return 2
	}
	r := &ctlRun{name: name}
	if code, ok := parseCtl(cmd, r, args, stderr); !ok {
		return code
	}
	socket, err := r.opts.resolveSocket()
	if err != nil {
		fmt.Fprintf(stderr, "lgw %s: %v\n", name, err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c, err := dialCtl(ctx, socket)
	if err != nil {
		var nr *control.NotRunningError
		if errors.As(err, &nr) {
			nr.Hint = r.opts.startHint(socket)
			fmt.Fprintln(stderr, err)
		} else {
			fmt.Fprintf(stderr, "lgw %s: %v\n", name, err)
		}
		return 1
	}
	defer c.Close()
	return cmd.run(ctx, c, r, stdout, stderr)
}

// parseCtl parses the common flags, the command's flags (before or after
// the positional arguments: lgw log-level debug --json) and its
// arguments. ok false means stop with code (0 for --help, 2 for usage).
func parseCtl(cmd ctlCommand, r *ctlRun, args []string, stderr io.Writer) (code int, ok bool) {
	fs := flag.NewFlagSet("lgw "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&r.opts.socket, "socket", "", "control socket (default: the --config file's control.socket, else "+control.DefaultSocket+")")
	fs.StringVar(&r.opts.config, "config", "", "configuration file to read control.socket from")
	fs.BoolVar(&r.opts.json, "json", false, "print JSON instead of tables")
	if cmd.flags != nil {
		cmd.flags(fs, r)
	}
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: lgw %s [--socket PATH | --config FILE] [--json] %s\n", cmd.name, cmd.usage)
		fs.PrintDefaults()
	}
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return 0, false
			}
			return 2, false
		}
		if fs.NArg() == 0 {
			break
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
	check := cmd.args
	if check == nil {
		check = noArgs
	}
	if err := check(rest, r); err != nil {
		fmt.Fprintf(stderr, "lgw %s: %v\n", cmd.name, err)
		var ue argError
		if !errors.As(err, &ue) || ue.usage {
			fs.Usage()
		}
		return 2, false
	}
	return 0, true
}

// argError is an argument error; usage says whether to print the usage
// after it.
type argError struct {
	msg   string
	usage bool
}

func (e argError) Error() string { return e.msg }

func noArgs(rest []string, _ *ctlRun) error {
	if len(rest) > 0 {
		return argError{msg: fmt.Sprintf("unexpected arguments %q", rest), usage: true}
	}
	return nil
}

func logLevelArgs(rest []string, r *ctlRun) error {
	if len(rest) != 1 {
		return argError{msg: "want exactly one LEVEL (debug, info, warn, error)", usage: true}
	}
	r.level = rest[0]
	return nil
}

func txArgs(rest []string, r *ctlRun) error {
	var err error
	if r.txReq, err = r.tx.request(time.Now()); err != nil {
		return argError{msg: err.Error(), usage: true}
	}
	return noArgs(rest, r)
}

func tailArgs(rest []string, r *ctlRun) error {
	if r.count < 0 {
		return argError{msg: "--count: must be 0 or more"}
	}
	return noArgs(rest, r)
}

// dialCtl connects to the daemon, giving up after 5 s.
func dialCtl(ctx context.Context, socket string) (*control.Client, error) {
	dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return control.Dial(dctx, socket)
}

// query makes the run of a read-only command: call it, print the result
// as a table (or JSON).
func query[T any](print func(io.Writer, T)) func(context.Context, *control.Client, *ctlRun, io.Writer, io.Writer) int {
	return func(ctx context.Context, c *control.Client, r *ctlRun, stdout, stderr io.Writer) int {
		return call(ctx, c, r, nil, print, stdout, stderr)
	}
}

func runLogLevel(ctx context.Context, c *control.Client, r *ctlRun, stdout, stderr io.Writer) int {
	return call(ctx, c, r, control.LogLevelArgs{Level: r.level}, func(w io.Writer, a control.LogLevelArgs) {
		fmt.Fprintf(w, "log level set to %s\n", a.Level)
	}, stdout, stderr)
}

// call sends one request within ctlTimeout and prints its result.
func call[T any](ctx context.Context, c *control.Client, r *ctlRun, args any, print func(io.Writer, T), stdout, stderr io.Writer) int {
	cctx, cancel := context.WithTimeout(ctx, ctlTimeout)
	defer cancel()
	var result T
	if err := c.Call(cctx, r.name, args, &result); err != nil {
		fmt.Fprintf(stderr, "lgw %s: %v\n", r.name, err)
		return 1
	}
	if r.opts.json {
		return printJSON(stdout, stderr, result)
	}
	tw := tabwriter.NewWriter(stdout, 0, 8, 2, ' ', 0)
	print(tw, result)
	if err := tw.Flush(); err != nil {
		fmt.Fprintf(stderr, "lgw %s: %v\n", r.name, err)
		return 1
	}
	return 0
}

func printJSON(stdout, stderr io.Writer, v any) int {
	b, err := json.MarshalIndent(v, "", "  ")
	if err == nil {
		_, err = stdout.Write(append(b, '\n'))
	}
	if err != nil {
		fmt.Fprintf(stderr, "lgw: %v\n", err)
		return 1
	}
	return 0
}

// txFlags are lgw tx's flags.
type txFlags struct {
	freq, datr, payload, at string
	power, size             int
}

func (t *txFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&t.freq, "freq", "", "frequency: MHz (869.525) or Hz (869525000)")
	fs.StringVar(&t.datr, "datr", "", "data rate: SF7BW125 .. SF12BW500, or FSK50")
	fs.IntVar(&t.power, "power", 14, "TX power in dBm")
	fs.StringVar(&t.payload, "payload", "", "payload in hex")
	fs.IntVar(&t.size, "size", 0, "payload of N bytes (0x00, 0x01, ...) instead of --payload")
	fs.StringVar(&t.at, "at", "now", "when: now, +DURATION (+2s), tmst:N, gps:SECONDS or an RFC 3339 time")
}

// parseFreq reads MHz ("869.525") or Hz ("869525000").
func parseFreq(s string) (uint32, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v <= 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, fmt.Errorf("--freq %q: want MHz like 869.525 or Hz like 869525000", s)
	}
	if v < 10000 {
		v *= 1e6
	}
	hz := math.Round(v)
	if hz > math.MaxUint32 {
		return 0, fmt.Errorf("--freq %q: above 4294 MHz", s)
	}
	return uint32(hz), nil
}

func (t *txFlags) request(now time.Time) (control.TxRequest, error) {
	var r control.TxRequest
	if t.freq == "" {
		return r, errors.New("--freq: missing")
	}
	f, err := parseFreq(t.freq)
	if err != nil {
		return r, err
	}
	if t.datr == "" {
		return r, errors.New("--datr: missing")
	}
	switch {
	case t.payload != "" && t.size != 0:
		return r, errors.New("give --payload or --size, not both")
	case t.payload != "":
		b, err := hex.DecodeString(t.payload)
		if err != nil {
			return r, fmt.Errorf("--payload: want hex digits: %w", err)
		}
		if len(b) > 255 {
			return r, fmt.Errorf("--payload: %d bytes, at most 255", len(b))
		}
		r.Payload = b
	case t.size != 0:
		if t.size < 1 || t.size > 255 {
			return r, fmt.Errorf("--size %d: want 1..255", t.size)
		}
		r.Payload = make([]byte, t.size)
		for i := range r.Payload {
			r.Payload[i] = byte(i)
		}
	default:
		return r, errors.New("--payload or --size: missing")
	}
	at, err := control.ParseAt(t.at)
	if err != nil {
		return r, fmt.Errorf("--at: %w", err)
	}
	if at.Mode == control.AtTime && !at.Time.After(now) {
		return r, fmt.Errorf("--at %s: is in the past (now %s)", t.at, now.UTC().Format(time.RFC3339))
	}
	r.Freq, r.Datr, r.Power, r.At = f, strings.ToUpper(t.datr), t.power, at
	return r, nil
}

// txNotice is how long lgw tx waits silently for a result before saying
// what it waits for.
const txNotice = 3 * time.Second

func runTx(ctx context.Context, c *control.Client, req control.TxRequest, asJSON bool, notice time.Duration, stdout, stderr io.Writer) int {
	var res control.TxResult
	t := time.AfterFunc(notice, func() {
		fmt.Fprintf(stderr, "lgw tx: waiting for the transmission (%s) and its result, up to %s; Ctrl-C withdraws it\n",
			describeAt(req.At), control.DefaultTxTimeout)
	})
	err := c.Call(ctx, control.CmdTx, req, &res)
	t.Stop()
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintln(stderr, "lgw tx: interrupted; the daemon withdraws the transmission")
			return 1
		}
		fmt.Fprintf(stderr, "lgw tx: %v\n", err)
		return 1
	}
	if asJSON {
		if code := printJSON(stdout, stderr, res); code != 0 {
			return code
		}
	} else if res.Sent() {
		fmt.Fprintf(stdout, "SENT tmst %d  %s MHz %s %d dBm %d B chain %d airtime %s (ref %s)\n", res.Tmst,
			mhz(res.Freq), res.Datr, res.Power, res.Size, res.Chain, res.Airtime, res.Ref)
	} else {
		fmt.Fprintf(stdout, "%s: %s (ref %s)\n", res.Code, res.Detail, res.Ref)
	}
	if !res.Sent() {
		return 1
	}
	return 0
}

// describeAt says when a test transmission starts, for the waiting notice.
func describeAt(a control.At) string {
	switch a.Mode {
	case control.AtASAP:
		return "as soon as possible"
	case control.AtDelay:
		return a.Delay.String() + " after it was submitted"
	case control.AtCount:
		return fmt.Sprintf("at counter value %d", a.Count)
	case control.AtGPS:
		return "at " + a.String()
	}
	return "at " + a.Time.UTC().Format(time.RFC3339Nano)
}

func runTail(ctx context.Context, c *control.Client, count int, asJSON bool, stdout, stderr io.Writer) int {
	n := 0
	errDone := errors.New("count reached")
	err := c.Tail(ctx, func(ev control.Event) error {
		if asJSON {
			b, err := json.Marshal(ev)
			if err != nil {
				return err
			}
			if _, err := stdout.Write(append(b, '\n')); err != nil {
				return err
			}
		} else {
			what := ev.Summary
			if what == "" {
				what = string(ev.Data)
			}
			if _, err := fmt.Fprintf(stdout, "%s  %-7s %s\n", ev.Time.UTC().Format("15:04:05.000"), ev.Kind,
				what); err != nil {
				return err
			}
		}
		n++
		if count > 0 && n >= count {
			return errDone
		}
		return nil
	})
	switch {
	case err == nil, errors.Is(err, errDone):
		return 0
	case errors.Is(err, control.ErrStreamClosed):
		fmt.Fprintln(stderr, "lgw tail: the daemon closed the stream (stopping?)")
		return 1
	}
	fmt.Fprintf(stderr, "lgw tail: %v\n", err)
	return 1
}
