package sx1301test

import (
	"math"
	"sort"
	"time"

	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/hal/sim"
	"github.com/lgwagent/lgw/sx1301"
)

// rxRec is one FIFO record: payload and metadata, with its head fields.
type rxRec struct {
	data   []byte
	size   int
	status byte
	start  int
}

type uplink struct {
	at time.Time
	p  hal.RxPacket
}

// rxState is the RX FIFO (16 records in a 1024-byte buffer) and the
// uplinks not yet demodulated.
type rxState struct {
	recs    []rxRec
	ptr     int
	next    int
	pending []uplink
	// Unplaced counts uplinks no IF chain could receive; Overflow those
	// lost to a full FIFO.
	unplaced, overflow int
}

func (r *rxState) head(i int) byte {
	if len(r.recs) == 0 {
		return 0
	}
	h := r.recs[0]
	return [5]byte{byte(min(len(r.recs), sx1301.FIFOSize)), byte(h.start), byte(h.start >> 8), h.status, byte(h.size)}[i]
}

func (r *rxState) nextByte() byte {
	if len(r.recs) == 0 || r.ptr >= len(r.recs[0].data) {
		return 0
	}
	b := r.recs[0].data[r.ptr]
	r.ptr++
	return b
}

func (r *rxState) pop() {
	if len(r.recs) > 0 {
		r.recs = r.recs[1:]
	}
	r.ptr = 0
}

func (r *rxState) bytes() int {
	n := 0
	for _, x := range r.recs {
		n += len(x.data)
	}
	return n
}

// push appends a record when the FIFO has room.
func (r *rxState) push(data []byte, size int, status byte) bool {
	if len(r.recs) >= sx1301.FIFOSize || r.bytes()+len(data) > 1024 {
		r.overflow++
		return false
	}
	r.recs = append(r.recs, rxRec{data: data, size: size, status: status, start: r.next})
	r.next = (r.next + len(data)) % 1024
	return true
}

// InjectRecord puts a raw FIFO record (payload then 16 metadata bytes) with
// its FIFO status at the tail of the FIFO, as the golden data do.
func (c *Chip) InjectRecord(rec []byte, size int, status byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rx.push(append([]byte(nil), rec...), size, status)
}

// Inject schedules an uplink whose last bit is on air at at.
func (c *Chip) Inject(at time.Time, p hal.RxPacket) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rx.pending = append(c.rx.pending, uplink{at: at, p: p})
	sort.SliceStable(c.rx.pending, func(i, j int) bool { return c.rx.pending[i].at.Before(c.rx.pending[j].at) })
}

// AddTraffic schedules uplinks at times counted from the end of the start
// sequence (GPS_EN := 1 once the AGC runs), as hal/sim counts them from
// Start.
func (c *Chip) AddTraffic(ups []sim.Uplink) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.traffic = append(c.traffic, ups...)
	if c.agcReady() {
		c.startReceive()
	}
}

func (c *Chip) startReceive() {
	now := c.cfg.Clock.Now()
	for _, u := range c.traffic {
		c.rx.pending = append(c.rx.pending, uplink{at: now.Add(u.At), p: u.Packet})
	}
	c.traffic = nil
	sort.SliceStable(c.rx.pending, func(i, j int) bool { return c.rx.pending[i].at.Before(c.rx.pending[j].at) })
}

// Unplaced counts injected uplinks no configured IF chain could receive.
func (c *Chip) Unplaced() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rx.unplaced
}

// advance moves due uplinks into the FIFO and the transmitter on.
func (c *Chip) advance() {
	now := c.cfg.Clock.Now()
	c.latchPPS()
	if c.agcReady() {
		keep := c.rx.pending[:0]
		for _, u := range c.rx.pending {
			if u.at.After(now) {
				keep = append(keep, u)
				continue
			}
			c.receive(u)
		}
		c.rx.pending = keep
	}
	c.txAdvance(now)
}

// ifFreq is the frequency of IF register r on radio ch.
func (c *Chip) ifFreq(ch int, r sx1301.Reg) int64 {
	return int64(c.radioFreq(ch)) + int64(c.get(r))*15625/32
}

// place finds the IF chain receiving p and its radio.
func (c *Chip) place(p hal.RxPacket) (uint8, bool) {
	near := func(ch int, r sx1301.Reg) bool {
		return c.radioFreq(ch) != 0 && math.Abs(float64(c.ifFreq(ch, r)-int64(p.Frequency))) < 1000
	}
	d := p.DataRate
	if d.Modulation == hal.FSK {
		ch := int(c.get(sx1301.FskRadioSelect))
		br := c.get(sx1301.FskBrRatio)
		if c.bit(sx1301.FskModemEnable) && near(ch, sx1301.IfFreq9) && br > 0 && 32000000/uint32(br) == d.BitRate {
			return 9, true
		}
		return 0, false
	}
	if d.Bandwidth == hal.BW125 && c.bit(sx1301.ConcentratorModemEnable) {
		for i := 0; i < 8; i++ {
			ch := int(c.mcus[1].radioSelect >> i & 1)
			mask := c.get(sx1301.Corr0DetectEn + sx1301.Reg(i))
			if mask&(1<<(d.SpreadingFactor-6)) != 0 && near(ch, sx1301.IfFreq0+sx1301.Reg(i)) {
				return uint8(i), true
			}
		}
	}
	ch := int(c.get(sx1301.MbwssfRadioSelect))
	bw := map[int32]hal.Bandwidth{0: hal.BW125, 1: hal.BW250, 2: hal.BW500}[c.get(sx1301.MbwssfModemBw)]
	if c.bit(sx1301.MbwssfModemEnable) && bw == d.Bandwidth && int32(d.SpreadingFactor) == c.get(sx1301.MbwssfRateSf) &&
		near(ch, sx1301.IfFreq8) {
		return 8, true
	}
	return 0, false
}

// receive turns an uplink into a FIFO record. The chip latches the end of
// the packet plus the demodulator latency the driver's correction
// removes.
func (c *Chip) receive(u uplink) {
	ifc, ok := c.place(u.p)
	if !ok {
		c.rx.unplaced++
		return
	}
	p := u.p
	crc := p.CRC != hal.CRCNone
	raw := c.count(u.at) + sx1301.Correction(ifc, p.DataRate, len(p.Payload), crc)
	rssi := float64(p.RSSIChannel) - float64(c.cfg.RSSIOffset)
	switch {
	case ifc == 9:
		// Invert rssi = 60 + 1.5351 x + 0.003 x² for x = raw + offset.
		x := (-1.5351 + math.Sqrt(1.5351*1.5351-4*0.003*(60-float64(p.RSSIChannel)))) / (2 * 0.003)
		rssi = x - float64(c.cfg.RSSIOffset)
	case ifc < 8:
		rssi -= 35
	}
	m := make([]byte, sx1301.MetadataLen)
	m[0] = ifc
	if p.DataRate.Modulation == hal.LoRa {
		m[1] = p.DataRate.SpreadingFactor<<4 | byte(p.DataRate.CodeRate)<<1
		s := byte(int8(math.Round(float64(p.SNR * 4))))
		m[2], m[3], m[4] = s, s-4, s+4
	}
	m[5] = byte(math.Max(0, math.Min(255, math.Round(rssi))))
	m[6], m[7], m[8], m[9] = byte(raw), byte(raw>>8), byte(raw>>16), byte(raw>>24)
	status := byte(1)
	switch p.CRC {
	case hal.CRCOK:
		status = 5
	case hal.CRCBad:
		status = 7
	}
	c.rx.push(append(append([]byte(nil), p.Payload...), m...), len(p.Payload), status)
}

// Emission is one transmission as the emulated chip sent it.
type Emission struct {
	// Header is the 16-byte TX buffer header as programmed.
	Header []byte
	// StartCount is the µs counter at the start of the preamble.
	StartCount         uint32
	StartTime, EndTime time.Time
	Trigger            hal.TriggerMode
	RFChain            uint8
	Frequency          uint32
	DataRate           hal.DataRate
	// PowerIndex is the TX gain entry; Gain what the AGC was given for it.
	PowerIndex int
	Gain       lutEntry
	// OffsetI, OffsetQ, DigGain are the TX registers at arming.
	OffsetI, OffsetQ int8
	DigGain          uint8
	StartDelay       uint16
	Preamble         int
	InvertIQ         bool
	ImplicitHeader   bool
	CRC              bool
	Payload          []byte
	Aborted          bool
}

// txState is the single TX buffer and state machine.
type txState struct {
	buf             [512]byte
	ptr             int
	armed, emitting bool
	trig, end       time.Time
	log             int
}

// trigger handles TX_TRIG_*: a rising bit arms, clearing all bits while
// armed or emitting aborts (sx1301.md §4).
func (c *Chip) trigger(old, v byte) error {
	now := c.cfg.Clock.Now()
	t := &c.tx
	c.txAdvance(now)
	if v&7 == 0 {
		if t.armed || t.emitting {
			c.air[t.log].Aborted = true
			if now.Before(c.air[t.log].EndTime) {
				c.air[t.log].EndTime = now
			}
		}
		t.armed, t.emitting = false, false
		return nil
	}
	rise := v &^ old & 7
	if rise == 0 {
		return nil
	}
	if t.armed || t.emitting {
		return c.misuse("TX trigger 0x%02x armed while a transmission is programmed (clear TX_TRIG_ALL first)", v)
	}
	if !c.agcReady() {
		return c.misuse("TX trigger armed before the AGC firmware finished its start-up dialogue")
	}
	e, err := c.decodeTx()
	if err != nil {
		return err
	}
	delay := uint32(uint16(c.get(sx1301.TxStartDelay)))
	e.StartDelay = uint16(delay)
	switch {
	case rise&1 != 0:
		e.Trigger, t.trig = hal.Immediate, now
	case rise&2 != 0:
		e.Trigger = hal.AtCount
		cnt := uint32(e.Header[3])<<24 | uint32(e.Header[4])<<16 | uint32(e.Header[5])<<8 | uint32(e.Header[6])
		t.trig = c.timeOf(cnt)
	default:
		e.Trigger = hal.OnPPS
		if pps, ok := c.lastPPS(); ok {
			t.trig = c.timeOf(pps + 1000000)
		} else {
			t.trig = now.Add(24 * time.Hour)
		}
	}
	e.StartTime = t.trig.Add(time.Duration(delay) * time.Microsecond)
	e.StartCount = c.count(t.trig) + delay
	toa, err := hal.TimeOnAir(e.DataRate, len(e.Payload), e.Preamble, e.ImplicitHeader, e.CRC)
	if err != nil {
		return c.misuse("transmission with invalid settings: %v", err)
	}
	e.EndTime = e.StartTime.Add(toa)
	t.end, t.armed, t.log = e.EndTime, true, len(c.air)
	c.air = append(c.air, e)
	return nil
}

// decodeTx reads the TX buffer as the TX modem does.
func (c *Chip) decodeTx() (Emission, error) {
	b := c.tx.buf[:]
	m := &c.mcus[1]
	e := Emission{Header: append([]byte(nil), b[:sx1301.TxHeaderLen]...), RFChain: b[7] >> 5 & 1,
		PowerIndex: int(b[7] & 15), OffsetI: int8(c.get(sx1301.TxOffsetI)), OffsetQ: int8(c.get(sx1301.TxOffsetQ)),
		DigGain: uint8(c.get(sx1301.TxDigGain))}
	if e.PowerIndex >= len(m.lut) {
		return e, c.misuse("TX power index %d beyond the %d-entry gain table the AGC was given", e.PowerIndex, len(m.lut))
	}
	e.Gain = m.lut[e.PowerIndex]
	b0 := b[0]
	size := int(b[10])
	e.Preamble = int(b[12])<<8 | int(b[13])
	if b[7]&0x10 == 0 {
		b0 = b0&0x3F | m.freqMSB<<6
		sf, cr := b[9]&15, hal.CodeRate(b[9]>>4&7)
		bw := map[byte]hal.Bandwidth{0: hal.BW125, 1: hal.BW250, 2: hal.BW500}[b[11]&3]
		e.DataRate = hal.LoRaRate(sf, bw, cr)
		if err := e.DataRate.Validate(); err != nil || sf < 7 {
			return e, c.misuse("TX header: LoRa SF %d CR %d BW code %d is not a valid SX1301 setting", sf, cr, b[11]&3)
		}
		e.CRC, e.ImplicitHeader, e.InvertIQ = b[9]&0x80 != 0, b[11]&4 != 0, b[11]&0x10 != 0
		if want := e.DataRate.LowDataRateOptimize(); b[11]&8 != 0 != want {
			return e, c.misuse("TX header: low-data-rate bit %v for %s", !want, e.DataRate)
		}
		e.Payload = append([]byte(nil), b[16:16+size]...)
	} else {
		b0 = b0&0x7F | (m.freqMSB&2)<<6
		div := uint32(b[14])<<8 | uint32(b[15])
		if div == 0 {
			return e, c.misuse("TX header: FSK bit rate divider 0")
		}
		e.DataRate = hal.FSKRate(32000000/div, uint32(b[9])*1000)
		e.CRC = b[11]&2 != 0
		if int(b[16]) != size {
			return e, c.misuse("TX header: FSK length byte %d, size %d", b[16], size)
		}
		e.Payload = append([]byte(nil), b[17:17+size]...)
	}
	e.Frequency = wordFreq(c.cfg.Radio, uint64(b0)<<16|uint64(b[1])<<8|uint64(b[2]))
	return e, nil
}

// txAdvance moves the transmitter from armed to emitting to idle.
func (c *Chip) txAdvance(now time.Time) {
	t := &c.tx
	switch {
	case !t.armed && !t.emitting:
	case now.Before(c.air[t.log].StartTime):
	case now.Before(t.end):
		t.armed, t.emitting = false, true
	default:
		t.armed, t.emitting = false, false
	}
}

// txStatus is TX_STATUS: 0x80 idle, 0x90 armed, 0xB0 emitting.
func (c *Chip) txStatus() byte {
	switch {
	case c.tx.emitting:
		return 0xB0
	case c.tx.armed:
		return 0x90
	}
	return 0x80
}

// AirLog returns the transmissions so far.
func (c *Chip) AirLog() []Emission {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.advance()
	out := make([]Emission, len(c.air))
	copy(out, c.air)
	return out
}
