package main

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/brocaar/lorawan"

	"github.com/lgwagent/lgw/region"
	"github.com/lgwagent/lgw/scheduler"
)

const classBUsage = `usage:
  lgw classb pingslots --devaddr 01020304 --beacon-time <gps s> --period <32..4096> [--region EU868] [--json]
  lgw classb beacon --time <gps s> [--region EU868] [--lat 48.8566 --lon 2.3522] [--json]`

// cmdClassB runs "lgw classb ...": class B troubleshooting. It returns 0 on
// success, 2 on a usage error and 1 on any other error.
func cmdClassB(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, classBUsage)
		return 2
	}
	var err error
	switch args[0] {
	case "pingslots":
		err = classBPingSlots(args[1:], stdout, stderr)
	case "beacon":
		err = classBBeacon(args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprintln(stdout, classBUsage)
		return 0
	default:
		fmt.Fprintf(stderr, "lgw classb: unknown command %q\n%s\n", args[0], classBUsage)
		return 2
	}
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "lgw classb %s: %v\n%s\n", args[0], err, classBUsage)
		return 2
	default:
		fmt.Fprintf(stderr, "lgw classb %s: %v\n", args[0], err)
		return 1
	}
}

type usageError struct{ error }

func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("lgw classb "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	return nil
}

func lookupRegion(name string) (*region.Region, error) {
	r, err := region.Lookup(name)
	if err != nil {
		return nil, usageError{fmt.Errorf("--region: %w", err)}
	}
	return r, nil
}

func classBPingSlots(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("pingslots", stderr)
	devaddr := fs.String("devaddr", "", "DevAddr or McAddr, 8 hex digits (required)")
	bt := fs.Int64("beacon-time", -1, "GPS time of the beacon period start, in seconds, a multiple of 128 (required)")
	period := fs.Int("period", 0, "ping period in slots: 32, 64, ... 4096 (required)")
	reg := fs.String("region", "EU868", "region")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var addr lorawan.DevAddr
	if err := addr.UnmarshalText([]byte(*devaddr)); err != nil || len(*devaddr) != 8 {
		return usageError{fmt.Errorf("--devaddr %q: want 8 hex digits", *devaddr)}
	}
	if *bt < 0 || *bt%128 != 0 || *bt > 1<<40 {
		return usageError{fmt.Errorf("--beacon-time %d: want GPS seconds, a multiple of 128", *bt)}
	}
	if err := scheduler.ValidPingPeriod(*period); err != nil {
		return usageError{fmt.Errorf("--period: %w", err)}
	}
	r, err := lookupRegion(*reg)
	if err != nil {
		return err
	}
	btd := time.Duration(*bt) * time.Second
	off, slots, err := scheduler.PingSlotsIn(addr, btd, *period, r)
	if err != nil {
		return err
	}
	type slotJSON struct {
		Slot      int     `json:"slot"`
		GPSTime   float64 `json:"gps_time"`
		Offset    float64 `json:"offset_s"`
		Frequency uint32  `json:"frequency"`
	}
	out := struct {
		DevAddr    string     `json:"devaddr"`
		Region     string     `json:"region"`
		BeaconTime int64      `json:"beacon_time"`
		Period     int        `json:"period"`
		PingNb     int        `json:"ping_nb"`
		PingOffset int        `json:"ping_offset"`
		Slots      []slotJSON `json:"slots"`
	}{addr.String(), r.String(), *bt, *period, region.PingSlots / *period, off, nil}
	for _, s := range slots {
		out.Slots = append(out.Slots, slotJSON{s.Index, s.Time.Seconds(), (s.Time - btd).Seconds(), s.Frequency})
	}
	if *asJSON {
		return writeJSON(stdout, out)
	}
	fmt.Fprintf(stdout, "devaddr %s region %s beacon time %d period %d slots (%d per beacon period)\nping offset %d\n",
		out.DevAddr, out.Region, *bt, *period, out.PingNb, off)
	fmt.Fprintf(stdout, "%6s  %16s  %10s  %s\n", "slot", "gps time (s)", "offset (s)", "frequency (MHz)")
	for _, s := range out.Slots {
		fmt.Fprintf(stdout, "%6d  %16.3f  %10.3f  %.3f\n", s.Slot, s.GPSTime, s.Offset, float64(s.Frequency)/1e6)
	}
	return nil
}

func classBBeacon(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("beacon", stderr)
	t := fs.Int64("time", -1, "GPS time of the beacon, in seconds, a multiple of 128 (required)")
	reg := fs.String("region", "EU868", "region")
	lat := fs.Float64("lat", 0, "antenna latitude in degrees")
	lon := fs.Float64("lon", 0, "antenna longitude in degrees")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *t < 0 || *t%128 != 0 || *t > 1<<40 {
		return usageError{fmt.Errorf("--time %d: want GPS seconds, a multiple of 128", *t)}
	}
	r, err := lookupRegion(*reg)
	if err != nil {
		return err
	}
	info, err := region.LatLngInfo(*lat, *lon)
	if err != nil {
		return usageError{err}
	}
	f, err := r.Beacon()
	if err != nil {
		return err
	}
	frame, err := f.Encode(region.BeaconFrame{Time: uint32(*t), Info: info})
	if err != nil {
		return err
	}
	gt := time.Duration(*t) * time.Second
	freq, err := r.BeaconFrequency(gt)
	if err != nil {
		return err
	}
	out := struct {
		Region    string `json:"region"`
		Time      int64  `json:"time"`
		UTC       string `json:"utc"`
		Frame     string `json:"frame"`
		Size      int    `json:"size"`
		Frequency uint32 `json:"frequency"`
		DR        int    `json:"dr"`
		Datr      string `json:"datr"`
	}{r.String(), *t, scheduler.GPSToUTC(gt).Format(time.RFC3339), hex.EncodeToString(frame), len(frame), freq, f.DR, f.DataRate.Datr()}
	if *asJSON {
		return writeJSON(stdout, out)
	}
	fmt.Fprintf(stdout, "region %s beacon at GPS %d (%s)\nframe %s (%d bytes)\nfrequency %.3f MHz, DR%d (%s), preamble %d, implicit header, no CRC\n",
		out.Region, *t, out.UTC, out.Frame, out.Size, float64(freq)/1e6, f.DR, out.Datr, region.BeaconPreamble)
	return nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
