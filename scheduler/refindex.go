package scheduler

import "hash/maphash"

// refIndex finds a queued item by its ref: a hash set of items keyed by
// their ref, open addressing with linear probing, at most 3/4 full. A slot
// is one pointer (the ref is the item's own), so 10,000 refs take a
// 16,384-slot table, 13 bytes each, where a map[string]*item took about
// 44 (24-byte slots, and tables split when they fill): 0.3 MB less live
// heap with 10,000 queued, about twice that of resident set at the
// default GOGC (docs/performance.md, memory). Refs are unique in it: the
// scheduler refuses a ref already queued.
type refIndex struct {
	seed  maphash.Seed
	slots []*item // len is 0 or a power of two
	n     int
}

func newRefIndex() refIndex { return refIndex{seed: maphash.MakeSeed()} }

// home is the slot where ref's probe sequence starts.
func (x *refIndex) home(ref string) int {
	return int(maphash.String(x.seed, ref) & uint64(len(x.slots)-1))
}

// get returns the item queued under ref, or nil.
func (x *refIndex) get(ref string) *item {
	if x.n == 0 {
		return nil
	}
	mask := len(x.slots) - 1
	for i := x.home(ref); x.slots[i] != nil; i = (i + 1) & mask {
		if x.slots[i].ref == ref {
			return x.slots[i]
		}
	}
	return nil
}

// put indexes it under its ref, which must not be indexed yet.
func (x *refIndex) put(it *item) {
	if 4*(x.n+1) > 3*len(x.slots) {
		x.grow()
	}
	mask := len(x.slots) - 1
	i := x.home(it.ref)
	for x.slots[i] != nil {
		i = (i + 1) & mask
	}
	x.slots[i] = it
	x.n++
}

// grow doubles the table (16 slots at first) and re-inserts every item.
func (x *refIndex) grow() {
	old := x.slots
	x.slots = make([]*item, max(16, 2*len(old)))
	x.n = 0
	for _, it := range old {
		if it != nil {
			x.put(it)
		}
	}
}

// remove takes it out of the index and reports whether it was there.
// Later items of its probe run move back into the hole (backward-shift
// deletion, no tombstones), so every probe run stays unbroken.
func (x *refIndex) remove(it *item) bool {
	if x.n == 0 {
		return false
	}
	mask := len(x.slots) - 1
	i := x.home(it.ref)
	for x.slots[i] != it {
		if x.slots[i] == nil {
			return false
		}
		i = (i + 1) & mask
	}
	for j := (i + 1) & mask; x.slots[j] != nil; j = (j + 1) & mask {
		// The item at j may fill the hole at i unless its home lies
		// cyclically in (i, j]: it would then be found before i.
		if h := x.home(x.slots[j].ref); (j-h)&mask >= (j-i)&mask {
			x.slots[i] = x.slots[j]
			i = j
		}
	}
	x.slots[i] = nil
	x.n--
	return true
}
