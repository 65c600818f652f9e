package sx1302test

import (
	"encoding/binary"
	"math"

	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/sx1302"
)

// radioFrame runs an SX1250 command routed by the mux byte (bringup §1.4).
func (c *Chip) radioFrame(ch byte, w, r []byte) error {
	if !c.bit(sx1302.CommonHostRadioCtrl) {
		return c.misuse("radio %d command 0x%02x while HOST_RADIO_CTRL is 0 (the AGC owns the radios)", ch, w[1])
	}
	en, rst := sx1302.AGCRFEnARadioEn, sx1302.AGCRFEnARadioRst
	if ch == 1 {
		en, rst = sx1302.AGCRFEnBRadioEn, sx1302.AGCRFEnBRadioRst
	}
	if !c.bit(en) || !c.bit(rst) {
		return c.misuse("radio %d command 0x%02x while the radio is disabled or held in reset", ch, w[1])
	}
	rd := &c.radios[ch]
	op, par := w[1], w[2:]
	need := map[byte]int{0x80: 1, 0xC0: 1, 0x89: 1, 0x98: 2, 0x17: 3, 0x0D: 3, 0x1D: 4, 0x86: 4, 0x82: 3}
	n, ok := need[op]
	if !ok {
		return c.misuse("radio %d: unknown SX1250 opcode 0x%02x", ch, op)
	}
	if len(par) < n {
		return c.misuse("radio %d opcode 0x%02x: %d parameter bytes, want %d", ch, op, len(par), n)
	}
	c.cmds = append(c.cmds, RadioCommand{Radio: int(ch), Opcode: op, Params: append([]byte(nil), par...)})
	status := rd.mode << 4
	switch op {
	case 0x80:
		rd.mode = 2 + par[0]&1
	case 0x82:
		rd.mode = 5
	case 0x86:
		rd.freq = uint32((uint64(binary.BigEndian.Uint32(par))*32000000 + 1<<24) >> 25)
	case 0x0D:
		a := binary.BigEndian.Uint16(par)
		for i, v := range par[2:] {
			rd.regs[a+uint16(i)] = v
		}
	}
	if r != nil {
		clear(r)
		switch op {
		case 0xC0, 0x17:
			r[2] = status
		case 0x1D:
			a := binary.BigEndian.Uint16(par)
			r[4] = status
			for i := 5; i < len(r); i++ {
				r[i] = rd.regs[a+uint16(i-5)]
			}
		}
	}
	return nil
}

// ifOf decodes the IF register pair of a chain.
func (c *Chip) ifOf(msb, lsb sx1302.Field) int64 {
	v := int64(c.mem[msb.Addr()]&0x1F)<<8 | int64(c.mem[lsb.Addr()])
	if v&0x1000 != 0 {
		v -= 0x2000
	}
	return v * 15625 / 32
}

// placeIF finds the IF chain receiving p, with its radio.
func (c *Chip) placeIF(p hal.RxPacket) (byte, bool) {
	near := func(radio int, ifHz int64) bool {
		f := int64(c.radios[radio].freq) + ifHz
		return c.radios[radio].freq != 0 && math.Abs(float64(f-int64(p.Frequency))) < 1000
	}
	if p.DataRate.Modulation == hal.FSK {
		r := int(c.mem[sx1302.FSKRadioSelect.Addr()]>>1) & 1
		if c.bit(sx1302.CommonFSKModemEn) && near(r, c.ifOf(sx1302.FSKFreqMSB, sx1302.FSKFreqLSB)) {
			return 9, true
		}
		return 0, false
	}
	if p.DataRate.Bandwidth == hal.BW125 {
		en := c.mem[sx1302.RxTopCorrEn.Addr()]
		sel := c.mem[sx1302.RxTopRadioSelect.Addr()]
		for i := 0; i < 8; i++ {
			if en&(1<<i) != 0 && near(int(sel>>i)&1, c.ifOf(sx1302.RxTopFreq0MSB.At(2*i), sx1302.RxTopFreq0LSB.At(2*i))) {
				return byte(i), true
			}
		}
	}
	r := int(c.mem[sx1302.SvcRadioSelect.Addr()]) & 1
	bw := map[byte]hal.Bandwidth{4: hal.BW125, 5: hal.BW250, 6: hal.BW500}[c.mem[sx1302.SvcModemBW.Addr()]>>4]
	if c.bit(sx1302.CommonMBWSSFModemEn) && bw == p.DataRate.Bandwidth &&
		near(r, c.ifOf(sx1302.SvcFreqMSB, sx1302.SvcFreqLSB)) &&
		c.mem[sx1302.SvcModemSF.Addr()]&0xF == p.DataRate.SpreadingFactor {
		return 8, true
	}
	return 0, false
}

// EncodeRecord builds an RX buffer record (rxtx §1.2) with timestamp
// ticks, for an uplink on IF chain ch.
func EncodeRecord(p hal.RxPacket, ch byte, ticks uint32, rssiOffset float32) []byte {
	return EncodeRecordWith(p, ch, ticks, Encoding{RSSIOffset: rssiOffset})
}

// EncodeRecordMetrics is EncodeRecord with fine-timestamp metrics: with
// any, the record carries len(metrics)/2 pairs and the "timing set" status
// bit (rxtx §1.2).
func EncodeRecordMetrics(p hal.RxPacket, ch byte, ticks uint32, rssiOffset float32, metrics []int8) []byte {
	return EncodeRecordWith(p, ch, ticks, Encoding{RSSIOffset: rssiOffset, Metrics: metrics})
}

// Encoding is what turning a packet into record bytes needs beyond the
// packet: the offset the decoder adds to raw RSSI (board offset plus
// temperature compensation), the IF chain's register error (configured IF
// minus the IF its registers hold, which the decoder adds to the frequency
// error) and fine-timestamp metrics.
type Encoding struct {
	RSSIOffset float32
	IFError    int32
	Metrics    []int8
}

// freqErrorField encodes a frequency offset in Hz as the record's 20-bit
// error, so that the reference decoding (error × BW/2^20, truncated
// toward zero) gives it back exactly.
func freqErrorField(hz int32, bw hal.Bandwidth) uint32 {
	lsb := float64(bw) / (1 << 20)
	v := math.Floor(float64(hz) / lsb)
	if hz > 0 {
		v = math.Ceil(float64(hz) / lsb)
	}
	return uint32(int32(v)) & 0xFFFFF
}

// EncodeRecordWith builds an RX buffer record. LoRa RSSI is raw dB minus
// the offset; FSK RSSI is the byte whose linearised value (sx1302.FSKRSSI)
// plus the offset is nearest to the packet's.
func EncodeRecordWith(p hal.RxPacket, ch byte, ticks uint32, enc Encoding) []byte {
	metrics, rssiOffset := enc.Metrics, enc.RSSIOffset
	l := len(p.Payload)
	rec := make([]byte, 0, 23+l+len(metrics))
	crcEn := byte(0)
	if p.CRC != hal.CRCNone {
		crcEn = 1
	}
	modem := ch
	if ch == 8 {
		modem = 16
	} else if ch == 9 {
		modem = 17
	}
	cfg := crcEn | byte(p.DataRate.CodeRate)<<1 | p.DataRate.SpreadingFactor<<4
	var foe uint32
	if p.DataRate.Modulation == hal.LoRa {
		foe = freqErrorField(p.FreqOffset-enc.IFError, p.DataRate.Bandwidth)
	}
	rec = append(rec, 0xA5, 0xC0, byte(l), ch, cfg, modem, byte(foe), byte(foe>>8), byte(foe>>16))
	rec = append(rec, p.Payload...)
	status := byte(0)
	if p.CRC == hal.CRCBad {
		status = 1
	}
	n := len(metrics) / 2
	if n > 0 {
		status |= 0x10
	}
	raw := func(v float32) byte { return byte(int(math.Round(float64(v - rssiOffset)))) }
	if p.DataRate.Modulation == hal.FSK {
		raw = func(v float32) byte { return sx1302.FSKRSSIRaw(float64(v - rssiOffset)) }
	}
	crc := sx1302.LoRaCRC(p.Payload)
	rec = append(rec, status, byte(int8(math.Round(float64(p.SNR*4)))), raw(p.RSSIChannel), raw(p.RSSISignal), 0, 0,
		byte(ticks), byte(ticks>>8), byte(ticks>>16), byte(ticks>>24), byte(crc), byte(crc>>8), byte(n))
	for _, m := range metrics[:2*n] {
		rec = append(rec, byte(m))
	}
	var sum byte
	for _, b := range rec {
		sum += b
	}
	return append(rec, sum)
}

// encode turns an injected uplink into a record: the chip latches the end
// of the packet plus the pipeline delay the driver's correction removes;
// in precision mode it latches earlier and adds timestamp metrics.
func (c *Chip) encode(u uplink) ([]byte, bool) {
	ch, ok := c.placeIF(u.p)
	if !ok {
		return nil, false
	}
	if u.p.RSSISignal == 0 {
		u.p.RSSISignal = u.p.RSSIChannel
	}
	if c.precision() && u.p.DataRate.Modulation == hal.LoRa {
		// The latch, unwrapped (ticks since origin) for the metrics.
		full := u.at.Sub(c.origin).Nanoseconds()*4/125 - 32*int64(sx1302.PrecisionCorrection(u.p.DataRate, u.p.CRC != hal.CRCNone, len(u.p.Payload)))
		enc := c.encoding(u.p, ch)
		enc.Metrics = c.metrics(u, full, c.chainIF(ch))
		return EncodeRecordWith(u.p, ch, uint32(full), enc), true
	}
	t := c.ticks(u.at) - uint32(c.correction(u.p))*32
	return EncodeRecordWith(u.p, ch, t, c.encoding(u.p, ch)), true
}

// correction is the driver's timestamp correction for p (µs, negative).
func (c *Chip) correction(p hal.RxPacket) int32 {
	if p.DataRate.Modulation == hal.FSK {
		return sx1302.FSKCorrection(p.DataRate.BitRate)
	}
	return sx1302.TimestampCorrection(p.DataRate, p.CRC != hal.CRCNone, len(p.Payload))
}

// RadioCommand is one SX1250 command frame the host sent.
type RadioCommand struct {
	Radio  int
	Opcode byte
	// Params are the bytes after the opcode, as sent (reads include their
	// NOP bytes).
	Params []byte
}

// RadioCommands returns the SX1250 commands sent so far.
func (c *Chip) RadioCommands() []RadioCommand {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]RadioCommand(nil), c.cmds...)
}

// Peek returns a register byte without the side effects of an SPI read.
func (c *Chip) Peek(a uint16) byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.mem[a&0x7FFF]
}

// chainRadio is the radio feeding IF chain ch. c.mu is held.
func (c *Chip) chainRadio(ch byte) int {
	switch {
	case ch < 8:
		return int(c.mem[sx1302.RxTopRadioSelect.Addr()]>>ch) & 1
	case ch == 8:
		return int(c.mem[sx1302.SvcRadioSelect.Addr()]) & 1
	}
	return int(c.mem[sx1302.FSKRadioSelect.Addr()]>>1) & 1
}

// encoding is how this chip encodes p received on chain ch: RSSI offset
// at its temperature, the chain's IF register error.
func (c *Chip) encoding(p hal.RxPacket, ch byte) Encoding {
	cfgIF := int64(p.Frequency) - int64(c.radios[c.chainRadio(ch)].freq)
	return Encoding{
		RSSIOffset: c.cfg.RSSIOffset + float32(sx1302.DefaultTempComp.Offset(c.cfg.Temperature)),
		IFError:    int32(cfgIF - c.chainIF(ch)),
	}
}
