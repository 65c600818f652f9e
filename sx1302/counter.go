package sx1302

import (
	"encoding/binary"

	"github.com/lgwagent/lgw/hal"
)

const mask27 = 1<<27 - 1

// readCounters reads the free-running and PPS-latched 32 MHz counters: an
// 8-byte burst from 0x6101 (PPS then instantaneous, big-endian), read again
// and a third time when a most significant byte changed between the two
// (rxtx §1.5). d.mu is held.
func (d *Dev) readCounters() (inst, pps uint32, err error) {
	var a, b [8]byte
	if err := d.bus.readBurst(TimestampPPS.Addr(), a[:]); err != nil {
		return 0, 0, err
	}
	if err := d.bus.readBurst(TimestampPPS.Addr(), b[:]); err != nil {
		return 0, 0, err
	}
	if a[0] != b[0] || a[4] != b[4] {
		if err := d.bus.readBurst(TimestampPPS.Addr(), b[:]); err != nil {
			return 0, 0, err
		}
	}
	inst, pps = binary.BigEndian.Uint32(b[4:]), binary.BigEndian.Uint32(b[:4])
	d.readAt = d.clk.Now()
	if d.fine {
		d.pps.add(pps)
		d.lastPPS = pps
	}
	return inst, pps, nil
}

// widen turns a 32 MHz reading into the 32-bit µs counter: 27 bits of µs
// plus a 5-bit wrap count the driver keeps by reading at least every
// CounterInterval (rxtx §1.5). d.mu is held.
func (d *Dev) widen(inst uint32) hal.Count {
	v := inst >> 5
	if d.counted && v < d.last27 {
		d.wrap = (d.wrap + 1) & 31
	}
	d.last27, d.counted = v, true
	return hal.Count(d.wrap<<27 | v)
}

func (d *Dev) counterLocked() (hal.Count, error) {
	inst, _, err := d.readCounters()
	if err != nil {
		return 0, err
	}
	return d.widen(inst), nil
}

// Counter reads the instantaneous 32-bit µs counter.
func (d *Dev) Counter() (hal.Count, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.started {
		return 0, hal.ErrNotStarted
	}
	return d.counterLocked()
}

// PPSCounter reads the counter latched at the last PPS edge, widened
// against the instantaneous counter read with it (it is at most one wrap,
// 134 s, older; a PPS frozen longer than that reads as recent).
func (d *Dev) PPSCounter() (hal.Count, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.started {
		return 0, hal.ErrNotStarted
	}
	inst, pps, err := d.readCounters()
	if err != nil {
		return 0, err
	}
	c := d.widen(inst)
	return hal.Count(uint32(c) - ((inst>>5 - pps>>5) & mask27)), nil
}
