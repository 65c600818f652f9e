package sx1301_test

import (
	"fmt"
	"testing"

	"github.com/lgwagent/lgw/region"
	"github.com/lgwagent/lgw/sx1301"
)

// TestPlanForRegions: the EU868 plan is the golden configuration; US915
// is sub-band 2 as the derived rules place it; every region gives a valid
// plan.
func TestPlanForRegions(t *testing.T) {
	eu, _ := region.Lookup("EU868")
	got, err := sx1301.PlanFor(eu)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := loadStart(t).Config.Plan()
	// The same channels on the same radios; chanplan numbers the IF
	// chains by frequency where the reference configuration lists radio
	// B's first.
	set := func(p sx1301.Plan) map[sx1301.IFChannel]bool {
		m := map[sx1301.IFChannel]bool{}
		for _, c := range p.MultiSF {
			m[c] = true
		}
		return m
	}
	gs, ws := set(got), set(want)
	got.MultiSF, want.MultiSF = [8]sx1301.IFChannel{}, [8]sx1301.IFChannel{}
	if got != want || len(gs) != 8 || fmt.Sprint(gs) != fmt.Sprint(ws) {
		t.Errorf("EU868 plan\n got %+v %v\nwant %+v %v", got, gs, want, ws)
	}
	us, _ := region.Lookup("US915")
	if got, err := sx1301.PlanFor(us); err != nil || got != us915SubBand2() {
		t.Errorf("US915 plan %+v %v\nwant %+v", got, err, us915SubBand2())
	}
	for _, n := range region.Names {
		r, _ := region.Lookup(string(n))
		if _, err := sx1301.PlanFor(r); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
}
