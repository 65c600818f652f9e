package sx1302

import (
	"encoding/binary"

	"github.com/lgwagent/lgw/hal"
)

// RX buffer record layout (rxtx §1.2, bringup §6.4): 9 header bytes, the
// payload, 13 trailer bytes, 2N metric bytes and a checksum.
const (
	syncA       = 0xA5
	syncB       = 0xC0
	recHead     = 9
	recOverhead = 23 // 9 + 14
	minRecord   = recOverhead
)

// fetch reads the RX buffer once, parses its records into the queue and
// re-reads the counter so that timestamps widen against a reference taken
// after the packets (rxtx §1.1 step 5).
func (d *Dev) fetch() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.started {
		return hal.ErrNotStarted
	}
	return d.fetchLocked()
}

func (d *Dev) fetchLocked() error {
	// NB_BYTES is read twice, the larger kept (rxtx §1.1 step 1).
	var nb [2]byte
	n := 0
	for i := 0; i < 2; i++ {
		if err := d.bus.readBurst(RxTopNbBytesMSB.Addr(), nb[:]); err != nil {
			return err
		}
		n = max(n, int(nb[0]&0x1F)<<8|int(nb[1]))
	}
	if n == 0 {
		return nil
	}
	n = min(n, len(d.rxBuf))
	buf := d.rxBuf[:n]
	if err := d.bus.readMem(MemRXBuffer, buf, true); err != nil {
		return err
	}
	inst, _, err := d.readCounters()
	if err != nil {
		return err
	}
	ref := d.widen(inst)
	d.parse(buf, ref, inst>>5, d.rssiOffset())
	return nil
}

// parse walks the records of buf, appending good packets to the queue.
// Corrupt records are counted and skipped by scanning for the next sync
// word; nothing in buf can make it panic.
func (d *Dev) parse(buf []byte, ref hal.Count, ref27 uint32, rssiOff float32) {
	for i := 0; i+minRecord <= len(buf); {
		if buf[i] != syncA || buf[i+1] != syncB {
			d.stats.Corrupt++
			i = nextSync(buf, i+1)
			continue
		}
		l := int(buf[i+2])
		if i+recHead+l+13 > len(buf) {
			d.stats.Corrupt++
			return
		}
		nm := int(buf[i+recHead+l+12])
		size := recOverhead + l + 2*nm
		if i+size > len(buf) {
			d.stats.Corrupt++
			return
		}
		rec := buf[i : i+size]
		var sum byte
		for _, b := range rec[:size-1] {
			sum += b
		}
		if sum != rec[size-1] {
			d.stats.Corrupt++
			i = nextSync(buf, i+1)
			continue
		}
		i += size
		p, ok := d.decode(rec, l, ref, ref27, rssiOff)
		if !ok {
			d.stats.Corrupt++
			continue
		}
		d.stats.Received++
		if len(d.queue) >= d.opts.RxQueue {
			d.stats.Dropped++
			continue
		}
		d.queue = append(d.queue, p)
	}
}

func nextSync(buf []byte, from int) int {
	for i := from; i+1 < len(buf); i++ {
		if buf[i] == syncA && buf[i+1] == syncB {
			return i
		}
	}
	return len(buf)
}

// decode turns one checked record into a packet (rxtx §1.3, §1.6).
// rssiOff is the board's RSSI offset plus the temperature compensation.
func (d *Dev) decode(rec []byte, l int, ref hal.Count, ref27 uint32, rssiOff float32) (hal.RxPacket, bool) {
	ch, cfg, modem := rec[3], rec[4], rec[5]
	if ch > 9 || modem > 17 {
		return hal.RxPacket{}, false
	}
	freq, radio, ok := d.opts.Plan.Frequency(ch)
	if !ok {
		return hal.RxPacket{}, false
	}
	crcEn := cfg&1 != 0
	cr := hal.CodeRate((cfg >> 1) & 7)
	sf := cfg >> 4
	var dr hal.DataRate
	switch {
	case ch == 9:
		dr = hal.FSKRate(d.opts.Plan.FSKBitRate, d.opts.Plan.FSKBitRate/2)
	case ch == 8:
		dr = hal.LoRaRate(sf, d.opts.Plan.ServiceRate.Bandwidth, cr)
	default:
		dr = hal.LoRaRate(sf, hal.BW125, cr)
	}
	if dr.Modulation == hal.LoRa && (sf < 5 || sf > 12 || !cr.Valid()) {
		return hal.RxPacket{}, false
	}
	t := rec[recHead+l:]
	status := t[0]
	p := hal.RxPacket{
		Frequency:   freq,
		IFChain:     ch,
		RFChain:     radio,
		DataRate:    dr,
		SNR:         float32(int8(t[1])) / 4,
		RSSIChannel: float32(t[2]) + rssiOff,
		RSSISignal:  float32(t[3]) + rssiOff,
	}
	payload := rec[recHead : recHead+l]
	switch {
	case !crcEn:
		p.CRC = hal.CRCNone
	case status&1 != 0:
		p.CRC = hal.CRCBad
	case l > 0 && dr.Modulation == hal.LoRa && LoRaCRC(payload) != binary.LittleEndian.Uint16(t[10:12]):
		// The chip said OK but the payload disagrees with its CRC: a
		// corrupt record, dropped as the reference drops it.
		d.stats.BadCRC++
		return hal.RxPacket{}, false
	default:
		p.CRC = hal.CRCOK
	}
	if dr.Modulation == hal.FSK {
		// FSK: linearised channel RSSI; no SNR or signal RSSI.
		p.RSSIChannel = float32(FSKRSSI(t[2])) + rssiOff
		p.SNR, p.RSSISignal = -128, -128
	} else {
		p.FreqOffset = freqOffset(rec, dr.Bandwidth, d.chainIF(ch))
	}
	raw := binary.LittleEndian.Uint32(t[6:10])
	pkt27 := raw >> 5
	count := uint32(ref) - ((ref27 - pkt27) & (1<<27 - 1))
	var corr int32
	switch {
	case dr.Modulation == hal.FSK:
		corr = FSKCorrection(dr.BitRate)
	case d.fine:
		corr = PrecisionCorrection(dr, crcEn, l)
	default:
		corr = TimestampCorrection(dr, crcEn, l)
	}
	p.Count = hal.Count(count + uint32(corr))
	if d.fine && dr.Modulation == hal.LoRa {
		d.fineTime(&p, rec, l, raw, sf)
	}
	p.Payload = append([]byte(nil), payload...)
	return p, true
}

// Receive reads the RX buffer now and returns every packet received since
// the last call.
func (d *Dev) Receive() ([]hal.RxPacket, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.started {
		return nil, hal.ErrNotStarted
	}
	if err := d.fetchLocked(); err != nil {
		return nil, err
	}
	if len(d.queue) == 0 {
		return nil, nil
	}
	out := make([]hal.RxPacket, len(d.queue))
	copy(out, d.queue)
	clear(d.queue)
	d.queue = d.queue[:0]
	return out, nil
}

// LoRaCRC is the LoRa payload CRC as the chip reports it: CRC-16/XMODEM
// of all but the last two bytes, XORed with those two bytes read
// big-endian (rxtx §1.3); a payload of one byte is its own CRC, an empty
// one 0.
func LoRaCRC(p []byte) uint16 {
	switch len(p) {
	case 0:
		return 0
	case 1:
		return uint16(p[0])
	}
	var crc uint16
	for _, b := range p[:len(p)-2] {
		crc ^= uint16(b) << 8
		for i := 0; i < 8; i++ {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc ^ binary.BigEndian.Uint16(p[len(p)-2:])
}

// freqOffset is a LoRa packet's frequency error in Hz: the record's 20-bit
// two's complement error in BW/2^20 steps (truncated toward zero), plus
// what the IF register's 488.28 Hz resolution left between the configured
// IF and the one the chain runs at (up to ±244 Hz; rxtx §1.3).
func freqOffset(rec []byte, bw hal.Bandwidth, ifHz int32) int32 {
	foe := int32(rec[6]) | int32(rec[7])<<8 | int32(rec[8]&0x0F)<<16
	if foe&(1<<19) != 0 {
		foe -= 1 << 20
	}
	lsb := float32(bw) / (1 << 20) // exact in float32, as the reference's
	off := int32(float32(foe) * lsb)
	return off + ifHz - ifRegHz(ifHz)
}

// ifRegHz is the IF an IF register pair actually holds for ifHz.
func ifRegHz(ifHz int32) int32 {
	return int32(int64(ifHz) * 32 / 15625 * 15625 / 32)
}

// chainIF is the configured IF of IF chain ch (0-9).
func (d *Dev) chainIF(ch uint8) int32 {
	p := &d.opts.Plan
	switch {
	case ch < 8:
		return p.MultiSF[ch].IF
	case ch == 8:
		return p.Service.IF
	}
	return p.FSK.IF
}

// TimestampCorrection is the legacy-mode timestamp correction in µs
// (negative) that moves the latched time to the end of the packet on air
// (rxtx §1.6), for a LoRa packet of l payload bytes.
func TimestampCorrection(dr hal.DataRate, crcEn bool, l int) int32 {
	sf := int64(dr.SpreadingFactor)
	bwPow := int64(dr.Bandwidth / hal.BW125)
	if bwPow < 1 {
		bwPow = 1
	}
	clk := 250000 / bwPow
	ppm := int64(0)
	if dr.LowDataRateOptimize() {
		ppm = 1
	}
	crc := int64(0)
	if crcEn {
		crc = 1
	}
	cr := int64(dr.CodeRate)
	L := int64(l)
	nbNibble := (L+2*crc)*2 + 5
	hdr := sf - 2
	if sf < 7 {
		hdr = sf
	}
	div := sf - 2*ppm
	last := (nbNibble - hdr) % div
	if last == 0 {
		last = div
	}
	nbIter := (sf + 1) / 2
	dft := true
	fits := 2*(L+2*crc)-(sf-7) <= 0 || (L == 0 && crc == 0)
	if fits {
		dft = false
		cr = 4
		last = hdr
	}
	pow := int64(1) << sf
	filter := 16000000/bwPow + 2031250
	var demap int64
	if fits {
		demap = clk + pow*clk*3/4 + 3*clk + (sf-2)*clk
	} else {
		demap = clk + pow*clk + 3*clk + (sf-2*ppm)*clk
	}
	fft3 := clk*((pow-6)+2*(pow*(nbIter-1)+6)) + 4*clk
	var fft int64
	if dft {
		fft = (5-2*ppm)*(pow*clk+7*clk) + 2*clk
	} else {
		fft = pow*2*clk + 3*clk
	}
	decode := 5*clk + (9*clk+clk*cr)*last + 3*clk
	return int32(-((filter + demap + fft3 + fft + decode + 500000) / 1000000))
}

// FSKCorrection is the FSK timestamp correction in µs (rxtx §1.6).
func FSKCorrection(bitRate uint32) int32 {
	if bitRate == 0 {
		return 0
	}
	return int32(680000/bitRate) - 20
}
