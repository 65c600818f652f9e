package scheduler

import (
	"sort"
	"time"

	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/region"
)

// dcRecord is one emission counted against a sub-band's budget.
type dcRecord struct {
	start, end hal.Micros
}

// subBandUse tracks the emissions of one sub-band over a sliding window
// (region.DutyCycleWindow): past emissions still in the window, and queued
// ones. Records are kept in start order.
type subBandUse struct {
	band region.SubBand
	recs []*dcRecord
}

var windowMicros = hal.MicrosOf(region.DutyCycleWindow)

// usedIn returns the time on air of the records within [from, to].
func (u *subBandUse) usedIn(from, to hal.Micros) hal.Micros {
	i := u.firstReaching(from)
	var sum hal.Micros
	for ; i < len(u.recs) && u.recs[i].start <= to; i++ {
		if r := u.recs[i]; r.end >= from {
			sum += min(r.end, to) - max(r.start, from)
		}
	}
	return sum
}

// check reports whether an emission [start, end] fits: the window ending
// at its end and the window starting at its start (which holds queued
// items) must both stay within ceiling times the budget. It returns the
// use that failed, and a start from which trying again makes sense.
func (u *subBandUse) check(start, end hal.Micros, ceiling float64) (ok bool, used, limit hal.Micros, retry hal.Micros) {
	limit = hal.Micros(float64(hal.MicrosOf(u.band.Budget())) * ceiling)
	air := end - start
	if used = u.usedIn(end-windowMicros, end) + air; used > limit {
		// Retry once the earliest record in the window has left it.
		retry = start + hal.MicrosOf(time.Second)
		for i := u.firstReaching(end - windowMicros); i < len(u.recs); i++ {
			if r := u.recs[i]; r.end >= end-windowMicros {
				retry = max(retry, r.end+windowMicros-air+1)
				break
			}
		}
		return false, used, limit, retry
	}
	if used = u.usedIn(start, start+windowMicros) + air; used > limit {
		// Later records fall out of this window as the start moves on.
		i := sort.Search(len(u.recs), func(i int) bool { return u.recs[i].start >= start })
		retry = start + hal.MicrosOf(time.Second)
		if i < len(u.recs) {
			retry = max(retry, u.recs[i].end+1)
		}
		return false, used, limit, retry
	}
	return true, used, limit, 0
}

// maxAirMicros bounds any emission (SF12 BW125 with 255 bytes lasts about
// 9.2 s), so records starting earlier than that before a time cannot reach
// it; records are ordered by start, not by end.
const maxAirMicros = hal.Micros(16_000_000)

// firstReaching returns the index of the first record that may end at or
// after m.
func (u *subBandUse) firstReaching(m hal.Micros) int {
	return sort.Search(len(u.recs), func(i int) bool { return u.recs[i].start >= m-maxAirMicros })
}

func (u *subBandUse) add(r *dcRecord) {
	i := sort.Search(len(u.recs), func(i int) bool { return u.recs[i].start > r.start })
	u.recs = append(u.recs, nil)
	copy(u.recs[i+1:], u.recs[i:])
	u.recs[i] = r
}

func (u *subBandUse) remove(r *dcRecord) {
	for i, x := range u.recs {
		if x == r {
			u.recs = append(u.recs[:i], u.recs[i+1:]...)
			return
		}
	}
}

// prune drops records that ended before the window reaching back from now.
func (u *subBandUse) prune(now hal.Micros) {
	if i := u.firstReaching(now - windowMicros); i > 0 {
		u.recs = append(u.recs[:0], u.recs[i:]...)
	}
}
