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
		"region":      {},
		"capacity":    {Region: eu, Capacity: -1},
		"min_lead":    {Region: eu, MinLead: time.Microsecond},
		"max_advance": {Region: eu, MaxAdvance: 48 * time.Hour},
		"holdover":    {Region: eu, Holdover: -time.Second},
		"latitude":    {Region: eu, Latitude: 91},
		"ceilings[C]": {Region: eu, Ceilings: [4]float64{1, 1, 1, 2}},
	} {
		err := c.WithDefaults().Validate()
		var fe *hal.FieldError
		if !errors.As(err, &fe) || !strings.HasSuffix(fe.Field, field) {
			t.Errorf("%s: got %v", field, err)
		}
	}
	if p, err := ParsePowerPolicy("clamp"); err != nil || p != PowerClamp {
		t.Error("clamp")
	}
	if _, err := ParsePowerPolicy("max"); err == nil {
		t.Error("bad policy accepted")
	}
}
