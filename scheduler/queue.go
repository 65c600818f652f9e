package scheduler

import (
	"time"

	"github.com/lgwagent/lgw/hal"
)

// item is one queued transmission. Its occupancy on its RF chain is
// [start-MinLead, start+air+guard]: the chip must have it by start-MinLead
// at the latest and is busy until the end of the emission plus the guard
// (it is handed over earlier, HandoffLead ahead, when the chain is free
// by then). Items admitted
// on a chain never overlap, so the queue is ordered by start and by
// occupancy alike, and a collision check needs only the item before and
// the items after a new occupancy's start.
type item struct {
	// What the caller asked for (the Request, less what admission alone
	// needs: item size matters with thousands queued).
	ref    string
	origin string
	done   func(Result)
	pkt    hal.TxPacket
	class  Class
	mode   TimingMode // how the start was given, for the queue listing
	// checked is set once the emission was verified on the chip.
	checked bool
	// airUs is the time on air in µs, rounded up (see airTime): 4 bytes
	// beside the three above instead of a time.Duration's 8 keep the item
	// in the 160-byte size class (TestItemSize). The longest LoRa frame
	// lasts about 10 s, the longest FSK one 4 s; uint32 holds 71 min.
	airUs uint32

	seq    uint64
	start  hal.Micros // preamble start
	occEnd hal.Micros
	// dc is the duty-cycle record, if the item's sub-band has a budget. It
	// is allocated apart: it outlives the item by the duty-cycle window.
	dc *dcRecord

	// treap links; the priority is mix(seq)
	left, right *item
}

// airTime is the item's time on air, rounded up to the µs.
func (it *item) airTime() hal.Micros { return hal.Micros(it.airUs) }

// checkAt is when the chip's TX status is read after the item was handed
// over: a millisecond (at most half the time on air) after the start.
func (it *item) checkAt() hal.Micros {
	return it.start + max(1, min(hal.MicrosOf(time.Millisecond), it.airTime()/2))
}

func (it *item) less(o *item) bool {
	if it.start != o.start {
		return it.start < o.start
	}
	return it.seq < o.seq
}

// queue is a treap of items ordered by start: O(log n) insert, delete,
// floor and minimum, and ordered range walks.
type queue struct {
	root *item
	n    int
}

func rotateRight(t *item) *item { l := t.left; t.left = l.right; l.right = t; return l }
func rotateLeft(t *item) *item  { r := t.right; t.right = r.left; r.left = t; return r }

func (q *queue) insert(it *item) {
	it.left, it.right = nil, nil
	q.root = treapInsert(q.root, it)
	q.n++
}

func treapInsert(t, it *item) *item {
	if t == nil {
		return it
	}
	if it.less(t) {
		t.left = treapInsert(t.left, it)
		if mix(t.left.seq) > mix(t.seq) {
			t = rotateRight(t)
		}
	} else {
		t.right = treapInsert(t.right, it)
		if mix(t.right.seq) > mix(t.seq) {
			t = rotateLeft(t)
		}
	}
	return t
}

// remove deletes it; it reports whether it was present.
func (q *queue) remove(it *item) bool {
	var found bool
	q.root = treapDelete(q.root, it, &found)
	if found {
		q.n--
		it.left, it.right = nil, nil
	}
	return found
}

func treapDelete(t, it *item, found *bool) *item {
	if t == nil {
		return nil
	}
	switch {
	case t == it:
		*found = true
		return treapMerge(t.left, t.right)
	case it.less(t):
		t.left = treapDelete(t.left, it, found)
	default:
		t.right = treapDelete(t.right, it, found)
	}
	return t
}

// treapMerge joins two treaps whose keys are all ordered a < b.
func treapMerge(a, b *item) *item {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case mix(a.seq) > mix(b.seq):
		a.right = treapMerge(a.right, b)
		return a
	default:
		b.left = treapMerge(a, b.left)
		return b
	}
}

// min returns the earliest item.
func (q *queue) min() *item {
	t := q.root
	if t == nil {
		return nil
	}
	for t.left != nil {
		t = t.left
	}
	return t
}

// floor returns the last item starting at or before m.
func (q *queue) floor(m hal.Micros) *item {
	var best *item
	for t := q.root; t != nil; {
		if t.start <= m {
			best = t
			t = t.right
		} else {
			t = t.left
		}
	}
	return best
}

// walk calls f on the items starting in (from, to], in order, until f
// returns false.
func (q *queue) walk(from, to hal.Micros, f func(*item) bool) {
	walkRange(q.root, from, to, f)
}

func walkRange(t *item, from, to hal.Micros, f func(*item) bool) bool {
	if t == nil {
		return true
	}
	if t.start > from {
		if !walkRange(t.left, from, to, f) {
			return false
		}
	}
	if t.start > from && t.start <= to {
		if !f(t) {
			return false
		}
	}
	if t.start <= to {
		return walkRange(t.right, from, to, f)
	}
	return true
}

// all calls f on every item in order.
func (q *queue) all(f func(*item)) { walkAll(q.root, f) }

func walkAll(t *item, f func(*item)) {
	if t == nil {
		return
	}
	walkAll(t.left, f)
	f(t)
	walkAll(t.right, f)
}

// overlapping returns the queued items whose occupancy, [start-lead,
// occEnd], meets [o1, o2].
func (q *queue) overlapping(o1, o2, lead hal.Micros, out []*item) []*item {
	if p := q.floor(o1); p != nil && p.occEnd >= o1 && p.start-lead <= o2 {
		out = append(out, p)
	}
	// Later items start after o1; they meet the span while they begin
	// before its end. Their occupancy begins lead before their start,
	// which is at most the span's own lead ahead: walk to o2 plus a
	// generous bound and filter.
	q.walk(o1, o2+maxLeadMicros, func(it *item) bool {
		if it.start-lead > o2 {
			return it.start-maxLeadMicros <= o2
		}
		out = append(out, it)
		return true
	})
	return out
}

// maxLeadMicros bounds MinLead (Config.Validate allows up to 1 s).
const maxLeadMicros = hal.Micros(1_000_000)

// mix is splitmix64, for treap priorities.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
