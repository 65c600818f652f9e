package mqtt

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func drain(t *testing.T, s *spool) []string {
	t.Helper()
	var got []string
	for {
		ev, ok := s.next()
		if !ok {
			return got
		}
		got = append(got, string(ev.payload))
	}
}

// A process killed without closing the spool loses nothing written; a
// torn record at the tail is cut off; acknowledged records do not come
// back.
func TestSpoolSurvivesCrashAndTornTail(t *testing.T) {
	dir := t.TempDir()
	s, _, err := openSpool(dir, 100)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := s.append(kindDownlink, "d", fmt.Sprint("id", i), []byte(fmt.Sprint("r", i))); err != nil {
			t.Fatal(err)
		}
	}
	ev, _ := s.next()
	s.done(ev.spooled, true) // r0 acknowledged
	// No close, no sync: the process dies. Then half a record is left.
	segs, _ := filepath.Glob(filepath.Join(dir, "*"+spoolExt))
	if len(segs) != 1 {
		t.Fatalf("segments %v", segs)
	}
	f, err := os.OpenFile(segs[0], os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte{200, 0, 0, 0, 1, 2})
	f.Close()

	s2, warns, err := openSpool(dir, 100)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(drain(t, s2)); got != "[r1 r2 r3 r4]" {
		t.Fatalf("after the crash: %s (warnings %v)", got, warns)
	}
	if _, err := s2.append(kindDownlink, "d", "id5", []byte("r5")); err != nil {
		t.Fatal(err)
	}
	s2.close()
	s3, _, err := openSpool(dir, 100)
	if err != nil {
		t.Fatal(err)
	}
	defer s3.close()
	if got := fmt.Sprint(drain(t, s3)); got != "[r1 r2 r3 r4 r5]" {
		t.Fatalf("after the torn tail was cut and a record appended: %s", got)
	}
}

// A corrupt record in the middle skips the rest of its segment and says
// so; an unreadable ack file means resending, never losing.
func TestSpoolCorruptRecordAndAck(t *testing.T) {
	dir := t.TempDir()
	s, _, err := openSpool(dir, 100)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		s.append(kindResponse, "r", "", []byte(fmt.Sprint("p", i)))
	}
	ev, _ := s.next()
	s.done(ev.spooled, true)
	s.close()
	if err := os.WriteFile(filepath.Join(dir, spoolAckFile), []byte("garbage!garbage!"), 0o600); err != nil {
		t.Fatal(err)
	}
	s2, _, err := openSpool(dir, 100)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(drain(t, s2)); got != "[p0 p1 p2]" {
		t.Fatalf("bad ack file: %s", got)
	}
	s2.close()
	segs, _ := filepath.Glob(filepath.Join(dir, "*"+spoolExt))
	b, _ := os.ReadFile(segs[0])
	b[len(b)/2] ^= 0xff
	os.WriteFile(segs[0], b, 0o600)
	s3, warns, err := openSpool(dir, 100)
	if err != nil {
		t.Fatal(err)
	}
	defer s3.close()
	if len(warns) == 0 {
		t.Fatal("corrupt record not reported")
	}
	if got := drain(t, s3); len(got) >= 3 {
		t.Fatalf("corrupt record read back: %v", got)
	}
}

// Reports and responses are evicted from the memory buffer only after
// stats and uplinks.
func TestBufferEvictsUplinksBeforeReports(t *testing.T) {
	b := newBuffer(3)
	b.add(kindDownlink, "d", []byte("d1"))
	b.add(kindUplink, "u", []byte("u1"))
	b.add(kindResponse, "r", []byte("r1"))
	b.add(kindUplink, "u", []byte("u2")) // evicts u1, not d1
	b.add(kindUplink, "u", []byte("u3")) // evicts u2
	var got []string
	for e, ok := b.next(); ok; e, ok = b.next() {
		got = append(got, string(e.payload))
	}
	if fmt.Sprint(got) != "[d1 r1 u3]" {
		t.Fatalf("kept %v", got)
	}
}
