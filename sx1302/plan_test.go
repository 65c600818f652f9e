package sx1302_test

import (
	"testing"
	"time"

	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/region"
	"github.com/lgwagent/lgw/sx1302"
	"github.com/lgwagent/lgw/sx1302/sx1302test"
)

func TestPlanForRegions(t *testing.T) {
	p := euPlan(t)
	if p.Radios[0].Freq != 867500000 || p.Radios[1].Freq != 868500000 || !p.FSK.Enable || p.FSK.Radio != 1 ||
		p.FSK.IF != 300000 || !p.Service.Enable || p.Service.IF != -200000 {
		t.Fatalf("EU868 plan %+v", p)
	}
	for i := uint8(0); i < 8; i++ {
		if f, _, ok := p.Frequency(i); !ok || f != 867100000+uint32(i)*200000 {
			t.Errorf("chain %d: %d %v", i, f, ok)
		}
	}
	for _, n := range region.Names {
		r, _ := region.Lookup(string(n))
		if _, err := sx1302.PlanFor(r); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
}

func TestReceiveFSK(t *testing.T) {
	r := newRig(t, sx1302test.Config{}, true)
	if err := r.start(t); err != nil {
		t.Fatal(err)
	}
	defer r.dev.Stop()
	now, _ := r.dev.Counter()
	r.chip.Inject(r.clk.Now().Add(100*time.Millisecond), hal.RxPacket{Payload: []byte("fsk frame"), Frequency: 868800000,
		DataRate: hal.FSKRate(50000, 25000), CRC: hal.CRCOK, RSSIChannel: -90})
	r.clk.Advance(time.Second)
	got, err := r.dev.Receive()
	if err != nil || len(got) != 1 {
		t.Fatalf("%v %v", got, err)
	}
	g := got[0]
	if g.IFChain != 9 || g.DataRate != hal.FSKRate(50000, 25000) || string(g.Payload) != "fsk frame" ||
		uint32(g.Count) != uint32(now)+100000 || g.RSSIChannel < -90.5 || g.RSSIChannel > -89.5 {
		t.Fatalf("fsk packet %v", g)
	}
}
