package multicast_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/lgwagent/lgw/apierr"
	"github.com/lgwagent/lgw/multicast"
	"github.com/lgwagent/lgw/scheduler"
)

// Store file names, as on disk.
const (
	groupsName = "multicast-groups.state"
	queueName  = "multicast-queue.state"
	ledgerName = "multicast-ledger.state"
)

// damage spoils a file in one of the ways an SD card or an operator does.
type damage func(t *testing.T, path string)

var damages = map[string]damage{
	"garbled": func(t *testing.T, p string) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for i := len(b) / 2; i < len(b); i += 7 {
			b[i] ^= 0x5a
		}
		writeFile(t, p, b)
	},
	"truncated": func(t *testing.T, p string) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, p, b[:len(b)/3])
	},
	"junk":    func(t *testing.T, p string) { writeFile(t, p, []byte("\x00\xff not a store file at all\n{}")) },
	"empty":   func(t *testing.T, p string) { writeFile(t, p, nil) },
	"deleted": func(t *testing.T, p string) { _ = os.Remove(p) },
}

func writeFile(t *testing.T, p string, b []byte) {
	t.Helper()
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// fill makes a store with one class C group, a session that starts in 31
// minutes and n accepted messages, then stops the manager.
func fill(t *testing.T, n int) (*env, []string) {
	t.Helper()
	e := newEnv(t, t.TempDir(), nil)
	e.group(t, "g1", multicast.ClassC, "EU868")
	e.session(t, "g1", t0.Add(31*time.Minute), 600, ip(5))
	var ids []string
	for i := 0; i < n; i++ {
		id, err := send(e.m, "g1", []byte(fmt.Sprintf("m%d", i)), 2)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	e.m.Stop()
	return e, ids
}

// reopen opens the store again; Open must never fail on a damaged store.
func (e *env) reopen(t *testing.T) {
	t.Helper()
	e.reps = nil
	e.open(t)
}

// reportsByID counts the reports of each MessageId.
func (e *env) reportsByID() map[string][]multicast.Report {
	out := map[string][]multicast.Report{}
	for _, r := range e.reps {
		out[r.MessageId] = append(out[r.MessageId], r)
	}
	return out
}

// TestDamagedStoreNeverStopsTheService damages each store file, its
// current generation alone or both generations, and all files together,
// and checks that Open succeeds, that a file with a good previous
// generation falls back to it, that one without puts multicast in a
// degraded mode that refuses every operation naming the file and the fix,
// that ResetMulticastStore clears it, and that every accepted message ends
// in exactly one report.
func TestDamagedStoreNeverStopsTheService(t *testing.T) {
	for _, files := range [][]string{{groupsName}, {queueName}, {ledgerName}, {groupsName, queueName, ledgerName}} {
		for dname, dmg := range damages {
			for _, both := range []bool{false, true} {
				name := fmt.Sprintf("%s/%s/both=%v", strings.Join(files, "+"), dname, both)
				t.Run(name, func(t *testing.T) {
					e, ids := fill(t, 3)
					for _, f := range files {
						dmg(t, filepath.Join(e.dir, f))
						if both {
							dmg(t, filepath.Join(e.dir, f+".prev"))
						}
					}
					e.reopen(t)
					h := e.m.Health()
					wantDegraded := both && dname != "deleted"
					if h.Degraded != wantDegraded {
						t.Fatalf("degraded %v, want %v (%+v)", h.Degraded, wantDegraded, h)
					}
					if wantDegraded {
						checkDegraded(t, e, files)
						out, err := e.m.ResetMulticastStore(ctx)
						if err != nil || out.Health.Degraded || len(out.Moved) == 0 {
							t.Fatalf("reset: %+v, %v", out, err)
						}
					}
					// The service works: a group can be (re)created and used.
					if _, err := e.m.ListMulticastGroups(ctx); err != nil {
						t.Fatal(err)
					}
					if _, err := e.m.GetMulticastGroup(ctx, multicast.GroupIDInput{Id: "g1"}); err != nil {
						e.group(t, "g1", multicast.ClassC, "EU868")
					}
					if _, err := e.m.GetMulticastGroupSession(ctx, multicast.GroupIDInput{Id: "g1"}); err != nil {
						e.session(t, "g1", t0.Add(31*time.Minute), 600, ip(5))
					}
					after, err := send(e.m, "g1", []byte("after"), 2)
					if err != nil {
						t.Fatal(err)
					}
					e.runUntil(t, t0.Add(31*time.Minute+20*time.Second))
					by := e.reportsByID()
					for _, id := range append(ids, after) {
						if len(by[id]) > 1 {
							t.Errorf("message %s: %d reports", id, len(by[id]))
						}
					}
					if len(by[after]) != 1 || by[after][0].Result.Code != scheduler.Sent {
						t.Errorf("message after the damage: %+v", by[after])
					}
					// Messages lost with a degraded store have no report
					// to give (the reset says how many in Health); every
					// other one has exactly one.
					// Every file deleted with its previous generation is
					// a factory reset: nothing is left to name a message.
					reset := len(files) == 3 && dname == "deleted" && both
					if !wantDegraded && !reset {
						for _, id := range ids {
							if len(by[id]) != 1 && !(h.LostUnknown) {
								t.Errorf("accepted message %s: %d reports", id, len(by[id]))
							}
						}
					}
				})
			}
		}
	}
}

func checkDegraded(t *testing.T, e *env, files []string) {
	t.Helper()
	h := e.m.Health()
	if h.Storage != multicast.StorageCorrupt || !strings.Contains(h.Message, "ResetMulticastStore") {
		t.Errorf("health %+v", h)
	}
	calls := map[string]func() error{
		"Create": func() error {
			_, err := e.m.CreateMulticastGroup(ctx, multicast.CreateGroupInput{Id: "x", LoRaWAN: multicast.GroupLoRaWAN{
				RfRegion: "EU868", DlClass: multicast.ClassC, McAddr: "0a0b0c0d"}})
			return err
		},
		"Get":  func() error { _, err := e.m.GetMulticastGroup(ctx, multicast.GroupIDInput{Id: "g1"}); return err },
		"List": func() error { _, err := e.m.ListMulticastGroups(ctx); return err },
		"Delete": func() error {
			return e.m.DeleteMulticastGroup(ctx, multicast.GroupIDInput{Id: "g1"})
		},
		"Start": func() error {
			_, err := e.m.StartMulticastGroupSession(ctx, multicast.StartSessionInput{Id: "g1"})
			return err
		},
		"GetSession": func() error {
			_, err := e.m.GetMulticastGroupSession(ctx, multicast.GroupIDInput{Id: "g1"})
			return err
		},
		"Cancel": func() error { return e.m.CancelMulticastGroupSession(ctx, multicast.GroupIDInput{Id: "g1"}) },
		"Send":   func() error { _, err := send(e.m, "g1", []byte("x"), 2); return err },
		"Update": func() error {
			return e.m.UpdateMulticastGroup(ctx, multicast.UpdateGroupInput{Id: "g1"})
		},
	}
	for name, call := range calls {
		err := call()
		var ae *apierr.Error
		if !errors.As(err, &ae) || ae.Kind != apierr.InternalServer || !strings.Contains(ae.Message, "ResetMulticastStore") {
			t.Errorf("%s in degraded mode: %v", name, err)
			continue
		}
		named := false
		for _, f := range files {
			named = named || strings.Contains(ae.Message, f)
		}
		if !named {
			t.Errorf("%s: message does not name the file: %s", name, ae.Message)
		}
	}
}

// TestCountersNeverGoBackAfterGroupsFileLoss sends frames, deletes the
// groups file (both generations), creates the group again with the same
// keys and checks that the next frame's counter is above every counter
// used before.
func TestCountersNeverGoBackAfterGroupsFileLoss(t *testing.T) {
	e := newEnv(t, t.TempDir(), nil)
	e.group(t, "g1", multicast.ClassC, "EU868")
	start := t0.Add(31 * time.Minute)
	e.session(t, "g1", start, 600, ip(5))
	for i := 0; i < 6; i++ {
		if _, err := send(e.m, "g1", []byte{byte(i)}, 2); err != nil {
			t.Fatal(err)
		}
	}
	e.runUntil(t, start.Add(10*time.Second))
	used := uint32(0)
	for _, em := range e.sim.AirLog() {
		fc, _, _ := decode(t, em.Payload)
		used = max(used, fc)
	}
	if len(e.sim.AirLog()) != 6 {
		t.Fatalf("%d frames sent", len(e.sim.AirLog()))
	}
	e.m.Stop()
	for _, f := range []string{groupsName, groupsName + ".prev"} {
		if err := os.Remove(filepath.Join(e.dir, f)); err != nil {
			t.Fatal(err)
		}
	}
	e.reopen(t)
	if _, err := e.m.GetMulticastGroup(ctx, multicast.GroupIDInput{Id: "g1"}); apierr.KindOf(err) != apierr.ResourceNotFound {
		t.Fatalf("group survived the deletion of its file: %v", err)
	}
	e.group(t, "g1", multicast.ClassC, "EU868")
	g, err := e.m.GetMulticastGroup(ctx, multicast.GroupIDInput{Id: "g1"})
	if err != nil || g.LoRaWAN.NextFCnt <= used {
		t.Fatalf("re-created group: next FCnt %d, used up to %d (%v)", g.LoRaWAN.NextFCnt, used, err)
	}
	now := e.clk.Now()
	e.session(t, "g1", now.Add(31*time.Minute), 600, ip(5))
	if _, err := send(e.m, "g1", []byte("again"), 2); err != nil {
		t.Fatal(err)
	}
	e.runUntil(t, now.Add(32*time.Minute))
	air := e.sim.AirLog()
	if len(air) != 7 {
		t.Fatalf("%d frames", len(air))
	}
	if fc, _, _ := decode(t, air[6].Payload); fc <= used {
		t.Fatalf("frame after re-creation has FCnt %d, used before up to %d", fc, used)
	}
}

// TestLostQueueEndsEveryMessage deletes or truncates the queue file (both
// generations; the ledger survives) and checks each accepted message ends
// in one LOST report; with the groups file gone instead, the queued
// messages end LOST too.
func TestLostQueueEndsEveryMessage(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files []string
		dmg   string
	}{
		{"queue deleted", []string{queueName, queueName + ".prev"}, "deleted"},
		{"queue empty", []string{queueName, queueName + ".prev"}, "empty"},
		{"groups deleted", []string{groupsName, groupsName + ".prev"}, "deleted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, ids := fill(t, 4)
			for _, f := range tc.files {
				damages[tc.dmg](t, filepath.Join(e.dir, f))
			}
			e.reopen(t)
			h := e.m.Health()
			if tc.dmg == "empty" {
				// An empty file is corrupt: degraded, then reset.
				if !h.Degraded {
					t.Fatalf("health %+v", h)
				}
				if _, err := e.m.ResetMulticastStore(ctx); err != nil {
					t.Fatal(err)
				}
				e.settle(t)
				h = e.m.Health()
			}
			by := e.reportsByID()
			for _, id := range ids {
				if len(by[id]) != 1 || by[id][0].Result.Code != multicast.CodeLost {
					t.Errorf("message %s: reports %+v", id, by[id])
				}
			}
			if h.Lost != len(ids) {
				t.Errorf("health lost %d, want %d", h.Lost, len(ids))
			}
			if e.m.Pending() != 0 {
				t.Errorf("%d still pending", e.m.Pending())
			}
		})
	}
}

// faultFS fails every write with err while set, and records the partial
// files its failed writes leave until they are removed.
type faultFS struct {
	multicast.OSFS
	mu      sync.Mutex
	err     error
	partial map[string]bool
	failed  int
}

func (f *faultFS) Remove(path string) error {
	f.mu.Lock()
	delete(f.partial, path)
	f.mu.Unlock()
	return f.OSFS.Remove(path)
}

// leftovers returns the partial files not removed and the failed writes.
func (f *faultFS) leftovers() ([]string, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for p := range f.partial {
		out = append(out, p)
	}
	return out, f.failed
}

func (f *faultFS) set(err error) {
	f.mu.Lock()
	f.err = err
	f.mu.Unlock()
}

func (f *faultFS) fail() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

// WriteSync writes part of the file, as a full disk does, then fails.
func (f *faultFS) WriteSync(path string, data []byte) error {
	if err := f.fail(); err != nil {
		f.mu.Lock()
		if f.partial == nil {
			f.partial = map[string]bool{}
		}
		f.partial[path] = true
		f.failed++
		f.mu.Unlock()
		_ = os.WriteFile(path, data[:len(data)/2], 0o600)
		return err
	}
	return f.OSFS.WriteSync(path, data)
}

func (f *faultFS) Rename(from, to string) error {
	if err := f.fail(); err != nil {
		return err
	}
	return f.OSFS.Rename(from, to)
}

// TestDiskFailureIsVisible fills the disk (or makes it read-only) during a
// session: the condition shows in Health, the warning is logged at most
// once a minute, no temporary file is left, new messages are refused, and
// the queued ones end NOT_PERSISTED when their session ends. When the
// disk recovers, the service goes on.
func TestDiskFailureIsVisible(t *testing.T) {
	for _, tc := range []struct {
		err  error
		cond string
	}{{syscall.ENOSPC, multicast.StorageFull}, {syscall.EROFS, multicast.StorageReadOnly}} {
		t.Run(tc.cond, func(t *testing.T) {
			e := newEnv(t, t.TempDir(), nil)
			e.m.Stop()
			ffs := &faultFS{}
			core, logs := observer.New(zap.WarnLevel)
			e.openWith(t, func(c *multicast.Config) { c.FS, c.Log = ffs, zap.New(core) })
			m := e.m
			e.group(t, "g1", multicast.ClassC, "EU868")
			start := t0.Add(31 * time.Minute)
			e.session(t, "g1", start, 60, ip(5))
			var ids []string
			for i := 0; i < 3; i++ {
				id, err := send(m, "g1", []byte{byte(i)}, 2)
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, id)
			}
			ffs.set(fmt.Errorf("write: %w", tc.err))
			if _, err := send(m, "g1", []byte("refused"), 2); apierr.KindOf(err) != apierr.InternalServer {
				t.Fatalf("send on a failing disk: %v", err)
			}
			e.runUntil(t, start.Add(30*time.Second))
			h := m.Health()
			if h.Storage != tc.cond || h.LastError == "" || h.Message == "" {
				t.Fatalf("health %+v", h)
			}
			if len(e.sim.AirLog()) != 0 {
				t.Fatal("a frame went out although its counter could not be recorded")
			}
			e.runUntil(t, start.Add(3*time.Minute))
			by := e.reportsByID()
			for _, id := range ids {
				if len(by[id]) != 1 || by[id][0].Result.Code != multicast.CodeNotPersisted {
					t.Errorf("message %s: %+v", id, by[id])
				}
			}
			// Failing writes: the refused send (t0), then a retry every
			// second from the session start (31 min) to its end (34 min).
			// Warnings: one at t0 and at most one a minute after 31 min.
			left, failed := ffs.leftovers()
			if n := logs.FilterMessageSnippet("storage failing").Len(); n < 1 || n > 5 || failed < 20*n {
				t.Errorf("%d storage warnings for %d failed writes, want 1 to 5 (at most one a minute)", n, failed)
			}
			if len(left) > 0 || failed == 0 {
				t.Errorf("%d failed writes left %v behind", failed, left)
			}
			ffs.set(nil)
			now := e.clk.Now()
			e.session(t, "g1", now.Add(31*time.Minute), 60, ip(5))
			if _, err := send(m, "g1", []byte("ok"), 2); err != nil {
				t.Fatal(err)
			}
			e.runUntil(t, now.Add(32*time.Minute))
			if h := m.Health(); h.Storage != multicast.StorageOK || len(e.sim.AirLog()) != 1 {
				t.Fatalf("after recovery: %+v, %d frames", h, len(e.sim.AirLog()))
			}
		})
	}
}
