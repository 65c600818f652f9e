// Package board is lgw's registry of named boards. A board says how to
// build its concentrator and carries its calibration: RSSI offset, TX gain
// table and TX frequency range. Only cmd/lgw and the agent open boards;
// drivers take what the board hands them.
package board

import (
	"fmt"
	"sort"
	"strings"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/hal/chanplan"
	"github.com/lgwagent/lgw/region"
)

// Board is a named board profile.
type Board struct {
	// Name is what the configuration's concentrator.board says.
	Name string
	// Description is a line for `lgw boards`.
	Description string
	// Chip is the concentrator chip family ("sim", "sx1302", "sx1301").
	Chip string
	// RSSIOffset is added to raw RSSI readings, in dB.
	RSSIOffset float32
	// TxGains is the TX power table, by increasing power.
	TxGains []hal.TxGain
	// TxFreq is the TX frequency range of the RF front end.
	TxFreq hal.FreqRange
	// open builds the concentrator and, where fitted, the GPS.
	open func(p Params, b *Board) (Hardware, error)
}

// Params is what opening a board needs from the daemon.
type Params struct {
	Clock  clock.Clock
	Log    *zap.Logger
	Region *region.Region
	// Channels is the receive channel plan (nil: the region's default).
	Channels *chanplan.Spec
	// FirmwareDir holds the chip firmware files.
	FirmwareDir string
	// SPIDevice, ResetLine, PowerLine override the board's wiring when set.
	SPIDevice, ResetLine, PowerLine string
	// SPISpeed is the SPI clock in Hz.
	SPISpeed int
	// RSSIOffset overrides the board's RSSI offset when not zero.
	RSSIOffset float64
	// GPSDevice is the GPS serial port (empty: none).
	GPSDevice string
	// Temperature is the board temperature for RSSI compensation on
	// boards without a sensor (0: 25 °C).
	Temperature float64
	// FineTimestamp turns on SX1303 precision timestamps.
	FineTimestamp bool
	// Sim configures the simulated concentrator.
	Sim SimParams
}

// Hardware is an opened board.
type Hardware struct {
	Concentrator hal.Concentrator
	// GPS is nil when the board has none configured.
	GPS hal.GPS
	// Close releases what Open acquired (SPI port, GPIO lines, serial
	// port); it does not stop the concentrator.
	Close func() error
}

// Open builds the board's hardware.
func (b *Board) Open(p Params) (Hardware, error) {
	if p.Clock == nil {
		p.Clock = clock.Real()
	}
	if p.Log == nil {
		p.Log = zap.NewNop()
	}
	hw, err := b.open(p, b)
	if err != nil {
		return Hardware{}, fmt.Errorf("board %s: %w", b.Name, err)
	}
	if hw.Close == nil {
		hw.Close = func() error { return nil }
	}
	return hw, nil
}

// String returns the name.
func (b *Board) String() string { return b.Name }

// all returns every known board, freshly built (no package state).
func all() []*Board {
	boards := []*Board{simBoard()}
	boards = append(boards, extraBoards()...)
	sort.Slice(boards, func(i, j int) bool { return boards[i].Name < boards[j].Name })
	return boards
}

// extraBoards lists the boards of the real drivers; see the driver files.
func extraBoards() []*Board { return sx1302Boards() }

// All returns every known board by name.
func All() []*Board { return all() }

// Names returns the known board names.
func Names() []string {
	bs := all()
	n := make([]string, len(bs))
	for i, b := range bs {
		n[i] = b.Name
	}
	return n
}

// Lookup returns the board of a name.
func Lookup(name string) (*Board, error) {
	for _, b := range all() {
		if b.Name == name {
			return b, nil
		}
	}
	return nil, fmt.Errorf("board %q is not known (allowed: %s)", name, strings.Join(Names(), ", "))
}

// channelPlan resolves the configured channel plan, or the region's
// default, under a chip's limits.
func (p Params) channelPlan(l chanplan.Limits) (chanplan.Plan, error) {
	var spec chanplan.Spec
	if p.Channels != nil {
		spec = *p.Channels
	} else {
		s, err := chanplan.ForRegion(p.Region, 0)
		if err != nil {
			return chanplan.Plan{}, err
		}
		spec = s
	}
	plan, err := chanplan.Resolve(spec, l)
	if err != nil {
		return chanplan.Plan{}, fmt.Errorf("channel plan: %w", err)
	}
	return plan, nil
}
