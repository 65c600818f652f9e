package sx1301

import "github.com/lgwagent/lgw/hal"

// The SX1301 counts µs in 32 bits at 1 MHz from the start (sx1301.md
// §1.8). TIMESTAMP holds the count latched at the last PPS edge while
// GPS_EN is 1, the live count while it is 0; there is no second register.

// Counter reads the live counter: GPS_EN off, TIMESTAMP, GPS_EN on, as the
// reference forwarder does. A PPS edge inside that window is not latched.
func (d *Dev) Counter() (hal.Count, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.started {
		return 0, hal.ErrNotStarted
	}
	if err := d.bus.set(GpsEn, 0); err != nil {
		return 0, err
	}
	v, err := d.bus.get(Timestamp)
	if err2 := d.bus.set(GpsEn, 1); err == nil {
		err = err2
	}
	return hal.Count(uint32(v)), err
}

// PPSCounter reads the counter latched at the last PPS edge.
func (d *Dev) PPSCounter() (hal.Count, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.started {
		return 0, hal.ErrNotStarted
	}
	v, err := d.bus.get(Timestamp)
	return hal.Count(uint32(v)), err
}
