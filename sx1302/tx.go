package sx1302

import (
	"fmt"
	"time"

	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/hal"
)

// TX_FSM_STATUS values (rxtx §2.5).
const (
	txStatusFree = 0x80
)

// mapTxStatus maps a raw TX_FSM_STATUS byte.
func mapTxStatus(v byte) hal.TxStatus {
	switch v {
	case txStatusFree:
		return hal.TxFree
	case 0x30, 0x50, 0x60, 0x70:
		return hal.TxEmitting
	case 0x91, 0x92:
		return hal.TxScheduled
	}
	return hal.TxUnknown
}

// TxStartDelayTicks is the SX1250 TX start delay in 32 MHz ticks for a
// LoRa bandwidth and SF (rxtx §2.4): 48000 minus radio, filter and modem
// delays, e.g. 47413 at BW125 SF≤9.
func TxStartDelayTicks(bw hal.Bandwidth, sf uint8) uint32 {
	radio := map[hal.Bandwidth]uint32{hal.BW125: 19, hal.BW250: 24, hal.BW500: 21}[bw]
	lp := uint32(6)
	if sf >= 10 {
		lp = 7
	}
	filter := ((1 << lp) - 1) * 1000000 / uint32(bw)
	modem := 8 * 1000000 / uint32(bw)
	return 48000 - (radio + filter + modem)
}

// gainIndex picks the TX gain entry for power: the highest entry at or
// below it, index 0 when none is (rxtx §2.3 step 2).
func gainIndex(gains []TxGain, power int8) int {
	for i := len(gains) - 1; i >= 1; i-- {
		if gains[i].Power <= power {
			return i
		}
	}
	return 0
}

// Send programs a transmission and arms its trigger (rxtx §2.3). It
// returns hal.ErrTxBusy when the chain has one scheduled or on air.
func (d *Dev) Send(p *hal.TxPacket) error {
	if err := p.Validate(); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.started {
		return hal.ErrNotStarted
	}
	ch := p.RFChain
	if int(ch) >= d.opts.TxChains {
		return fmt.Errorf("sx1302: rf chain %d: %w", ch, hal.ErrRFChain)
	}
	if !d.opts.TxFreq.Contains(p.Frequency) {
		return fmt.Errorf("sx1302: frequency %d Hz outside %s: %w", p.Frequency, d.opts.TxFreq, hal.ErrRFChain)
	}
	t0 := d.clk.Now()
	st, err := d.bus.readByte(TxField(TxFSMStatus, ch).Addr())
	if err != nil {
		return err
	}
	if s := mapTxStatus(st); s != hal.TxFree {
		return fmt.Errorf("sx1302: rf chain %d is %s: %w", ch, s, hal.ErrTxBusy)
	}
	if err := d.programTx(p); err != nil {
		return err
	}
	if el := d.clk.Now().Sub(t0); el > d.program {
		d.program = el
	}
	return nil
}

// freqReg converts Hz to the TX modulator's frequency unit, 32 MHz / 2^18
// (122.07 Hz): the RF frequency and the frequency deviation.
func freqReg(hz uint32) uint32 { return uint32(uint64(hz) << 18 / 32000000) }

// sx1250FreqReg converts Hz to the SX1250's unit, 32 MHz / 2^25.
func sx1250FreqReg(hz uint32) uint32 { return uint32(uint64(hz) << 25 / 32000000) }

// FSK TX limits of the SX1250 path, in Hz.
const (
	MinFSKDeviation = 600
	MaxFSKDeviation = 200000
)

func (d *Dev) programTx(p *hal.TxPacket) error {
	ch := p.RFChain
	f := func(fl Field) Field { return TxField(fl, ch) }
	g := d.opts.TxGains[gainIndex(d.opts.TxGains, p.Power)]
	pwr := int(g.PwrIdx)
	if g.PA > 0 {
		pwr |= 1 << 6
	}
	lora := p.DataRate.Modulation == hal.LoRa
	dr := p.DataRate
	if !lora && (dr.FreqDeviation < MinFSKDeviation || dr.FreqDeviation > MaxFSKDeviation) {
		return &hal.FieldError{Field: "freq_deviation", Value: dr.FreqDeviation, Allowed: "600 to 200000 Hz"}
	}
	ws := []fv{{f(TxModulationType), 1}, {f(TxIFSrc), 2}}
	if lora {
		ws = []fv{{f(TxModulationType), 0}, {f(TxIFSrc), 1}}
	}
	ws = append(ws, fv{f(TxIOffset), 0}, fv{f(TxQOffset), 0}, fv{f(TxAGCPwr), pwr}, fv{f(TxIQGain), int(g.DigGain)})
	if err := d.writeAll(ws); err != nil {
		return err
	}
	rf := freqReg(p.Frequency)
	if err := d.bus.writeBurst(f(TxFreqRFH).Addr(), []byte{byte(rf >> 16), byte(rf >> 8), byte(rf)}); err != nil {
		return err
	}
	program := d.programFSKModem
	if lora {
		program = d.programLoRaModem
	}
	if err := program(p, f); err != nil {
		return err
	}
	if err := d.writeTxBuffer(p, f); err != nil {
		return err
	}
	return d.armTrigger(p, f)
}

// bit is 1 for true, 0 for false.
func bit(v bool) int {
	if v {
		return 1
	}
	return 0
}

// programLoRaModem writes the LoRa modem of p's TX block (rxtx §2.3).
func (d *Dev) programLoRaModem(p *hal.TxPacket, f func(Field) Field) error {
	dr := p.DataRate
	pre := max(p.PreambleLen(), 6)
	sf := int(dr.SpreadingFactor)
	lp, p1, p2 := 6, 6, 8
	if sf >= 10 {
		lp = 7
	}
	if d.opts.PrivateSyncWord || sf < 7 {
		p1, p2 = 2, 4
	}
	// A LoRa chirp sweeps the whole bandwidth: deviation BW/2.
	fdev := int(freqReg(uint32(dr.Bandwidth) / 2))
	ws := []fv{{f(TxAGCBW), bwCode(dr.Bandwidth)}, {f(TxFreqDevH), fdev >> 8}, {f(TxFreqDevL), fdev & 0xFF},
		{f(TxModemBW), bwCode(dr.Bandwidth)},
		{f(TxPreambleMSB), pre >> 8}, {f(TxPreambleLSB), pre & 0xFF}, {f(TxModemSF), sf}, {f(TxChirpLowpass), lp},
		{f(TxCodingRate), int(dr.CodeRate)}, {f(TxModemEn), 1}, {f(TxCadRxTx), 2}, {f(TxModemStart), 1},
		{f(TxContinuous), 0}, {f(TxChirpInvert), bit(p.InvertIQ)}, {f(TxImplicitHeader), bit(p.ImplicitHeader)},
		{f(TxCRCEn), bit(!p.NoCRC)}, {f(TxPeak1), p1}, {f(TxPeak2), p2}, {f(TxFineSynchEn), bit(sf < 7)},
		{f(TxPayloadLength), len(p.Payload)}, {f(TxPPMOffsetHdrCtrl), 0}, {f(TxPPMOffset), bit(dr.LowDataRateOptimize())}}
	if err := d.writeAll(ws); err != nil {
		return err
	}
	sd := TxStartDelayTicks(dr.Bandwidth, dr.SpreadingFactor)
	return d.bus.writeBurst(f(TxStartDelayMSB).Addr(), []byte{byte(sd >> 8), byte(sd)})
}

// programFSKModem writes the FSK modem of p's TX block and the SX1250's
// deviation in the AGC mailbox.
func (d *Dev) programFSKModem(p *hal.TxPacket, f func(Field) Field) error {
	dr := p.DataRate
	pre := max(p.PreambleLen(), 3)
	fdev := int(freqReg(dr.FreqDeviation))
	// The AGC firmware programs the SX1250's deviation from the
	// mailbox (bytes 2..0, SX1250 units).
	mb := sx1250FreqReg(dr.FreqDeviation)
	br := 32000000 / dr.BitRate
	ws := []fv{{f(TxAGCBW), 0x80}, {f(TxFreqDevH), fdev >> 8}, {f(TxFreqDevL), fdev & 0xFF},
		{AGCMailboxWrByte0.At(-2), int(mb >> 16 & 0xFF)}, {AGCMailboxWrByte0.At(-1), int(mb >> 8 & 0xFF)}, {AGCMailboxWrByte0, int(mb & 0xFF)},
		{f(TxFSKPktMode), 1}, {f(TxFSKCRCEn), bit(!p.NoCRC)}, {f(TxFSKCRCIBM), 0}, {f(TxFSKDCFree), fskDCFreeWhite},
		{f(TxFSKGaussianEn), 1}, {f(TxFSKGaussianBT), fskGaussianBT05}, {f(TxFSKRefPatternEn), 1},
		{f(TxFSKRefPatternSize), fskSyncWordSize - 1}}
	sw := uint64(FSKSyncWord) << (8 * (8 - fskSyncWordSize))
	for i := 0; i < 8; i++ {
		ws = append(ws, fv{f(TxFSKRefPattern0).At(-i), int(byte(sw >> (8 * i)))})
	}
	ws = append(ws, fv{f(TxFSKPreambleSeq), 0})
	if err := d.writeAll(ws); err != nil {
		return err
	}
	if err := d.bus.writeBurst(f(TxFSKBitRateMSB).Addr(), []byte{byte(br >> 8), byte(br)}); err != nil {
		return err
	}
	if err := d.bus.writeBurst(f(TxFSKPreambleMSB).Addr(), []byte{byte(pre >> 8), byte(pre)}); err != nil {
		return err
	}
	return d.bus.set(f(TxFSKPktLen), len(p.Payload))
}

// writeTxBuffer writes the payload into the RF chain's TX buffer (rxtx
// §2.3 step 8); FSK puts a length byte first.
func (d *Dev) writeTxBuffer(p *hal.TxPacket, f func(Field) Field) error {
	buf := MemTXBufA
	if p.RFChain == 1 {
		buf = MemTXBufB
	}
	if err := d.bus.set(f(TxWriteBuffer), 1); err != nil {
		return err
	}
	data := p.Payload
	if p.DataRate.Modulation != hal.LoRa {
		data = append([]byte{byte(len(p.Payload))}, p.Payload...)
	}
	if err := d.bus.writeMem(uint16(buf), data); err != nil {
		return err
	}
	return d.bus.set(f(TxWriteBuffer), 0)
}

// armTrigger arms p's trigger: immediate, at a counter value (less the
// LoRa start delay) or on the next PPS; written 0 then 1 (trap 5).
func (d *Dev) armTrigger(p *hal.TxPacket, f func(Field) Field) error {
	trig := f(TxTrigImmediate)
	switch p.Trigger.Mode {
	case hal.AtCount:
		var sd uint32
		if dr := p.DataRate; dr.Modulation == hal.LoRa {
			sd = TxStartDelayTicks(dr.Bandwidth, dr.SpreadingFactor)
		}
		t := uint32(p.Trigger.Count)*32 - sd
		if err := d.bus.writeBurst(f(TxTimerTrig3).Addr(), []byte{byte(t >> 24), byte(t >> 16), byte(t >> 8), byte(t)}); err != nil {
			return err
		}
		trig = f(TxTrigDelayed)
	case hal.OnPPS:
		trig = f(TxTrigGPS)
	}
	return d.writeAll([]fv{{trig, 0}, {trig, 1}})
}

// TxStatus reports the transmitter state of an RF chain.
func (d *Dev) TxStatus(rfChain uint8) (hal.TxStatus, error) {
	if rfChain > 1 {
		return hal.TxUnknown, fmt.Errorf("sx1302: rf chain %d: %w", rfChain, hal.ErrRFChain)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.started {
		return hal.TxOff, nil
	}
	v, err := d.bus.readByte(TxField(TxFSMStatus, rfChain).Addr())
	if err != nil {
		return hal.TxUnknown, err
	}
	return mapTxStatus(v), nil
}

// AbortTx clears the chain's triggers and waits up to 1 s for it to be
// free (rxtx §2.5).
func (d *Dev) AbortTx(rfChain uint8) error {
	if rfChain > 1 {
		return fmt.Errorf("sx1302: rf chain %d: %w", rfChain, hal.ErrRFChain)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.started {
		return hal.ErrNotStarted
	}
	return d.abortLocked(rfChain)
}

func (d *Dev) abortLocked(ch uint8) error {
	if err := d.writeAll([]fv{{TxField(TxTrigImmediate, ch), 0}, {TxField(TxTrigDelayed, ch), 0}, {TxField(TxTrigGPS, ch), 0}}); err != nil {
		return err
	}
	deadline := d.clk.Now().Add(time.Second)
	for {
		v, err := d.bus.readByte(TxField(TxFSMStatus, ch).Addr())
		if err != nil {
			return err
		}
		if v == txStatusFree {
			return nil
		}
		if !d.clk.Now().Before(deadline) {
			return fmt.Errorf("sx1302: rf chain %d still busy (status 0x%02x) 1 s after abort", ch, v)
		}
		clock.Sleep(d.clk, time.Millisecond, nil)
	}
}
