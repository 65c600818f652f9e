package sx1302_test

import (
	"encoding/hex"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/sx1302"
	"github.com/lgwagent/lgw/sx1302/sx1302test"
)

// goldenTxPacket builds the packet of a golden TX file; count is the
// counter read just before sending.
func goldenTxPacket(t *testing.T, g *sx1302test.GoldenTx, count uint32) *hal.TxPacket {
	t.Helper()
	gp := g.Packet
	payload, err := hex.DecodeString(gp.Payload)
	if err != nil {
		t.Fatal(err)
	}
	p := &hal.TxPacket{Payload: payload, Frequency: gp.Freq, RFChain: gp.RFChain, Power: gp.Power,
		Preamble: uint16(gp.Preamble), InvertIQ: gp.InvertPol, ImplicitHeader: gp.NoHeader, NoCRC: gp.NoCRC}
	switch gp.Modulation {
	case "LORA":
		cr, err := hal.ParseCodeRate(gp.CodeRate)
		if err != nil {
			t.Fatal(err)
		}
		p.DataRate = hal.LoRaRate(gp.SF, hal.Bandwidth(gp.Bandwidth), cr)
	case "FSK":
		p.DataRate = hal.FSKRate(gp.BitRate, gp.FDev*1000)
	}
	switch gp.Mode {
	case "TIMESTAMPED":
		p.Trigger = hal.Trigger{Mode: hal.AtCount, Count: hal.Count(count + uint32(gp.CountUSOffset))}
	case "ON_GPS":
		p.Trigger = hal.Trigger{Mode: hal.OnPPS}
	default:
		p.Trigger = hal.Trigger{Mode: hal.Immediate}
	}
	return p
}

func TestGoldenTx(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(goldenDir, "tx-*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden TX files: %v", err)
	}
	for _, file := range files {
		var g sx1302test.GoldenTx
		if err := sx1302test.LoadGolden(file, &g); err != nil {
			t.Fatal(err)
		}
		t.Run(g.Name, func(t *testing.T) {
			start := strings.Fields(g.StartConfig)[0]
			r := goldenRig(t, start, sx1302test.Config{})
			for _, f := range g.Registers {
				if got := fieldOf(r.chip, f); got != byte(f.ValueBeforeSend)&byte(1<<f.Width-1) {
					t.Errorf("before send: %s = %d, golden %d", f.Name, got, f.ValueBeforeSend)
				}
			}
			count, err := r.dev.Counter()
			if err != nil {
				t.Fatal(err)
			}
			p := goldenTxPacket(t, &g, uint32(count))
			before := snapshot(r.chip)
			if err := r.dev.Send(p); err != nil {
				t.Fatal(err)
			}
			// Nothing outside TX_TOP_A and the AGC mailbox changes
			// (other_fields_changed_by_send is empty in every file).
			mailbox := map[uint16]bool{}
			for _, m := range g.Mailbox {
				mailbox[uint16(m.Addr)] = true
			}
			for a, v := range snapshot(r.chip) {
				if inTxA := a >= sx1302.BaseTXTopA && a < sx1302.BaseTXTopA+0x100; !inTxA && !mailbox[a] && before[a] != v {
					t.Errorf("send changed register 0x%04x from 0x%02x to 0x%02x", a, before[a], v)
				}
			}
			checkFields(t, r.chip, g.Name+" TX", g.Registers)
			want, _ := hex.DecodeString(g.Buffer.Hex)
			got := make([]byte, len(want))
			for i := range got {
				got[i] = r.chip.Peek(sx1302.MemTXBufA + uint16(i))
			}
			if hex.EncodeToString(got) != g.Buffer.Hex {
				t.Errorf("TX buffer %x, golden %s", got, g.Buffer.Hex)
			}
			for _, m := range g.Mailbox {
				if got := r.chip.Peek(uint16(m.Addr)); got != m.Value {
					t.Errorf("%s = %d, golden %d", m.Name, got, m.Value)
				}
			}
			if g.Trigger.Delayed != nil {
				var trig uint32
				for i := uint16(0); i < 4; i++ {
					trig |= uint32(r.chip.Peek(sx1302.Reg("TX_TOP_A_TIMER_TRIG_BYTE0_TIMER_DELAYED_TRIG").Addr()-i)) << (8 * i)
				}
				if off := int64(int32(trig - uint32(p.Trigger.Count)*32)); off != *g.Trigger.Delayed {
					t.Errorf("TIMER_DELAYED_TRIG - count_us*32 = %d, golden %d", off, *g.Trigger.Delayed)
				}
			}
		})
	}
}

// snapshot reads every writable register byte of the map.
func snapshot(chip *sx1302test.Chip) map[uint16]byte {
	m := map[uint16]byte{}
	for _, f := range sx1302.RegisterMap() {
		if !f.ReadOnly() {
			m[f.Addr()] = chip.Peek(f.Addr())
		}
	}
	return m
}
