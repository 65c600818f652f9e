package sx1301

import (
	"fmt"

	"github.com/lgwagent/lgw/hal"
)

// RX FIFO facts (sx1301.md §3).
const (
	// FIFOSize is the number of packets the chip holds.
	FIFOSize = 16
	// MetadataLen is the metadata after each payload.
	MetadataLen = 16
	// rssiMultiBias is added to multi-SF RSSI (RSSI_MULTI_BIAS = -35).
	rssiMultiBias = 35
)

// FIFO status codes (status & 7).
const (
	fifoCRCOK  = 5
	fifoCRCBad = 7
	fifoNoCRC  = 1
)

// Record is one RX FIFO record as the reference driver decodes it.
type Record struct {
	IFChain, RFChain uint8
	Freq             uint32
	// CRC is the CRC outcome; Undefined is set for a FIFO status that is
	// none of CRC OK, CRC bad, no CRC.
	CRC       hal.CRCStatus
	Undefined bool
	DataRate  hal.DataRate
	// RSSI in dBm with the board offset and the chain's correction.
	RSSI                float32
	SNR, SNRMin, SNRMax float32
	// Count is the corrected timestamp: end of packet in µs.
	Count    uint32
	Checksum uint16
	Payload  []byte
}

// RecordError says why a FIFO record was skipped.
type RecordError struct{ Reason string }

func (e *RecordError) Error() string { return "sx1301 rx record: " + e.Reason }

// DecodeRecord decodes a FIFO record: size payload bytes then 16 metadata
// bytes (rec must hold size+16 bytes), with the FIFO status of its head.
// It follows lgw_receive (sx1301.md §3), including its unsigned 32-bit
// timestamp arithmetic. A record the driver cannot attribute (IF chain
// ≥ 10, a disabled chain, an undefined LoRa SF or CR) is an error.
func DecodeRecord(p *Plan, rssiOffset float32, rec []byte, size int, status byte) (Record, error) {
	if len(rec) < size+MetadataLen {
		return Record{}, &RecordError{fmt.Sprintf("%d bytes for a %d-byte payload", len(rec), size)}
	}
	m := rec[size : size+MetadataLen]
	r := Record{IFChain: m[0], Payload: append([]byte(nil), rec[:size]...)}
	freq, radio, ok := p.Frequency(r.IFChain)
	if !ok {
		return Record{}, &RecordError{fmt.Sprintf("IF chain %d is not configured", r.IFChain)}
	}
	r.Freq, r.RFChain = freq, radio
	crcEn := uint32(0)
	switch status & 7 {
	case fifoCRCOK:
		r.CRC, crcEn = hal.CRCOK, 1
	case fifoCRCBad:
		r.CRC, crcEn = hal.CRCBad, 1
	case fifoNoCRC:
		r.CRC = hal.CRCNone
	default:
		r.Undefined = true
	}
	rssi := float64(m[5]) + float64(rssiOffset)
	r.Checksum = uint16(m[10]) | uint16(m[11])<<8
	raw := uint32(m[6]) | uint32(m[7])<<8 | uint32(m[8])<<16 | uint32(m[9])<<24
	if r.IFChain == 9 {
		r.DataRate = hal.FSKRate(p.FSKBitRate, 0)
		r.SNR, r.SNRMin, r.SNRMax = -128, -128, -128
		r.RSSI = float32(60 + 1.5351*rssi + 0.003*rssi*rssi)
		r.Count = raw - Correction(9, r.DataRate, size, crcEn == 1)
		return r, nil
	}
	sf, cr := uint32(m[1]>>4), uint32(m[1]>>1&7)
	if sf < 7 || sf > 12 || cr < 1 || cr > 4 {
		return Record{}, &RecordError{fmt.Sprintf("IF chain %d: SF %d, CR %d undefined", r.IFChain, sf, cr)}
	}
	bw := hal.BW125
	if r.IFChain == 8 {
		bw = p.ServiceRate.Bandwidth
	} else {
		rssi += rssiMultiBias
	}
	r.RSSI = float32(rssi)
	r.DataRate = hal.LoRaRate(uint8(sf), bw, hal.CodeRate(cr))
	r.SNR, r.SNRMin, r.SNRMax = float32(int8(m[2]))/4, float32(int8(m[3]))/4, float32(int8(m[4]))/4
	r.Count = raw - Correction(r.IFChain, r.DataRate, size, crcEn == 1)
	return r, nil
}

// Correction is what the driver subtracts from a record's raw timestamp
// (sx1301.md §3): the demodulator latency of a packet of size bytes on IF
// chain ifChain (8: the stand-alone modem, 9: FSK).
func Correction(ifChain uint8, d hal.DataRate, size int, crc bool) uint32 {
	if d.Modulation == hal.FSK {
		return 680000/d.BitRate - 20
	}
	x, bwPow := uint32(114), uint32(1)
	if ifChain == 8 {
		x = map[hal.Bandwidth]uint32{hal.BW125: 64, hal.BW250: 32, hal.BW500: 16}[d.Bandwidth]
		bwPow = uint32(d.Bandwidth / 125000)
	}
	sf := uint32(d.SpreadingFactor)
	if sf < 6 || sf > 12 || bwPow == 0 {
		return 0
	}
	return loraCorrection(x, sf, uint32(d.CodeRate), bwPow, uint32(b2i(ldro(d.SpreadingFactor, d.Bandwidth))),
		uint32(size), uint32(b2i(crc)))
}

// loraCorrection is the demodulator latency of a LoRa packet: base delay x
// plus the preamble/header and last-block terms, in the reference's
// unsigned 32-bit arithmetic (pitfall 2).
func loraCorrection(x, sf, cr, bwPow, ppm, size, crcEn uint32) uint32 {
	var y, z uint32
	if 2*(size+2*crcEn)-(sf-7) == 0 {
		y = ((1<<(sf-1))*(sf+1) + 3*(1<<(sf-4))) / bwPow
		z = 32 * (2*(size+2*crcEn) + 5) / bwPow
	} else {
		y = ((1<<(sf-1))*(sf+1) + (4-ppm)*(1<<(sf-4))) / bwPow
		z = (16 + 4*cr) * (((2*(size+2*crcEn) - sf + 6) % (sf - 2*ppm)) + 1) / bwPow
	}
	return x + y + z
}

// toHAL converts a record to a packet; records with an undefined CRC
// status are not delivered.
func (r Record) toHAL() (hal.RxPacket, bool) {
	if r.Undefined {
		return hal.RxPacket{}, false
	}
	return hal.RxPacket{Payload: r.Payload, Frequency: r.Freq, IFChain: r.IFChain, RFChain: r.RFChain,
		DataRate: r.DataRate, CRC: r.CRC, RSSIChannel: r.RSSI, RSSISignal: r.RSSI, SNR: r.SNR,
		Count: hal.Count(r.Count)}, true
}

// fetch drains the RX FIFO into the queue (lgw_receive). Unlike the
// reference, a record the driver cannot decode (IF chain ≥ 10 included)
// is popped, counted and skipped, so it cannot block the FIFO. d.mu is
// taken.
func (d *Dev) fetch() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.started {
		return hal.ErrNotStarted
	}
	return d.fetchLocked()
}

func (d *Dev) fetchLocked() error {
	var head [5]byte
	buf := d.rxBuf[:]
	for n := 0; n < FIFOSize; n++ {
		if err := d.bus.burstFrom(RxPacketDataFifoNumStored, head[:]); err != nil {
			return err
		}
		if head[0] == 0 {
			return nil
		}
		if head[0] > FIFOSize {
			d.stats.Corrupt++
			return fmt.Errorf("sx1301 rx: FIFO reports %d packets (at most %d)", head[0], FIFOSize)
		}
		size := int(head[4])
		rec := buf[:size+MetadataLen]
		if err := d.bus.burstFrom(RxDataBufData, rec); err != nil {
			return err
		}
		r, err := DecodeRecord(&d.opts.Plan, d.opts.RSSIOffset, rec, size, head[3])
		if err := d.bus.set(RxPacketDataFifoNumStored, 0); err != nil {
			return err
		}
		p, ok := r.toHAL()
		switch {
		case err != nil || !ok:
			d.stats.Corrupt++
			d.log.Debug("sx1301 rx record skipped")
		case len(d.queue) >= d.opts.RxQueue:
			d.stats.Dropped++
		default:
			d.stats.Received++
			d.queue = append(d.queue, p)
		}
	}
	return nil
}

// Receive returns the packets received since the last call.
func (d *Dev) Receive() ([]hal.RxPacket, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.started {
		return nil, hal.ErrNotStarted
	}
	if err := d.fetchLocked(); err != nil {
		return nil, err
	}
	out := d.queue
	d.queue = make([]hal.RxPacket, 0, d.opts.RxQueue)
	return out, nil
}
