package sx1302

import (
	"strings"
	"testing"
	"time"

	"github.com/lgwagent/lgw/hal/chanplan"
)

func TestOptsValidate(t *testing.T) {
	p, err := chanplan.Resolve(chanplan.Spec{Channels: []chanplan.Channel{{Freq: 868100000, Radio: chanplan.Auto},
		{Freq: 868300000, Radio: chanplan.Auto}, {Freq: 868500000, Radio: chanplan.Auto}}}, Limits)
	if err != nil {
		t.Fatal(err)
	}
	if err := (Opts{Plan: p}).Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	cases := []struct {
		o    Opts
		want string
	}{
		{Opts{Plan: p, ClockSource: 2}, "clock_source"},
		{Opts{Plan: p, CounterInterval: 2 * time.Minute}, "counter_interval"},
		{Opts{Plan: p, TxGains: []TxGain{{Power: 10, PwrIdx: 30}}}, "tx_gains[0]"},
		{Opts{Plan: p, TxGains: []TxGain{{Power: 10}, {Power: 9}}}, "tx_gains[1]"},
		{Opts{}, "radio[0]: frequency is required"},
		{Opts{Plan: Plan{Radios: [2]Radio{{Freq: 868e6}}, MultiSF: [8]IFChannel{{Enable: true, IF: 750000}}}}, "800 kHz"},
	}
	for _, c := range cases {
		if err := c.o.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.o, err, c.want)
		}
	}
}
