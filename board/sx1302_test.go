package board

import "testing"

func TestSX1302BoardsRegistered(t *testing.T) {
	for _, n := range []string{"semtech-corecell", "rak2287", "rak5146", "seeed-wm1302", "generic-sx1302"} {
		b, err := Lookup(n)
		if err != nil || b.Chip != "sx1302" || len(b.TxGains) != 16 {
			t.Errorf("%s: %v %+v", n, err, b)
		}
	}
}
