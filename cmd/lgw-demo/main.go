// Command lgw-demo shows lgw working without hardware: an in-process MQTT
// broker on 127.0.0.1, the agent on the simulated concentrator and GPS,
// a scripted network server that creates a class C and a class B
// multicast group over MQTT, schedules their sessions a few seconds ahead
// and sends data, and a class A network server on Semtech's UDP protocol
// that answers uplinks in RX1; every report, uplink and TX_ACK is printed
// as one readable line. It ends by
// itself after about a minute with a summary. It is for development only:
// it embeds the mochi broker, which the gateway binary never does.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	lwgps "github.com/brocaar/lorawan/gps"

	"github.com/lgwagent/lgw/agent"
	_ "github.com/lgwagent/lgw/board/emulated"
	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/config"
	"github.com/lgwagent/lgw/logging"
	"github.com/lgwagent/lgw/mqtt/broker"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lgw-demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	duration := fs.Duration("duration", 60*time.Second, "how long the demo runs")
	traffic := fs.String("traffic", "examples/traffic.jsonl", "uplink traffic file for the simulator")
	logLevel := fs.String("log-level", "warn", "agent log level (debug, info, warn, error)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	b, err := broker.Start(broker.Options{})
	if err != nil {
		fmt.Fprintf(stderr, "lgw-demo: broker: %v\n", err)
		return 1
	}
	defer b.Stop()
	addr := b.Addr()

	state, err := os.MkdirTemp("", "lgw-demo-")
	if err != nil {
		fmt.Fprintf(stderr, "lgw-demo: %v\n", err)
		return 1
	}
	defer os.RemoveAll(state)

	// Run the agent's clock so that a class B beacon period (GPS time, a
	// multiple of 128 s) begins 20 s into the demo: the class B session can
	// then start within the minute the demo lasts.
	clk := demoClock(20 * time.Second)
	cfg := demoConfig(addr, state, *traffic)
	ns := newNetworkServer(addr, cfg.MQTT.TopicPrefix, clk, stdout)
	us, err := newUDPServer(ns.printf)
	if err != nil {
		fmt.Fprintf(stderr, "lgw-demo: %v\n", err)
		return 1
	}
	cfg.Forwarders = []config.Forwarder{{Server: "127.0.0.1", PortUp: us.Port(), PortDown: us.Port(),
		Keepalive: config.Duration(udpKeepalive), StatInterval: config.Duration(udpStat)}}
	log, level, err := logging.New(stderr, *logLevel)
	if err != nil {
		fmt.Fprintf(stderr, "lgw-demo: %v\n", err)
		return 2
	}
	a, err := agent.New(cfg, agent.Options{Clock: clk, Log: log, Level: level, Version: "demo"})
	if err != nil {
		fmt.Fprintf(stderr, "lgw-demo: %v\n", err)
		return 1
	}
	nsClient, err := ns.connect()
	if err != nil {
		fmt.Fprintf(stderr, "lgw-demo: %v\n", err)
		return 1
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	agentDone := make(chan error, 1)
	go func() { agentDone <- a.Run(runCtx) }()

	fmt.Fprintf(stdout, "lgw demo: broker mqtt://%s (multicast), UDP network server udp://127.0.0.1:%d (class A), simulated concentrator (region %s), %v\n",
		addr, us.Port(), cfg.Gateway.Region, *duration)
	go us.run(runCtx)
	nsErr := ns.run(runCtx, nsClient, *duration)
	cancel()
	if err := <-agentDone; err != nil {
		fmt.Fprintf(stderr, "lgw-demo: agent: %v\n", err)
		return 1
	}
	ns.summary()
	fmt.Fprintln(stdout, us.summary())
	if nsErr != nil {
		fmt.Fprintf(stderr, "lgw-demo: %v\n", nsErr)
		return 1
	}
	return 0
}

func demoConfig(brokerAddr, stateDir, traffic string) config.Config {
	cfg := config.Default()
	cfg.Gateway.Region = "EU868"
	cfg.Gateway.Latitude, cfg.Gateway.Longitude = 48.8566, 2.3522
	cfg.Concentrator.Board = "sim"
	cfg.Concentrator.Sim.Traffic = traffic
	cfg.Concentrator.Sim.PPM = 3.5
	cfg.Concentrator.Sim.GPS = true
	cfg.Concentrator.Sim.GPSJitter = config.Duration(time.Microsecond)
	cfg.Scheduler.Beacons = true
	cfg.MQTT.Server = "tcp://" + brokerAddr
	cfg.MQTT.StatsInterval = config.Duration(15 * time.Second)
	cfg.Storage.Dir = filepath.Join(stateDir, "state")
	cfg.Control.Socket = filepath.Join(stateDir, "lgw.sock")
	// The seed rule wants sessions 30 minutes ahead; the demo cannot wait.
	cfg.Multicast.MinStartLead = config.Duration(2 * time.Second)
	return cfg
}

// demoClock returns the real clock moved so that the next GPS beacon
// period (a multiple of 128 s since the GPS epoch) begins in lead.
func demoClock(lead time.Duration) clock.Clock {
	now := time.Now()
	gps := lwgps.Time(now).TimeSinceGPSEpoch()
	intoPeriod := gps % (128 * time.Second)
	// Moving the clock by off makes gps+off = k*128s + 128s - lead.
	off := 128*time.Second - lead - intoPeriod
	return clock.Offset(clock.Real(), off)
}
