package sx1302

import (
	"strings"
	"testing"
	"time"

	"github.com/lgwagent/lgw/hal/chanplan"
	"github.com/lgwagent/lgw/region"
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

func TestDefaultTxFreqIncludesRX2(t *testing.T) {
	eu, err := PlanFor(mustRegion(t, "EU868"))
	if err != nil {
		t.Fatal(err)
	}
	o := Opts{Plan: eu}
	o.setDefaults()
	for _, f := range []uint32{863100000, 868100000, 869525000} {
		if !o.TxFreq.Contains(f) {
			t.Errorf("default TX range %s lacks %d Hz", o.TxFreq, f)
		}
	}
	us, err := PlanFor(mustRegion(t, "US915"))
	if err != nil {
		t.Fatal(err)
	}
	o = Opts{Plan: us}
	o.setDefaults()
	if !o.TxFreq.Contains(923300000) || !o.TxFreq.Contains(927500000) {
		t.Errorf("US915 default TX range %s lacks the downlink channels", o.TxFreq)
	}
}

func mustRegion(t *testing.T, name string) *region.Region {
	t.Helper()
	r, err := region.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
