package config

import (
	"fmt"
	"strings"
	"time"

	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/hal/chanplan"
	"github.com/lgwagent/lgw/region"
)

// Validate checks every value. The sections run by a package (scheduler,
// mqtt, multicast) are checked by that package's own Validate, so the
// daemon applies exactly the limits checked here. The board name and the
// SPI speed are checked by ValidateBoard, since the board registry sits
// above this package.
func (c *Config) Validate() error {
	if c.Gateway.ID != "" {
		if _, err := hal.ParseEUI64(strings.ToLower(c.Gateway.ID)); err != nil {
			return &Error{Key: "gateway.id", Msg: fmt.Sprintf("%q: want 16 hex digits, or leave empty to use the chip EUI", c.Gateway.ID)}
		}
		c.Gateway.ID = strings.ToLower(c.Gateway.ID)
	}
	reg, err := region.Lookup(c.Gateway.Region)
	if err != nil {
		return &Error{Key: "gateway.region", Msg: fmt.Sprintf("%q is not a region (allowed: %s)", c.Gateway.Region, region.NamesString())}
	}
	if c.Gateway.Latitude < -90 || c.Gateway.Latitude > 90 {
		return &Error{Key: "gateway.latitude", Msg: fmt.Sprintf("%v: want -90 to 90", c.Gateway.Latitude)}
	}
	if c.Gateway.Longitude < -180 || c.Gateway.Longitude > 180 {
		return &Error{Key: "gateway.longitude", Msg: fmt.Sprintf("%v: want -180 to 180", c.Gateway.Longitude)}
	}
	if c.Concentrator.Board == "" {
		return &Error{Key: "concentrator.board", Msg: "required"}
	}
	if c.Concentrator.Sim.PPM < -100 || c.Concentrator.Sim.PPM > 100 {
		return &Error{Key: "concentrator.sim.ppm", Msg: fmt.Sprintf("%v: want -100 to 100", c.Concentrator.Sim.PPM)}
	}
	if j := c.Concentrator.Sim.GPSJitter.D(); j < 0 || j > 100*time.Millisecond {
		return &Error{Key: "concentrator.sim.gps_jitter", Msg: fmt.Sprintf("%v: want 0 to 100ms", j)}
	}
	if t := c.Concentrator.Temperature; t < -40 || t > 85 {
		return &Error{Key: "concentrator.temperature", Msg: fmt.Sprintf("%v: want -40 to 85 °C", t)}
	}
	// Checked against the SX1302's limits, the widest; the driver checks
	// its own chip's when it opens.
	if _, err := c.ChannelPlan(chanplan.SX1302); err != nil {
		return err
	}
	if err := c.validateSections(reg); err != nil {
		return err
	}
	if err := c.validateForwarders(); err != nil {
		return err
	}
	if c.Control.Socket == "" {
		return &Error{Key: "control.socket", Msg: "required"}
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		return &Error{Key: "log.level", Msg: fmt.Sprintf("%q (allowed: debug, info, warn, error)", c.Log.Level)}
	}
	return nil
}

// ValidateBoard checks concentrator.board against the known board names.
func (c *Config) ValidateBoard(names []string) error {
	for _, n := range names {
		if n == c.Concentrator.Board {
			return nil
		}
	}
	return &Error{Key: "concentrator.board", Msg: fmt.Sprintf("%q is not a board (allowed: %s)", c.Concentrator.Board, strings.Join(names, ", "))}
}
