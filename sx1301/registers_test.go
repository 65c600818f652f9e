package sx1301_test

import (
	"encoding/hex"
	"testing"

	"github.com/lgwagent/lgw/sx1301"
)

// TestRegisterEncoding: multi-byte fields least significant byte first as
// whole sign-extended bytes, sub-byte fields shifted into their bits, and
// back.
func TestRegisterEncoding(t *testing.T) {
	cases := []struct {
		reg   sx1301.Reg
		v     int32
		bytes string
	}{
		{sx1301.IfFreq0, -819, "cdfc"},
		{sx1301.IfFreq6, 409, "9901"},
		{sx1301.IfFreq9, -4096, "00f0"},
		{sx1301.TxStartDelay, 1495, "d705"},
		{sx1301.FskRefPatternMsb, -1047215872, "00c194c1"},
		{sx1301.AdjustModemStartOffsetSf12Rdx4, 4094, "fe0f"},
		{sx1301.FrameSynchPeak2Pos, 4, "40"},
		{sx1301.McuSelectMux1, 1, "08"},
		{sx1301.TxOffsetQ, -13, "f3"},
	}
	for _, c := range cases {
		if got := hex.EncodeToString(c.reg.Encode(c.v)); got != c.bytes {
			t.Errorf("%s := %d: bytes %s, want %s", c.reg, c.v, got, c.bytes)
		}
		b, _ := hex.DecodeString(c.bytes)
		if got := c.reg.Decode(b); got != c.v {
			t.Errorf("%s %s: decodes to %d, want %d", c.reg, c.bytes, got, c.v)
		}
	}
	if sx1301.NumRegs != 326 {
		t.Errorf("%d registers, want 325 and the TX_TRIG_ALL alias", sx1301.NumRegs)
	}
	if r, ok := sx1301.RegByName("TIMESTAMP"); !ok || r.Page() != 2 || r.Addr() != 70 || r.Width() != 32 || !r.ReadOnly() {
		t.Errorf("TIMESTAMP: %v page %d addr %d", ok, r.Page(), r.Addr())
	}
}
