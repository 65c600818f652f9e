package scheduler

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestRefIndex drives the index and a map side by side through random
// puts and removes, from an empty table through several growths and back,
// checking every ref after each step. Small tables make long probe runs
// that wrap around the end, which backward-shift deletion must keep
// unbroken.
func TestRefIndex(t *testing.T) {
	tests := []struct {
		name      string
		refs, ops int
		seed      uint64
	}{
		{"one table of 16", 10, 2000, 1},
		{"growing to 256", 150, 5000, 2},
		{"MessageId-like refs", 3000, 20000, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(tt.seed, 0))
			x := newRefIndex()
			want := map[string]*item{}
			refs := make([]string, tt.refs)
			for i := range refs {
				refs[i] = fmt.Sprintf("%032x", rng.Uint64())
			}
			for op := range tt.ops {
				ref := refs[rng.IntN(len(refs))]
				if it := want[ref]; it != nil {
					if !x.remove(it) {
						t.Fatalf("op %d: remove %s: not found", op, ref)
					}
					delete(want, ref)
				} else {
					it := &item{ref: ref}
					x.put(it)
					want[ref] = it
				}
				if x.n != len(want) {
					t.Fatalf("op %d: %d indexed, want %d", op, x.n, len(want))
				}
				if op%97 == 0 || tt.refs <= 150 {
					for _, r := range refs {
						if got := x.get(r); got != want[r] {
							t.Fatalf("op %d: get %s = %p, want %p", op, r, got, want[r])
						}
					}
				}
			}
			if x.remove(&item{ref: refs[0]}) {
				t.Error("removed an item that was never indexed")
			}
		})
	}
}

// TestRefIndexEmpty: an empty index finds nothing and removes nothing.
func TestRefIndexEmpty(t *testing.T) {
	x := newRefIndex()
	if x.get("a") != nil || x.remove(&item{ref: "a"}) {
		t.Fatal("empty index found an item")
	}
}
