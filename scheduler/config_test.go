package scheduler

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/region"
)

func TestConfigValidate(t *testing.T) {
	eu, _ := region.Lookup("EU868")
	if err := (Config{Region: eu}).WithDefaults().Validate(); err != nil {
		t.Fatal(err)
	}
	if err := (Config{Region: eu}).Validate(); err == nil {
		t.Fatal("zero capacity and lead accepted without defaults")
	}
	for field, c := range map[string]Config{
		"region":        {},
		"capacity":      {Region: eu, Capacity: -1},
		"min_lead":      {Region: eu, MinLead: time.Microsecond},
		"handoff_lead":  {Region: eu, MinLead: 20 * time.Millisecond, HandoffLead: 15 * time.Millisecond},
		"handoff_lead ": {Region: eu, HandoffLead: 2 * time.Second},
		"max_advance":   {Region: eu, MaxAdvance: 48 * time.Hour},
		"holdover":      {Region: eu, Holdover: -time.Second},
		"latitude":      {Region: eu, Latitude: 91},
		"ceilings[C]":   {Region: eu, Ceilings: [4]float64{1, 1, 1, 2}},
	} {
		err := c.WithDefaults().Validate()
		var fe *hal.FieldError
		if !errors.As(err, &fe) || !strings.HasSuffix(fe.Field, strings.TrimSpace(field)) {
			t.Errorf("%s: got %v", field, err)
		}
	}
	// Zero takes the larger of the default and min_lead.
	for minLead, want := range map[time.Duration]time.Duration{0: DefaultHandoffLead, 200 * time.Millisecond: 200 * time.Millisecond} {
		c := Config{Region: eu, MinLead: minLead}
		c.setDefaults()
		if c.HandoffLead != want || c.Validate() != nil {
			t.Errorf("min_lead %v: handoff_lead %v (%v), want %v", minLead, c.HandoffLead, c.Validate(), want)
		}
	}
	if p, err := ParsePowerPolicy("clamp"); err != nil || p != PowerClamp {
		t.Error("clamp")
	}
	if _, err := ParsePowerPolicy("max"); err == nil {
		t.Error("bad policy accepted")
	}
}
