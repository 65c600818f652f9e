package mqtt

import (
	"fmt"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/clock"
)

// unsynced reads the records written since the last fsync.
func (s *spool) unsyncedNow() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.unsynced
}

// waitSynced waits (real time) until the flush loop has fsynced every
// record written so far.
func waitSynced(t *testing.T, s *spool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for s.unsyncedNow() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d records still unsynced", s.unsyncedNow())
		}
		time.Sleep(time.Millisecond)
	}
}

// The flush loop arms no timer while nothing is written (an idle gateway
// does not wake for it), fsyncs a batch spoolSyncEvery after its first
// record, and at once when spoolSyncRecords records wait.
func TestSpoolFlushLoopBatchesAndSleepsWhenIdle(t *testing.T) {
	v := clock.NewVirtual(time.Unix(1_700_000_000, 0))
	s, _, err := openSpool(t.TempDir(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	c := &Client{net: v, spool: s, stopSync: make(chan struct{}), log: zap.NewNop()}
	c.syncWG.Add(1)
	go c.syncLoop()
	defer func() {
		close(c.stopSync)
		c.syncWG.Wait()
		s.close()
	}()

	if _, err := s.append(kindDownlink, "d", "id0", []byte("r0")); err != nil {
		t.Fatal(err)
	}
	<-v.BlockUntil(1) // the batch's timer
	if d, _ := v.NextDeadline(); d.Sub(v.Now()) != spoolSyncEvery {
		t.Fatalf("batch due in %s, want %s", d.Sub(v.Now()), spoolSyncEvery)
	}
	v.Advance(spoolSyncEvery - time.Millisecond)
	if n := s.unsyncedNow(); n != 1 {
		t.Fatalf("fsynced before the batch was due: %d unsynced", n)
	}
	v.Advance(time.Millisecond)
	waitSynced(t, s)
	if n := v.Pending(); n != 0 {
		t.Fatalf("%d timers armed after the batch was fsynced with nothing written", n)
	}

	// A full batch goes at once, without the clock moving.
	for i := range spoolSyncRecords {
		if _, err := s.append(kindDownlink, "d", fmt.Sprint("id", i+1), []byte("r")); err != nil {
			t.Fatal(err)
		}
	}
	waitSynced(t, s)
}
