package multicast

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lgwagent/lgw/apierr"
	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/scheduler"
)

// nopTx refuses every frame: the fuzz target exercises loading only.
type nopTx struct{}

func (nopTx) Schedule(scheduler.Request) error {
	return scheduler.Refuse(scheduler.TxFailed, "fuzz")
}
func (nopTx) Cancel(string) bool { return false }

// FuzzStoreLoad writes arbitrary store files (framed with a valid header,
// so the JSON and the checks behind it are reached, or raw) and opens the
// store: Open never fails or panics on content, the manager either runs
// or is degraded, and every operation's error is an *apierr.Error.
func FuzzStoreLoad(f *testing.F) {
	seeds := []string{
		`{"groups":[{"id":"g1","region":"EU868","class":"ClassC","mcAddr":"01020304","nwkSKey":"000102030405060708090a0b0c0d0e0f","appSKey":"f0e0d0c0b0a090807060504030201000","firstFCnt":0,"fcntLimit":64,"session":{"start":"2026-03-01T12:31:00Z","dr":5,"freq":869525000,"timeout":128}}],"nextSeq":3}`,
		`{"messages":[{"id":"m1","group":"g1","seq":1,"payload":"AQID","fport":2,"inFlight":true,"fcnt":7}],"nextSeq":2}`,
		`{"fcnt":[{"keyId":"0123456789abcdef01234567","limit":128}],"nextSeq":5,"pending":[{"seq":1,"id":"m1","group":"g1"}]}`,
		`{"groups":[{"id":"g1","region":"XX","class":"ClassZ","mcAddr":"zz"}]}`,
		`{"messages":[null]}`, `{"fcnt":[{"keyId":"x","limit":99999999999}]}`, `{}`, `null`, `[]`, ``,
	}
	for _, s := range seeds {
		for file := uint8(0); file < 3; file++ {
			f.Add(file, true, []byte(s))
		}
		f.Add(uint8(0), false, []byte(s))
	}
	f.Fuzz(func(t *testing.T, file uint8, framed bool, data []byte) {
		dir := t.TempDir()
		name := storeFiles[int(file)%len(storeFiles)]
		kinds := map[string]string{groupsFile: "groups", queueFile: "queue", ledgerFile: "ledger"}
		b := data
		if framed {
			b = encodeStore(kinds[name], data)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
		clk := clock.NewVirtual(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
		m, err := Open(Config{Dir: dir, Clock: clk, Tx: nopTx{}})
		if err != nil {
			t.Fatalf("Open failed on content: %v", err)
		}
		ctx := context.Background()
		if err := m.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer m.Stop()
		check := func(err error) {
			var ae *apierr.Error
			if err != nil && !errors.As(err, &ae) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
		}
		_, err = m.ListMulticastGroups(ctx)
		check(err)
		_, err = m.GetMulticastGroup(ctx, GroupIDInput{Id: "g1"})
		check(err)
		_, err = m.ResetMulticastStore(ctx)
		check(err)
		_, err = m.SendDataToMulticastGroup(ctx, SendDataInput{Id: "g1", PayloadData: "AQID"})
		check(err)
		if h := m.Health(); h.Degraded {
			t.Fatalf("still degraded after a reset: %+v", h)
		}
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		check(m.Settle(sctx))
	})
}
