package sx1302test

import (
	"encoding/binary"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/sx1302"
)

// chipHz converts the TX modulator's unit (32 MHz / 2^18) to Hz.
func chipHz(reg uint32) uint32 { return uint32((uint64(reg)*32000000 + 1<<17) >> 18) }

// txReg reads a TX_TOP field of chain ch.
func (c *Chip) txReg(ch uint8, f sx1302.Field) byte {
	g := sx1302.TxField(f, ch)
	return c.mem[g.Addr()] & g.Mask() >> g.Offset()
}

// txDecoded is a transmission as the chip reads its TX registers.
type txDecoded struct {
	dr       hal.DataRate
	payload  []byte
	invert   bool
	implicit bool
	crc      bool
	preamble int
}

// decodeTx reads the modem settings of chain ch in the chip's units and
// checks them as the chip would transmit them: a LoRa deviation other than
// BW/2, an FSK deviation out of range or disagreeing with what the AGC
// gives the SX1250, or modem settings that contradict the SF/BW are
// misuse.
func (c *Chip) decodeTx(ch uint8) (txDecoded, error) {
	f := func(fl sx1302.Field) byte { return c.txReg(ch, fl) }
	buf := uint16(sx1302.MemTXBufA)
	if ch == 1 {
		buf = sx1302.MemTXBufB
	}
	dev := chipHz(uint32(f(sx1302.TxFreqDevH))<<8 | uint32(f(sx1302.TxFreqDevL)))
	var t txDecoded
	if f(sx1302.TxModulationType) == 0 {
		bw, ok := map[byte]hal.Bandwidth{4: hal.BW125, 5: hal.BW250, 6: hal.BW500}[f(sx1302.TxModemBW)]
		sf := f(sx1302.TxModemSF)
		if !ok || sf < 5 || sf > 12 {
			return t, fmt.Errorf("LoRa TX with bandwidth code %d and SF %d", f(sx1302.TxModemBW), sf)
		}
		t.dr = hal.LoRaRate(sf, bw, hal.CodeRate(f(sx1302.TxCodingRate)))
		t.payload = append([]byte(nil), c.mem[buf:buf+uint16(f(sx1302.TxPayloadLength))]...)
		t.invert, t.implicit, t.crc = f(sx1302.TxChirpInvert) != 0, f(sx1302.TxImplicitHeader) != 0, f(sx1302.TxCRCEn) != 0
		t.preamble = int(f(sx1302.TxPreambleLSB)) | int(f(sx1302.TxPreambleMSB))<<8
		return t, c.checkLoRaTx(ch, t.dr, dev)
	}
	br := uint32(f(sx1302.TxFSKBitRateMSB))<<8 | uint32(f(sx1302.TxFSKBitRateLSB))
	if br == 0 {
		return t, fmt.Errorf("FSK TX with bit rate register 0")
	}
	t.dr = hal.FSKRate(32000000/br, dev)
	n := uint16(c.mem[buf])
	t.payload = append([]byte(nil), c.mem[buf+1:buf+1+n]...)
	t.preamble = int(f(sx1302.TxFSKPreambleLSB)) | int(f(sx1302.TxFSKPreambleMSB))<<8
	t.crc = f(sx1302.TxFSKCRCEn) != 0
	return t, c.checkFSKTx(ch, dev)
}

// checkLoRaTx refuses LoRa settings the chip would mis-transmit.
func (c *Chip) checkLoRaTx(ch uint8, dr hal.DataRate, dev uint32) error {
	f := func(fl sx1302.Field) byte { return c.txReg(ch, fl) }
	bw, sf := uint32(dr.Bandwidth), dr.SpreadingFactor
	if want := chipHz(uint32(uint64(bw/2) << 18 / 32000000)); dev != want {
		return fmt.Errorf("LoRa TX frequency deviation %d Hz (FREQ_DEV %d), want BW/2 = %d Hz: the chirps would not span the bandwidth",
			dev, uint32(f(sx1302.TxFreqDevH))<<8|uint32(f(sx1302.TxFreqDevL)), bw/2)
	}
	if agc := f(sx1302.TxAGCBW); agc != f(sx1302.TxModemBW) {
		return fmt.Errorf("LoRa TX: AGC_TX_BW %d contradicts MODEM_BW %d", agc, f(sx1302.TxModemBW))
	}
	lp := byte(6)
	if sf >= 10 {
		lp = 7
	}
	p1, p2 := f(sx1302.TxPeak1), f(sx1302.TxPeak2)
	ldro := dr.LowDataRateOptimize()
	checks := []struct {
		bad bool
		msg string
	}{
		{f(sx1302.TxChirpLowpass) != lp, fmt.Sprintf("chirp low-pass %d at SF%d, want %d", f(sx1302.TxChirpLowpass), sf, lp)},
		{(f(sx1302.TxPPMOffset) != 0) != ldro, fmt.Sprintf("PPM_OFFSET %d contradicts low data rate optimisation %v at %s", f(sx1302.TxPPMOffset), ldro, dr)},
		{f(sx1302.TxPPMOffsetHdrCtrl) != 0, fmt.Sprintf("PPM_OFFSET_HDR_CTRL %d, want 0", f(sx1302.TxPPMOffsetHdrCtrl))},
		{(f(sx1302.TxFineSynchEn) != 0) != (sf < 7), fmt.Sprintf("fine sync %d at SF%d", f(sx1302.TxFineSynchEn), sf)},
		{sf < 7 && (p1 != 2 || p2 != 4), fmt.Sprintf("sync word peaks %d/%d at SF%d, want 2/4", p1, p2, sf)},
		{!(p1 == 6 && p2 == 8 || p1 == 2 && p2 == 4), fmt.Sprintf("sync word peaks %d/%d are neither public (6/8) nor private (2/4)", p1, p2)},
		{f(sx1302.TxPreambleLSB) < 6 && f(sx1302.TxPreambleMSB) == 0, "preamble shorter than 6 symbols"},
	}
	for _, k := range checks {
		if k.bad {
			return fmt.Errorf("LoRa TX: %s", k.msg)
		}
	}
	sd := uint32(f(sx1302.TxStartDelayMSB))<<8 | uint32(f(sx1302.TxStartDelayLSB))
	if want := sx1302.TxStartDelayTicks(dr.Bandwidth, sf); sd != want {
		return fmt.Errorf("LoRa TX: start delay %d ticks, want %d at %s", sd, want, dr)
	}
	return nil
}

// checkFSKTx refuses FSK settings the chip would mis-transmit.
func (c *Chip) checkFSKTx(ch uint8, dev uint32) error {
	f := func(fl sx1302.Field) byte { return c.txReg(ch, fl) }
	// The range in the modulator's steps: the driver rounds down.
	reg := uint32(f(sx1302.TxFreqDevH))<<8 | uint32(f(sx1302.TxFreqDevL))
	if reg < uint32(sx1302.MinFSKDeviation<<18/32000000) || reg > uint32(sx1302.MaxFSKDeviation<<18/32000000) {
		return fmt.Errorf("FSK TX frequency deviation %d Hz (FREQ_DEV in 32 MHz/2^18 units) outside %d-%d Hz",
			dev, sx1302.MinFSKDeviation, sx1302.MaxFSKDeviation)
	}
	a := sx1302.AGCMailboxWrByte0.Addr()
	mb := uint32(c.mem[a-2])<<16 | uint32(c.mem[a-1])<<8 | uint32(c.mem[a])
	if radio := uint32((uint64(mb)*32000000 + 1<<24) >> 25); radio+150 < dev || radio > dev+150 {
		return fmt.Errorf("FSK TX: the AGC mailbox gives the SX1250 a deviation of %d Hz, the modulator %d Hz", radio, dev)
	}
	sw := uint64(0)
	for i := 0; i < 8; i++ {
		sw |= uint64(c.txReg(ch, sx1302.TxFSKRefPattern0.At(-i))) << (8 * i)
	}
	size := int(f(sx1302.TxFSKRefPatternSize)) + 1
	checks := []struct {
		bad bool
		msg string
	}{
		{f(sx1302.TxAGCBW)&0x80 == 0, "AGC_TX_BW does not select FSK"},
		{f(sx1302.TxFSKGaussianEn) == 0, "Gaussian filter off"},
		{f(sx1302.TxFSKRefPatternEn) == 0, "no sync word"},
		{sw != uint64(sx1302.FSKSyncWord)<<(8*(8-size)) || size != 3,
			fmt.Sprintf("sync word %016x (%d bytes), want the LoRaWAN %06X", sw, size, sx1302.FSKSyncWord)},
		{f(sx1302.TxFSKPktMode) != 1, "fixed-length packets"},
	}
	for _, k := range checks {
		if k.bad {
			return fmt.Errorf("FSK TX: %s", k.msg)
		}
	}
	return nil
}

// trigger handles writes to TX_TRIG: a 0 -> 1 edge arms, clearing all
// trigger bits while armed aborts (rxtx §2.3 step 9, §2.5). A transmission
// aborted before its start never reaches the air log.
func (c *Chip) trigger(ch uint8, old, v byte) {
	now := c.cfg.Clock.Now()
	t := &c.tx[ch]
	rise := v &^ old & 0x07
	if v&0x07 == 0 && t.state != hal.TxFree {
		c.abortTx(ch, now)
		return
	}
	if rise == 0 || t.state != hal.TxFree {
		return
	}
	dec, err := c.decodeTx(ch)
	if err != nil {
		_ = c.misuse("rf chain %d: %v", ch, err)
		return
	}
	f := func(fl sx1302.Field) byte { return c.mem[sx1302.TxField(fl, ch).Addr()] }
	var delay uint32
	if dec.dr.Modulation == hal.LoRa {
		delay = uint32(f(sx1302.TxStartDelayMSB))<<8 | uint32(f(sx1302.TxStartDelayLSB))
	}
	e := Emission{RFChain: ch, DataRate: dec.dr, Payload: dec.payload, InvertIQ: dec.invert, PowerByte: f(sx1302.TxAGCPwr)}
	var trigTicks uint32
	switch {
	case rise&1 != 0:
		e.Trigger = hal.Immediate
		t.trig = now
	case rise&2 != 0:
		e.Trigger = hal.AtCount
		a := sx1302.TxField(sx1302.TxTimerTrig3, ch).Addr()
		target := binary.BigEndian.Uint32(c.mem[a : a+4])
		t.trig = c.timeOfTicks(now, target-c.ticks(now))
		trigTicks = target
	default:
		e.Trigger = hal.OnPPS
		p, ok := c.lastPPS(now)
		if !ok {
			t.trig = now.Add(24 * time.Hour) // waits for a PPS that never comes
		} else {
			t.trig = p.Add(time.Second)
		}
	}
	t.start = c.timeOfTicks(t.trig, delay)
	if e.Trigger != hal.AtCount {
		trigTicks = c.ticks(t.trig)
	}
	e.StartTime, e.StartTicks = t.start, trigTicks+delay
	fa := sx1302.TxField(sx1302.TxFreqRFH, ch).Addr()
	e.Frequency = chipHz(uint32(c.mem[fa])<<16 | uint32(c.mem[fa+1])<<8 | uint32(c.mem[fa+2]))
	toa, err := hal.TimeOnAir(e.DataRate, len(e.Payload), dec.preamble, dec.implicit, dec.crc)
	if err != nil {
		c.cfg.Log.Error("sx1302 emulator: transmission with invalid settings", zap.Error(err))
	}
	e.EndTime = t.start.Add(toa)
	t.end = e.EndTime
	t.state = hal.TxScheduled
	t.log = len(c.air)
	c.air = append(c.air, e)
	c.txAdvance(ch, now)
}

// abortTx stops chain ch: an emission not yet started leaves the air log,
// one triggered is cut short.
func (c *Chip) abortTx(ch uint8, now time.Time) {
	t := &c.tx[ch]
	if t.log >= 0 && t.log < len(c.air) {
		if e := &c.air[t.log]; now.Before(t.trig) {
			c.air = append(c.air[:t.log], c.air[t.log+1:]...)
			for i := range c.tx {
				if c.tx[i].log > t.log {
					c.tx[i].log--
				}
			}
		} else {
			e.Aborted = true
			if now.Before(e.EndTime) {
				e.EndTime = now
			}
		}
	}
	t.state, t.log = hal.TxFree, -1
	c.setStatus(ch, 0x80)
}

func (c *Chip) setStatus(ch uint8, v byte) { c.mem[sx1302.TxField(sx1302.TxFSMStatus, ch).Addr()] = v }

func (c *Chip) txAdvance(ch uint8, now time.Time) {
	t := &c.tx[ch]
	switch {
	case t.state == hal.TxFree:
		c.setStatus(ch, 0x80)
	case now.Before(t.trig):
		c.setStatus(ch, 0x91)
	case now.Before(t.end):
		t.state = hal.TxEmitting
		c.setStatus(ch, 0x30)
	default:
		t.state = hal.TxFree
		c.setStatus(ch, 0x80)
	}
}
