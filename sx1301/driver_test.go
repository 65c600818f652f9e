package sx1301_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/sx1301"
	"github.com/lgwagent/lgw/sx1301/sx1301test"
)

// us915SubBand2 is the SX1301 plan of US915 sub-band 2 (channels 8-15 and
// 65): radio A at 904.3 MHz, radio B at 905.0 MHz, the 500 kHz channel at
// the edge radio A passes (|300 kHz| + 250 kHz = 550 kHz).
func us915SubBand2() sx1301.Plan {
	var p sx1301.Plan
	p.Radios[0].Freq, p.Radios[1].Freq = 904300000, 905000000
	ifs := []struct {
		r  uint8
		hz int32
	}{{0, -400000}, {0, -200000}, {0, 0}, {0, 200000}, {1, -300000}, {1, -100000}, {1, 100000}, {1, 300000}}
	for i, c := range ifs {
		p.MultiSF[i] = sx1301.IFChannel{Enable: true, Radio: c.r, IF: c.hz}
	}
	p.Service = sx1301.IFChannel{Enable: true, Radio: 0, IF: 300000}
	p.ServiceRate = hal.LoRaRate(8, hal.BW500, hal.CR4_5)
	return p
}

// cn470 is a CN470 plan on SX1255 radios (RAK2245 CN470 layout).
func cn470() sx1301.Plan {
	var p sx1301.Plan
	p.Radios[0].Freq, p.Radios[1].Freq = 486600000, 487400000
	for i, hz := range []int32{-300000, -100000, 100000, 300000} {
		p.MultiSF[i] = sx1301.IFChannel{Enable: true, Radio: 0, IF: hz}
		p.MultiSF[i+4] = sx1301.IFChannel{Enable: true, Radio: 1, IF: hz}
	}
	return p
}

func uplink(freq uint32, d hal.DataRate, n int) hal.RxPacket {
	pl := make([]byte, n)
	for i := range pl {
		pl[i] = byte(i * 7)
	}
	return hal.RxPacket{Payload: pl, Frequency: freq, DataRate: d, CRC: hal.CRCOK, RSSIChannel: -90, SNR: 7.5}
}

// receiveAll injects each uplink 10 ms apart and checks the driver reports
// it on the expected IF chain with the true end-of-packet count.
func receiveAll(t *testing.T, r *rig, ups []hal.RxPacket, chains []uint8) {
	t.Helper()
	for i, u := range ups {
		at := r.clk.Now().Add(10 * time.Millisecond)
		want := r.chip.Now() + 10000
		r.chip.Inject(at, u)
		r.clk.Advance(20 * time.Millisecond)
		pkts, err := r.dev.Receive()
		if err != nil {
			t.Fatal(err)
		}
		if len(pkts) != 1 {
			t.Fatalf("uplink %d (%d Hz %s): %d packets (unplaced %d)", i, u.Frequency, u.DataRate, len(pkts), r.chip.Unplaced())
		}
		p := pkts[0]
		if p.IFChain != chains[i] || absDiff(p.Frequency, u.Frequency) > 500 || uint32(p.Count) != want ||
			p.DataRate != u.DataRate || string(p.Payload) != string(u.Payload) || p.CRC != hal.CRCOK {
			t.Errorf("uplink %d: if %d freq %d count %d %s crc %v, want if %d freq %d count %d %s", i, p.IFChain, p.Frequency,
				p.Count, p.DataRate, p.CRC, chains[i], u.Frequency, want, u.DataRate)
		}
		if d := p.RSSIChannel - u.RSSIChannel; d > 1 || d < -1 {
			t.Errorf("uplink %d: rssi %.1f, sent %.1f", i, p.RSSIChannel, u.RSSIChannel)
		}
	}
}

// TestUS915SubBand2: the rules derived for a plan no golden covers.
func TestUS915SubBand2(t *testing.T) {
	opts := sx1301.Opts{Radio: sx1301.SX1257, ClockSource: 1, Plan: us915SubBand2(),
		TxFreq: hal.FreqRange{Min: 902e6, Max: 928e6}}
	r := newRig(t, sx1301test.Config{Trace: true}, opts)
	if err := r.start(); err != nil {
		t.Fatal(err)
	}
	defer r.stop(t)
	want := map[sx1301.Reg]int32{
		sx1301.IfFreq0: -819, sx1301.IfFreq1: -409, sx1301.IfFreq2: 0, sx1301.IfFreq3: 409,
		sx1301.IfFreq4: -614, sx1301.IfFreq5: -204, sx1301.IfFreq6: 204, sx1301.IfFreq7: 614, sx1301.IfFreq8: 614,
		sx1301.MbwssfModemBw: 2, sx1301.MbwssfRateSf: 8, sx1301.MbwssfPpmOffset: 0, sx1301.MbwssfRadioSelect: 0,
		sx1301.MbwssfModemEnable: 1, sx1301.FskModemEnable: 0, sx1301.FreqToTimeDrift: 9, sx1301.MbwssfFreqToTimeDrift: 36,
		sx1301.Corr7DetectEn: 0x7E,
	}
	for reg, v := range want {
		if got := r.chip.Reg(reg); got != v {
			t.Errorf("%s = %d, want %d", reg, got, v)
		}
	}
	var ups []hal.RxPacket
	var chains []uint8
	for i, f := range []uint32{903900000, 904100000, 904300000, 904500000, 904700000, 904900000, 905100000, 905300000} {
		ups = append(ups, uplink(f, hal.LoRaRate(uint8(7+i%6), hal.BW125, hal.CR4_5), 10+i))
		chains = append(chains, uint8(i))
	}
	ups = append(ups, uplink(904600000, hal.LoRaRate(8, hal.BW500, hal.CR4_5), 20))
	chains = append(chains, 8)
	receiveAll(t, r, ups, chains)
	// A class A downlink on 923.3 MHz at SF10 BW500.
	at := hal.Count(r.chip.Now() + 100000)
	p := &hal.TxPacket{Payload: []byte{1, 2, 3}, Frequency: 923300000, Power: 20, DataRate: hal.LoRaRate(10, hal.BW500, hal.CR4_5),
		InvertIQ: true, NoCRC: true, Trigger: hal.Trigger{Mode: hal.AtCount, Count: at}}
	if err := r.dev.Send(p); err != nil {
		t.Fatal(err)
	}
	e := r.chip.AirLog()[0]
	if e.StartCount != uint32(at) || absDiff(e.Frequency, 923300000) > 62 || e.Header[0]&0xC0 != 0x80 || e.StartDelay != 1497 {
		t.Errorf("emission %+v", e)
	}
}

// TestCN470SX1255: an SX1255 board programs the SX1255's registers and
// frequency words and receives and transmits in the 470 MHz band.
func TestCN470SX1255(t *testing.T) {
	opts := sx1301.Opts{Radio: sx1301.SX1255, ClockSource: 1, Plan: cn470(), RSSIOffset: -176,
		TxFreq: hal.FreqRange{Min: 500e6, Max: 510e6}}
	r := newRig(t, sx1301test.Config{Trace: true, Radio: sx1301.SX1255, RSSIOffset: -176}, opts)
	if err := r.start(); err != nil {
		t.Fatal(err)
	}
	defer r.stop(t)
	tr := strings.Join(r.chip.Trace(), " ")
	if !strings.Contains(tr, "w:23:37") {
		t.Error("calibration command 0x37 (RX A/B, TX A, DAC 3, SX1255) not sent")
	}
	// 486.6 MHz on an SX1255: 243 × 2 MHz + (600 kHz × 2^9) / 15625.
	if w := sx1301.PLLWord(sx1301.SX1255, 486600000); w != 243<<16|19660 {
		t.Errorf("PLL word 0x%06x", w)
	}
	regs := r.chip.RadioRegs(0)
	if regs[0x28] != 0x2D || regs[0x01] != 243 || regs[0x02] != byte(19660>>8) || regs[0x03] != byte(19660&0xFF) {
		t.Errorf("radio A registers %v", regs)
	}
	var ups []hal.RxPacket
	var chains []uint8
	for i, f := range []uint32{486300000, 486500000, 486700000, 486900000, 487100000, 487300000, 487500000, 487700000} {
		ups = append(ups, uplink(f, hal.LoRaRate(uint8(12-i%6), hal.BW125, hal.CR4_5), 5+i))
		chains = append(chains, uint8(i))
	}
	receiveAll(t, r, ups, chains)
	p := &hal.TxPacket{Payload: []byte{9}, Frequency: 500300000, Power: 17, DataRate: hal.LoRaRate(12, hal.BW125, hal.CR4_5),
		InvertIQ: true, NoCRC: true, Trigger: hal.Trigger{Mode: hal.Immediate}}
	if err := r.dev.Send(p); err != nil {
		t.Fatal(err)
	}
	e := r.chip.AirLog()[0]
	if absDiff(e.Frequency, 500300000) > 31 || e.Trigger != hal.Immediate || e.Header[11]&0x08 == 0 {
		t.Errorf("emission %d Hz %v header %x", e.Frequency, e.Trigger, e.Header)
	}
}

// TestPlanRules: what an SX1301 cannot do is refused by name.
func TestPlanRules(t *testing.T) {
	cases := []struct {
		name string
		edit func(p *sx1301.Plan)
		want string
	}{
		{"SF6 service", func(p *sx1301.Plan) { p.ServiceRate.SpreadingFactor = 6 }, "service_channel: spreading factor 6: the SX1301 takes 7 to 12"},
		{"IF too far", func(p *sx1301.Plan) { p.MultiSF[0].IF = -420000 }, "channel[0]: 903.88 MHz is -420 kHz from radio 0"},
		{"500k too far", func(p *sx1301.Plan) { p.Service.IF = 310000 }, "the SX1301 allows at most 550 kHz"},
		{"radio off", func(p *sx1301.Plan) { p.Radios[1].Freq = 0 }, "uses radio 1, which is not enabled"},
		{"radio band", func(p *sx1301.Plan) {
			p.Radios[1].Freq = 470e6
			p.MultiSF[4].Enable = false
			p.MultiSF[5].Enable = false
			p.MultiSF[6].Enable = false
			p.MultiSF[7].Enable = false
		},
			"radio[1] at 470000000 Hz is outside the SX1257 range"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := us915SubBand2()
			if err := sx1301.ValidatePlan(&p, sx1301.SX1257); err != nil {
				t.Fatal(err)
			}
			c.edit(&p)
			err := sx1301.ValidatePlan(&p, sx1301.SX1257)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want %q", err, c.want)
			}
		})
	}
}

// TestTxModes: immediate, at-count and on-PPS triggers leave at the
// chip's counter as programmed; a second packet while one is programmed
// is refused; abort frees the transmitter.
func TestTxModes(t *testing.T) {
	g := loadStart(t)
	r := newRig(t, sx1301test.Config{PPS: true}, goldenOpts(t, g.Config, ""))
	if err := r.start(); err != nil {
		t.Fatal(err)
	}
	defer r.stop(t)
	pkt := func(m hal.TriggerMode, c hal.Count) *hal.TxPacket {
		return &hal.TxPacket{Payload: []byte("hello"), Frequency: 869525000, Power: 14,
			DataRate: hal.LoRaRate(9, hal.BW125, hal.CR4_5), InvertIQ: true, NoCRC: true, Trigger: hal.Trigger{Mode: m, Count: c}}
	}
	now, err := r.dev.Counter()
	if err != nil {
		t.Fatal(err)
	}
	if uint32(now) != r.chip.Now() {
		t.Fatalf("counter %d, chip %d", now, r.chip.Now())
	}
	if err := r.dev.Send(pkt(hal.AtCount, now+500000)); err != nil {
		t.Fatal(err)
	}
	if err := r.dev.Send(pkt(hal.Immediate, 0)); !errors.Is(err, hal.ErrTxBusy) {
		t.Errorf("second send: %v, want ErrTxBusy", err)
	}
	if err := r.dev.AbortTx(0); err != nil {
		t.Fatal(err)
	}
	if st, _ := r.dev.TxStatus(0); st != hal.TxFree {
		t.Errorf("after abort: %v", st)
	}
	if err := r.dev.Send(pkt(hal.Immediate, 0)); err != nil {
		t.Fatal(err)
	}
	start := r.chip.Now()
	r.clk.Advance(time.Second)
	if err := r.dev.Send(pkt(hal.OnPPS, 0)); err != nil {
		t.Fatal(err)
	}
	pps, err := r.dev.PPSCounter()
	if err != nil {
		t.Fatal(err)
	}
	air := r.chip.AirLog()
	if len(air) != 3 || !air[0].Aborted || air[1].Aborted || air[2].Trigger != hal.OnPPS {
		t.Fatalf("air log %+v", air)
	}
	if air[1].StartCount != start+1495 {
		t.Errorf("immediate: preamble at %d, armed at %d", air[1].StartCount, start)
	}
	if uint32(pps)%1000000 != 0 || air[2].StartCount != uint32(pps)+1000000+1495 {
		t.Errorf("on-PPS: preamble at %d, last PPS %d", air[2].StartCount, pps)
	}
	if _, err := r.dev.Temperature(); !errors.Is(err, hal.ErrNoSensor) {
		t.Errorf("temperature: %v", err)
	}
	info, err := r.dev.Chip()
	if err != nil || info.Model != "SX1301" || info.Firmware["agc"] != "4" || info.Firmware["arb"] != "1" || info.Firmware["cal"] != "2" {
		t.Errorf("chip %+v %v", info, err)
	}
	for _, bad := range []*hal.TxPacket{
		{Frequency: 869525000, DataRate: hal.LoRaRate(6, hal.BW125, hal.CR4_5)},
		{Frequency: 869525000, RFChain: 1, DataRate: hal.LoRaRate(7, hal.BW125, hal.CR4_5)},
		{Frequency: 915000000, DataRate: hal.LoRaRate(7, hal.BW125, hal.CR4_5)},
	} {
		if err := r.dev.Send(bad); err == nil {
			t.Errorf("send %+v accepted", bad)
		}
	}
}

// TestNotStarted: every call before Start says so, and Stop is harmless.
func TestNotStarted(t *testing.T) {
	g := loadStart(t)
	r := newRig(t, sx1301test.Config{}, goldenOpts(t, g.Config, ""))
	for name, err := range map[string]error{
		"receive": func() error { _, err := r.dev.Receive(); return err }(),
		"counter": func() error { _, err := r.dev.Counter(); return err }(),
		"pps":     func() error { _, err := r.dev.PPSCounter(); return err }(),
		"send":    r.dev.Send(&hal.TxPacket{Frequency: 868e6, DataRate: hal.LoRaRate(7, hal.BW125, hal.CR4_5)}),
		"abort":   r.dev.AbortTx(0),
	} {
		if !errors.Is(err, hal.ErrNotStarted) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if st, err := r.dev.TxStatus(0); st != hal.TxOff || err != nil {
		t.Errorf("status %v %v", st, err)
	}
	if err := r.dev.Stop(); err != nil {
		t.Error(err)
	}
	if c := r.dev.Capabilities(); c.RFChains != 2 || c.IFChains != 10 || len(c.TxGains) != 16 || !c.CanTransmit(0, 868e6) || c.CanTransmit(1, 868e6) {
		t.Errorf("capabilities %+v", c)
	}
}

// TestLateTrigger: a trigger count already passed fires only when the
// counter comes round again (2^32 µs later), as the chip's comparator
// does; the transmitter stays scheduled until aborted.
func TestLateTrigger(t *testing.T) {
	g := loadStart(t)
	r := newRig(t, sx1301test.Config{}, goldenOpts(t, g.Config, ""))
	if err := r.start(); err != nil {
		t.Fatal(err)
	}
	defer r.stop(t)
	now := r.chip.Now()
	p := &hal.TxPacket{Payload: []byte{1}, Frequency: 868100000, Power: 14, DataRate: hal.LoRaRate(7, hal.BW125, hal.CR4_5),
		Trigger: hal.Trigger{Mode: hal.AtCount, Count: hal.Count(now - 1000)}}
	if err := r.dev.Send(p); err != nil {
		t.Fatal(err)
	}
	r.clk.Advance(10 * time.Second)
	if st, _ := r.dev.TxStatus(0); st != hal.TxScheduled {
		t.Fatalf("late trigger: %v", st)
	}
	if e := r.chip.AirLog()[0]; e.StartTime.Sub(r.clk.Now()) < time.Hour {
		t.Fatalf("late trigger emitted at %v", e.StartTime)
	}
	if err := r.dev.AbortTx(0); err != nil {
		t.Fatal(err)
	}
	if e := r.chip.AirLog()[0]; !e.Aborted {
		t.Fatal("not aborted")
	}
}

// TestSmallPortLimit: on a port that moves at most 256 bytes per transfer
// the bursts are cut to fit and start, RX and TX still work.
func TestSmallPortLimit(t *testing.T) {
	g := loadStart(t)
	r := newRig(t, sx1301test.Config{MaxTx: 256, Trace: true}, goldenOpts(t, g.Config, ""))
	if err := r.start(); err != nil {
		t.Fatal(err)
	}
	defer r.stop(t)
	n := 0
	for _, tr := range r.chip.Trace() {
		if strings.HasPrefix(tr, "w:0a:") {
			n++
		}
	}
	if n != 3*((sx1301.FirmwareLen+254)/255) {
		t.Errorf("%d program RAM write chunks, want %d of at most 255 bytes", n, 3*((sx1301.FirmwareLen+254)/255))
	}
	receiveAll(t, r, []hal.RxPacket{uplink(868100000, hal.LoRaRate(7, hal.BW125, hal.CR4_5), 250)}, []uint8{0})
}

// TestOwnPoller: with PollInterval set the driver drains the FIFO itself,
// so more than the chip's 16 packets between two Receive calls are kept.
func TestOwnPoller(t *testing.T) {
	g := loadStart(t)
	opts := goldenOpts(t, g.Config, "")
	opts.PollInterval = 10 * time.Millisecond
	r := newRig(t, sx1301test.Config{}, opts)
	if err := r.start(); err != nil {
		t.Fatal(err)
	}
	defer r.stop(t)
	for i := 0; i < 40; i++ {
		r.chip.Inject(r.clk.Now().Add(time.Duration(i+1)*5*time.Millisecond), uplink(868100000, hal.LoRaRate(7, hal.BW125, hal.CR4_5), 10))
	}
	// Each tick, wait for the poller's SPI traffic and an empty FIFO
	// before time moves on.
	for i := 0; i < 30; i++ {
		n := r.chip.Transactions()
		r.clk.Advance(10 * time.Millisecond)
		for deadline := time.Now().Add(5 * time.Second); r.chip.Transactions() == n || r.chip.FIFOLen() > 0; {
			if time.Now().After(deadline) {
				t.Fatal("the driver's poller does not read the FIFO")
			}
			time.Sleep(100 * time.Microsecond)
		}
	}
	pkts, err := r.dev.Receive()
	if err != nil {
		t.Fatal(err)
	}
	got := len(pkts)
	if got != 40 {
		t.Fatalf("received %d of 40 (stats %+v)", got, r.dev.Stats())
	}
}
