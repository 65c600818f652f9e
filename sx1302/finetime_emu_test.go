package sx1302_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/sx1302"
	"github.com/lgwagent/lgw/sx1302/sx1302test"
)

// newFineRig is newRig with Opts.FineTimestamp and the given OTP model.
func newFineRig(t *testing.T, model byte, fine bool) *rig {
	t.Helper()
	v := clock.NewVirtual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	chip := sx1302test.New(sx1302test.Config{Clock: v, Fail: t, PPS: true, Model: model})
	dir := t.TempDir()
	if err := sx1302test.WriteSyntheticFirmware(dir); err != nil {
		t.Fatal(err)
	}
	dev, err := sx1302.New(chip, sx1302.Pins{}, sx1302.Opts{FirmwareDir: dir, Plan: euPlan(t), FineTimestamp: fine,
		TxFreq: hal.FreqRange{Min: 863e6, Max: 870e6}}, v, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	return &rig{clk: v, chip: chip, dev: dev}
}

// runFor moves the clock on in 250 ms steps, reading the counter (and so
// the PPS latch) at each, as the driver's counter loop does.
func (r *rig) runFor(t *testing.T, d time.Duration) {
	t.Helper()
	for end := r.clk.Now().Add(d); r.clk.Now().Before(end); {
		r.clk.Advance(250 * time.Millisecond)
		if _, err := r.dev.Counter(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFineTimestampNeedsSX1303(t *testing.T) {
	r := newFineRig(t, 0x02, true)
	err := r.start(t)
	if !errors.Is(err, sx1302.ErrFineNeedsSX1303) || !strings.Contains(err.Error(), "fine_timestamp") {
		t.Fatalf("Start on an SX1302 with FineTimestamp = %v, want ErrFineNeedsSX1303 naming fine_timestamp", err)
	}
}

func TestFineTimestampOffOrSX1302(t *testing.T) {
	for _, c := range []struct {
		model byte
		fine  bool
	}{{0x03, false}, {0x02, false}} {
		r := newFineRig(t, c.model, c.fine)
		if err := r.start(t); err != nil {
			t.Fatal(err)
		}
		if r.dev.Capabilities().FineTimestamp {
			t.Errorf("model %#x fine %v: capability reported", c.model, c.fine)
		}
		r.runFor(t, 18*time.Second)
		r.chip.Inject(r.clk.Now().Add(300*time.Millisecond), hal.RxPacket{Payload: []byte("legacy mode"), Frequency: 868100000,
			DataRate: hal.LoRaRate(7, hal.BW125, hal.CR4_5), CRC: hal.CRCOK})
		r.runFor(t, time.Second)
		got, err := r.dev.Receive()
		if err != nil || len(got) != 1 || got[0].HasFineTime || got[0].FineTime != 0 {
			t.Errorf("model %#x fine %v: %v, %v; want one packet without fine time", c.model, c.fine, got, err)
		}
		r.dev.Stop()
	}
}

func TestFineTimestampThroughEmulator(t *testing.T) {
	r := newFineRig(t, 0x03, true)
	if err := r.start(t); err != nil {
		t.Fatal(err)
	}
	defer r.dev.Stop()
	if !r.dev.Capabilities().FineTimestamp {
		t.Fatal("FineTimestamp capability not reported on an SX1303 in precision mode")
	}
	plan := euPlan(t)
	var freqs []uint32
	var ifs []int32
	for _, c := range plan.MultiSF {
		if c.Enable {
			freqs = append(freqs, uint32(int64(plan.Radios[c.Radio].Freq)+int64(c.IF)))
			ifs = append(ifs, c.IF)
		}
	}
	// Under 16 s of PPS: no fine time, but a correct count.
	r.runFor(t, 5*time.Second)
	c0, _ := r.dev.Counter()
	early := hal.RxPacket{Payload: []byte("too early"), Frequency: freqs[0], DataRate: hal.LoRaRate(7, hal.BW125, hal.CR4_5), CRC: hal.CRCOK}
	r.chip.Inject(r.clk.Now().Add(300*time.Millisecond+123456*time.Nanosecond), early)
	r.runFor(t, time.Second)
	got, err := r.dev.Receive()
	if err != nil || len(got) != 1 {
		t.Fatalf("early packet: %v, %v", got, err)
	}
	if got[0].HasFineTime {
		t.Errorf("fine time %d ns with under 16 s of PPS", got[0].FineTime)
	}
	if d := int64(uint32(got[0].Count) - uint32(c0) - 300123); absI(d) > 2 {
		t.Errorf("precision-mode count off by %d µs", d)
	}
	r.runFor(t, 12*time.Second)
	if n := r.dev.Stats().NoFineTime; n != 1 {
		t.Errorf("NoFineTime = %d, want 1", n)
	}
	// With the history full: every CRC-OK LoRa packet gets a fine time
	// within half a metric step of the truth.
	type up struct {
		p   hal.RxPacket
		off time.Duration
		tol float64 // ns
	}
	var ups []up
	for i, f := range freqs {
		for _, sf := range []uint8{7, 9, 10, 11, 12} {
			// half a metric step (1/(2n) tick) plus rounding to whole ns
			tol := 31.25/float64(4*sx1302.MetricPairs(sf)) + 0.5
			ups = append(ups, up{hal.RxPacket{Payload: []byte{byte(i), sf, 1, 2, 3, 4, 5, 6}, Frequency: f,
				DataRate: hal.LoRaRate(sf, hal.BW125, hal.CR4_5), CRC: hal.CRCOK},
				time.Duration(i*7919+int(sf)*104729) * time.Microsecond / 7, tol + 0.05})
		}
	}
	bad := hal.RxPacket{Payload: []byte("bad crc"), Frequency: freqs[1], DataRate: hal.LoRaRate(7, hal.BW125, hal.CR4_5), CRC: hal.CRCBad}
	worst := 0.0
	for _, u := range ups {
		at := r.clk.Now().Add(400*time.Millisecond + u.off%(300*time.Millisecond))
		r.chip.Inject(at, u.p)
		r.chip.Inject(at.Add(50*time.Millisecond), bad)
		r.runFor(t, 3*time.Second)
		got, err := r.dev.Receive()
		if err != nil || len(got) != 2 {
			t.Fatalf("SF%d on %d Hz: %d packets, %v", u.p.DataRate.SpreadingFactor, u.p.Frequency, len(got), err)
		}
		if got[1].HasFineTime {
			t.Errorf("CRC-bad packet has fine time %d", got[1].FineTime)
		}
		want := r.chip.TrueFineTime(at, u.p)
		if !got[0].HasFineTime {
			t.Fatalf("SF%d on %d Hz: no fine time (want %.2f ns)", u.p.DataRate.SpreadingFactor, u.p.Frequency, want)
		}
		e := math.Abs(float64(got[0].FineTime) - want)
		worst = max(worst, e)
		if e > u.tol {
			t.Errorf("SF%d on %d Hz: fine time %d ns, want %.2f (±%.2f)", u.p.DataRate.SpreadingFactor, u.p.Frequency, got[0].FineTime, want, u.tol)
		}
	}
	t.Logf("%d packets on IFs %v: worst error %.2f ns", len(ups), ifs, worst)
}
