// Package board is lgw's registry of named boards. A board says how to
// build its concentrator and carries its calibration: RSSI offset, TX gain
// table and TX frequency range. Only cmd/lgw and the agent open boards;
// drivers take what the board hands them.
//
// This package holds the real hardware only. Boards without hardware (the
// simulator, the drivers on their SPI-level emulators) live in
// board/emulated and add themselves with Register when that package is
// imported (cmd/lgw imports it).
package board

import (
	"fmt"
	"sort"
	"strings"
	"sync"

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
	// MaxSPISpeed is the fastest SPI clock in Hz the board is run at
	// (0: DefaultMaxSPISpeed).
	MaxSPISpeed int
	// open builds the concentrator and, where fitted, the GPS.
	open OpenFunc
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
	if err := b.CheckSPISpeed(p.SPISpeed); err != nil {
		return Hardware{}, fmt.Errorf("board %s: %w", b.Name, err)
	}
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

// SPI clock limits in Hz. The SX1302 reference HAL runs the bus at 2 MHz;
// lgw does the same unless a board says otherwise.
const (
	MinSPISpeed        = 100_000
	DefaultMaxSPISpeed = 2_000_000
)

// CheckSPISpeed refuses an SPI clock outside MinSPISpeed and the board's
// maximum (0 means the maximum); the error names concentrator.spi_speed.
// `lgw config check` and Open both call it.
func (b *Board) CheckSPISpeed(hz int) error {
	if hz == 0 || (hz >= MinSPISpeed && hz <= b.maxSPISpeed()) {
		return nil
	}
	return &hal.FieldError{Field: "concentrator.spi_speed", Value: hz,
		Allowed: fmt.Sprintf("%d to %d Hz on board %s", MinSPISpeed, b.maxSPISpeed(), b.Name)}
}

// SPISpeed returns the clock to run the bus at for a requested hz
// (checked by CheckSPISpeed; 0: the board's maximum).
func (b *Board) SPISpeed(hz int) int {
	if hz == 0 {
		return b.maxSPISpeed()
	}
	return hz
}

func (b *Board) maxSPISpeed() int {
	if b.MaxSPISpeed > 0 {
		return b.MaxSPISpeed
	}
	return DefaultMaxSPISpeed
}

// String returns the name.
func (b *Board) String() string { return b.Name }

// OpenFunc builds an opened board's hardware from the daemon's parameters.
type OpenFunc func(p Params, b *Board) (Hardware, error)

// registered holds the boards added with Register: the one piece of package
// state, filled from init functions of the packages that define boards
// outside this one (as database/sql drivers register).
var registered struct {
	sync.Mutex
	makers []func() *Board
}

// Register adds a board defined outside this package; open builds its
// hardware. mk is called afresh on every lookup, so callers never share a
// Board value. A name already known panics (a programming error at init).
func Register(mk func() *Board, open OpenFunc) {
	registered.Lock()
	defer registered.Unlock()
	b := mk()
	for _, o := range builtin() {
		if o.Name == b.Name {
			panic("board: " + b.Name + " registered twice")
		}
	}
	for _, m := range registered.makers {
		if m().Name == b.Name {
			panic("board: " + b.Name + " registered twice")
		}
	}
	registered.makers = append(registered.makers, func() *Board {
		b := mk()
		b.open = open
		return b
	})
}

// builtin returns the real hardware boards of this package.
func builtin() []*Board { return extraBoards() }

// all returns every known board, freshly built.
func all() []*Board {
	boards := builtin()
	registered.Lock()
	for _, mk := range registered.makers {
		boards = append(boards, mk())
	}
	registered.Unlock()
	sort.Slice(boards, func(i, j int) bool { return boards[i].Name < boards[j].Name })
	return boards
}

// extraBoards lists the boards of the real drivers; see the driver files.
func extraBoards() []*Board { return append(sx1302Boards(), sx1301HardwareBoards()...) }

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

// ChannelPlan resolves the configured channel plan, or the region's
// default, under a chip's limits.
func (p Params) ChannelPlan(l chanplan.Limits) (chanplan.Plan, error) {
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
