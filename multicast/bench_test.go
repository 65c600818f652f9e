package multicast

import (
	"testing"
)

func BenchmarkBuildFrame(b *testing.B) {
	payload := make([]byte, 51)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := BuildFrame([4]byte{1, 2, 3, 4}, uint32(i), 1, payload, [16]byte{1}, [16]byte{2}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteAtomic measures one store write (write, fsync, rename,
// previous generation kept by a hard link, directory fsync) of a 4 KiB body on the test machine's disk.
func BenchmarkWriteAtomic(b *testing.B) {
	dir := b.TempDir()
	st := newStore(OSFS{}, dir)
	body := make([]byte, 4096)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if err := st.write(queueFile, "queue", body); err != nil {
			b.Fatal(err)
		}
	}
}
