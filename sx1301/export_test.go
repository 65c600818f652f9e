package sx1301

import "periph.io/x/conn/v3/spi"

// FetchFrom runs the FIFO reader on conn as if the chip were started (for
// the fuzz test) and returns the packets and the driver's counters.
func (d *Dev) FetchFrom(conn spi.Conn) (int, Stats, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	b, err := newBus(conn)
	if err != nil {
		return 0, Stats{}, err
	}
	d.bus, d.started = b, true
	err = d.fetchLocked()
	n := len(d.queue)
	d.queue = d.queue[:0]
	d.started = false
	return n, d.stats, err
}
