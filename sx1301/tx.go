package sx1301

import (
	"fmt"

	"github.com/lgwagent/lgw/hal"
)

// TX facts (sx1301.md §4).
const (
	// txStartDelayDefault is the start delay calibrated for 500 kHz.
	txStartDelayDefault = 1497
	// TxHeaderLen is the TX buffer header before the payload.
	TxHeaderLen     = 16
	minLoRaPreamble = 6
	minFSKPreamble  = 3
)

// StartDelay is the TX_START_DELAY for a packet (lgw_get_tx_start_delay,
// no FPGA notch): 1497 µs less 1.5 µs for LoRa 125 kHz, truncated, so
// 1495 for LoRa BW125 and 1497 otherwise (FSK included: its bandwidth
// field is not 125 kHz, golden tx-fsk-50k-ts.json).
func StartDelay(d hal.DataRate) uint16 {
	if d.Modulation == hal.LoRa && d.Bandwidth == hal.BW125 {
		// 1497 − 1.5 = 1495.5, truncated as the reference does.
		return txStartDelayDefault - 2
	}
	return txStartDelayDefault
}

// gainIndex picks the TX gain entry for power: the highest index ≥ 1 at
// or below it, else 0 (pitfall 7).
func gainIndex(gains []TxGain, power int8) int {
	i := len(gains) - 1
	for ; i > 0; i-- {
		if gains[i].Power <= power {
			break
		}
	}
	return i
}

// checkTx refuses what the SX1301 cannot send.
func checkTx(p *hal.TxPacket) error {
	if err := p.Validate(); err != nil {
		return err
	}
	d := p.DataRate
	if d.Modulation == hal.LoRa && (d.SpreadingFactor < 7 || d.SpreadingFactor > 12) {
		return &hal.FieldError{Field: "spreading_factor", Value: d.SpreadingFactor, Allowed: "7 to 12 on an SX1301"}
	}
	if d.Modulation == hal.FSK {
		if k := d.FreqDeviation / 1000; k < 1 || k > 200 {
			return &hal.FieldError{Field: "freq_deviation", Value: d.FreqDeviation, Allowed: "1000 to 200000 Hz on an SX1301"}
		}
	}
	return nil
}

// EncodeTx builds the TX buffer: the 16-byte header of sx1301.md §4 (all
// multi-byte fields big-endian) and the payload; FSK adds a length byte.
// The trigger count (bytes 3..6) is written for at-count packets only and
// left zero otherwise.
func EncodeTx(p *hal.TxPacket, radio RadioType, powIdx int, delay uint16) []byte {
	d := p.DataRate
	lora := d.Modulation == hal.LoRa
	n := TxHeaderLen + len(p.Payload)
	if !lora {
		n++
	}
	b := make([]byte, n)
	pw := PLLWord(radio, p.Frequency)
	b[0], b[1], b[2] = byte(pw>>16), byte(pw>>8), byte(pw)
	if p.Trigger.Mode == hal.AtCount {
		c := uint32(p.Trigger.Count) - uint32(delay)
		b[3], b[4], b[5], b[6] = byte(c>>24), byte(c>>16), byte(c>>8), byte(c)
	}
	b[7] = byte(p.RFChain<<5)&0x20 | byte(powIdx)&0x0F
	b[10] = byte(len(p.Payload))
	pre := p.PreambleLen()
	if lora {
		pre = max(pre, minLoRaPreamble)
		b[9] = d.SpreadingFactor | byte(d.CodeRate)<<4
		if !p.NoCRC {
			b[9] |= 0x80
		}
		b[11] = byte(3 - bwCode(d.Bandwidth))
		if p.ImplicitHeader {
			b[11] |= 0x04
		}
		if ldro(d.SpreadingFactor, d.Bandwidth) {
			b[11] |= 0x08
		}
		if p.InvertIQ {
			b[11] |= 0x10
		}
		// The PLL word's two MSBs become filter flags: wide analog filter
		// for 500 kHz, digital filter for 125 kHz.
		b[0] &= 0x3F
		if d.Bandwidth == hal.BW500 {
			b[0] |= 0x80
		}
		if d.Bandwidth == hal.BW125 {
			b[0] |= 0x40
		}
	} else {
		pre = max(pre, minFSKPreamble)
		b[7] |= 0x10
		b[9] = byte(d.FreqDeviation / 1000)
		b[11] = 0x01 | 0x08
		if !p.NoCRC {
			b[11] |= 0x02
		}
		div := uint16(32000000 / d.BitRate)
		b[14], b[15] = byte(div>>8), byte(div)
		b[16] = byte(len(p.Payload))
		// Narrow analog filter; bit 6 keeps the PLL word's bit (golden
		// correction 3).
		b[0] &= 0x7F
	}
	b[12], b[13] = byte(pre>>8), byte(pre)
	copy(b[n-len(p.Payload):], p.Payload)
	return b
}

// mapTxStatus maps TX_STATUS (lgw_status): bit 4 clear is free, bit 5 or
// 6 emitting, otherwise scheduled.
func mapTxStatus(v byte) hal.TxStatus {
	switch {
	case v&0x10 == 0:
		return hal.TxFree
	case v&0x60 != 0:
		return hal.TxEmitting
	}
	return hal.TxScheduled
}

// Send programs a transmission and arms its trigger (sx1301.md §4). It
// returns hal.ErrTxBusy when one is scheduled or on air: the chip has one
// TX buffer and lgw never overwrites it silently.
func (d *Dev) Send(p *hal.TxPacket) error {
	if err := checkTx(p); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.started {
		return hal.ErrNotStarted
	}
	if int(p.RFChain) >= d.opts.TxChains {
		return fmt.Errorf("sx1301: rf chain %d: %w", p.RFChain, hal.ErrRFChain)
	}
	if !d.opts.TxFreq.Contains(p.Frequency) {
		return fmt.Errorf("sx1301: frequency %d Hz outside %s: %w", p.Frequency, d.opts.TxFreq, hal.ErrRFChain)
	}
	t0 := d.clk.Now()
	st, err := d.bus.get(TxStatus)
	if err != nil {
		return err
	}
	if s := mapTxStatus(byte(st)); s != hal.TxFree {
		return fmt.Errorf("sx1301: transmitter is %s: %w", s, hal.ErrTxBusy)
	}
	if err := d.program(p); err != nil {
		return err
	}
	if el := d.clk.Now().Sub(t0); el > d.programTime {
		d.programTime = el
	}
	return nil
}

// program writes the TX registers and buffer and arms the trigger, in the
// reference order (golden tx-*.json `register_writes`).
func (d *Dev) program(p *hal.TxPacket) error {
	idx := gainIndex(d.opts.TxGains, p.Power)
	g := d.opts.TxGains[idx]
	dc := d.txDC[p.RFChain&1]
	delay := StartDelay(p.DataRate)
	buf := EncodeTx(p, d.opts.Radio, idx, delay)
	trig := map[hal.TriggerMode]Reg{hal.Immediate: TxTrigImmediate, hal.AtCount: TxTrigDelayed, hal.OnPPS: TxTrigGps}[p.Trigger.Mode]
	if err := d.bus.setAll(regVal{TxOffsetI, int32(dc[0][g.Mix-8])}, regVal{TxOffsetQ, int32(dc[1][g.Mix-8])},
		regVal{TxDigGain, int32(g.Dig)}, regVal{TxStartDelay, int32(delay)}, regVal{TxTrigAll, 0},
		regVal{TxDataBufAddr, 0}); err != nil {
		return err
	}
	if err := d.bus.burstTo(TxDataBufData, buf); err != nil {
		return err
	}
	return d.bus.set(trig, 1)
}

// TxStatus reports the transmitter state (one TX buffer for both chains).
func (d *Dev) TxStatus(rfChain uint8) (hal.TxStatus, error) {
	if rfChain > 1 {
		return hal.TxUnknown, fmt.Errorf("sx1301: rf chain %d: %w", rfChain, hal.ErrRFChain)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.started {
		return hal.TxOff, nil
	}
	st, err := d.bus.get(TxStatus)
	if err != nil {
		return hal.TxUnknown, err
	}
	return mapTxStatus(byte(st)), nil
}

// AbortTx clears every trigger, dropping a scheduled packet and stopping
// one on air.
func (d *Dev) AbortTx(rfChain uint8) error {
	if rfChain > 1 {
		return fmt.Errorf("sx1301: rf chain %d: %w", rfChain, hal.ErrRFChain)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.started {
		return hal.ErrNotStarted
	}
	return d.bus.set(TxTrigAll, 0)
}
