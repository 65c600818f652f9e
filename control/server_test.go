package control_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"os"
	"os/user"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/apierr"
	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/control"
	"github.com/lgwagent/lgw/control/controltest"
)

// bound is how long a test waits for something that must happen; it only
// ends a broken test, no test passes by waiting.
const bound = 10 * time.Second

func dial(t *testing.T, path string) *control.Client {
	t.Helper()
	c, err := control.Dial(context.Background(), path)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func call(t *testing.T, c *control.Client, cmd string, args, result any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	defer cancel()
	if err := c.Call(ctx, cmd, args, result); err != nil {
		t.Fatalf("%s: %v", cmd, err)
	}
}

func TestEveryCommandRoundTrips(t *testing.T) {
	agent := controltest.Sample()
	_, path := controltest.Serve(t, agent)
	c := dial(t, path)

	var st control.Status
	call(t, c, control.CmdStatus, nil, &st)
	if !reflect.DeepEqual(st, agent.StatusV) {
		t.Errorf("status = %+v, want %+v", st, agent.StatusV)
	}
	var q []control.QueueItem
	call(t, c, control.CmdQueue, nil, &q)
	if !reflect.DeepEqual(q, agent.QueueV) {
		t.Errorf("queue = %+v, want %+v", q, agent.QueueV)
	}
	var g []control.Group
	call(t, c, control.CmdGroups, nil, &g)
	if !reflect.DeepEqual(g, agent.GroupsV) {
		t.Errorf("groups = %+v, want %+v", g, agent.GroupsV)
	}
	var ss []control.Session
	call(t, c, control.CmdSessions, nil, &ss)
	if !reflect.DeepEqual(ss, agent.SessionsV) {
		t.Errorf("sessions = %+v, want %+v", ss, agent.SessionsV)
	}
	var stats control.Stats
	call(t, c, control.CmdStats, nil, &stats)
	if !reflect.DeepEqual(stats, agent.StatsV) {
		t.Errorf("stats = %+v, want %+v", stats, agent.StatsV)
	}
	var lv control.LogLevelArgs
	call(t, c, control.CmdLogLevel, control.LogLevelArgs{Level: "debug"}, &lv)
	if lv.Level != "debug" || agent.Level != "debug" {
		t.Errorf("log-level: answer %q, agent level %q, want debug", lv.Level, agent.Level)
	}
	req := control.TxRequest{Freq: 869525000, Datr: "SF9BW125", Power: 14, Payload: []byte{1, 2, 3},
		At: control.At{Mode: control.AtCount, Count: 123456}}
	var res control.TxResult
	call(t, c, control.CmdTx, req, &res)
	if !res.Sent() || res.Size != 3 || res.Freq != req.Freq {
		t.Errorf("tx result = %+v", res)
	}
	if len(agent.TxRequests) != 1 || !reflect.DeepEqual(agent.TxRequests[0], req) {
		t.Errorf("agent got %+v, want %+v", agent.TxRequests, req)
	}
	var pong string
	call(t, c, control.CmdPing, nil, &pong)
	if pong != "pong" {
		t.Errorf("ping = %q", pong)
	}
}

func TestEmptyListsAreArrays(t *testing.T) {
	_, path := controltest.Serve(t, &controltest.Agent{})
	c := dial(t, path)
	for _, cmd := range []string{control.CmdQueue, control.CmdGroups, control.CmdSessions} {
		var raw json.RawMessage
		call(t, c, cmd, nil, &raw)
		if string(raw) != "[]" {
			t.Errorf("%s of nothing = %s, want []", cmd, raw)
		}
	}
}

func TestErrors(t *testing.T) {
	agent := controltest.Sample()
	agent.Err = map[string]error{control.CmdGroups: apierr.Newf(apierr.ResourceNotFound, "", "multicast is off"),
		control.CmdStats: errors.New("stats exploded")}
	_, path := controltest.Serve(t, agent)
	c := dial(t, path)
	tests := []struct {
		name     string
		cmd      string
		args     any
		wantType apierr.Kind
		wantMsg  string
	}{
		{"agent kind kept", control.CmdGroups, nil, apierr.ResourceNotFound, "multicast is off"},
		{"plain error is internal", control.CmdStats, nil, apierr.InternalServer, "stats exploded"},
		{"unknown command", "reboot", nil, apierr.Validation, `cmd "reboot": unknown command`},
		{"missing command", "", nil, apierr.Validation, "cmd: missing"},
		{"missing level", control.CmdLogLevel, control.LogLevelArgs{}, apierr.Validation, "level: missing"},
		{"bad level from agent", control.CmdLogLevel, control.LogLevelArgs{Level: "loud"}, apierr.Validation, "level"},
		{"log-level without args", control.CmdLogLevel, nil, apierr.Validation, "log-level: args"},
		{"tx without payload", control.CmdTx, control.TxRequest{Freq: 868100000, Datr: "SF7BW125"},
			apierr.Validation, "payload: empty"},
		{"tx bad at mode", control.CmdTx, map[string]any{"payload": "01", "at": map[string]any{"mode": "later"}},
			apierr.Validation, `at.mode "later"`},
		{"tx bad hex", control.CmdTx, map[string]any{"payload": "zz"}, apierr.Validation, "hex"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), bound)
			defer cancel()
			err := c.Call(ctx, tt.cmd, tt.args, nil)
			var ce *control.Error
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want a *control.Error", err)
			}
			if ce.Type != string(tt.wantType) || !strings.Contains(ce.Message, tt.wantMsg) {
				t.Errorf("err = %q %q, want %q containing %q", ce.Type, ce.Message, tt.wantType, tt.wantMsg)
			}
		})
	}
	// The connection still serves after errors.
	var st control.Status
	call(t, c, control.CmdStatus, nil, &st)
}

func rawLine(t *testing.T, path, line string) control.Response {
	t.Helper()
	conn, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte(line)); err != nil {
		t.Fatal(err)
	}
	var r control.Response
	if err := json.NewDecoder(conn).Decode(&r); err != nil {
		t.Fatalf("read response: %v", err)
	}
	return r
}

func TestMalformedLines(t *testing.T) {
	_, path := controltest.Serve(t, controltest.Sample())
	r := rawLine(t, path, "status\n")
	if r.OK || r.Error == nil || r.Error.Type != string(apierr.Validation) || !strings.Contains(r.Error.Message, "not a JSON object") {
		t.Errorf("non-JSON line: %+v", r.Error)
	}
	r = rawLine(t, path, `{"cmd":"status","args":"`+strings.Repeat("x", 70<<10)+"\"}\n")
	if r.OK || r.Error == nil || !strings.Contains(r.Error.Message, "longer than") {
		t.Errorf("long line: %+v", r.Error)
	}
	r = rawLine(t, path, `{"cmd":"ping"}`+"\n")
	if !r.OK || string(r.Result) != `"pong"` {
		t.Errorf("raw ping: %+v", r)
	}
	// A key given twice is refused, not last-wins.
	r = rawLine(t, path, `{"cmd":"ping","cmd":"status"}`+"\n")
	if r.OK || r.Error == nil || r.Error.Type != string(apierr.Validation) || !strings.Contains(r.Error.Message, "duplicate key") {
		t.Errorf("duplicate key: %+v", r)
	}
}

// blockingAgent's Status waits for its context and reports that it did.
type blockingAgent struct {
	*controltest.Agent
	entered chan struct{}
	ended   chan error
}

func (b *blockingAgent) Status(ctx context.Context) (control.Status, error) {
	b.entered <- struct{}{}
	<-ctx.Done()
	b.ended <- ctx.Err()
	return control.Status{}, ctx.Err()
}

func TestRequestDeadline(t *testing.T) {
	v := clock.NewVirtual(controltest.Epoch)
	agent := &blockingAgent{Agent: controltest.Sample(), entered: make(chan struct{}, 1), ended: make(chan error, 1)}
	_, path := controltest.Serve(t, agent, control.WithClock(v), control.WithRequestTimeout(3*time.Second),
		control.WithIdleTimeout(time.Hour))
	c := dial(t, path)
	errc := make(chan error, 1)
	go func() { errc <- c.Call(context.Background(), control.CmdStatus, nil, nil) }()
	waitFor(t, agent.entered, "agent entered Status")
	v.Advance(2 * time.Second)
	select {
	case err := <-errc:
		t.Fatalf("answered before the deadline: %v", err)
	default:
	}
	v.Advance(time.Second)
	err := recv(t, errc)
	var ce *control.Error
	if !errors.As(err, &ce) || ce.Type != string(apierr.InternalServer) || !strings.Contains(ce.Message, "no answer within 3s") {
		t.Fatalf("err = %v, want the deadline error", err)
	}
	if err := recv(t, agent.ended); !errors.Is(err, context.Canceled) {
		t.Errorf("agent context ended with %v", err)
	}
}

func waitFor(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(bound):
		t.Fatalf("timed out waiting: %s", what)
	}
}

func recv[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(bound):
		t.Fatal("timed out waiting for a value")
	}
	var zero T
	return zero
}

func TestTxWaitsForTheResult(t *testing.T) {
	agent := controltest.Sample()
	entered := make(chan struct{}, 1)
	release := make(chan control.TxResult)
	agent.Tx = func(ctx context.Context, req control.TxRequest) (control.TxResult, error) {
		entered <- struct{}{}
		select {
		case r := <-release:
			return r, nil
		case <-ctx.Done():
			return control.TxResult{}, ctx.Err()
		}
	}
	_, path := controltest.Serve(t, agent)
	c := dial(t, path)
	type answer struct {
		r   control.TxResult
		err error
	}
	done := make(chan answer, 1)
	go func() {
		var r control.TxResult
		err := c.Call(context.Background(), control.CmdTx, control.TxRequest{Freq: 868100000, Datr: "SF7BW125",
			Payload: []byte{0xca, 0xfe}}, &r)
		done <- answer{r, err}
	}()
	waitFor(t, entered, "agent entered TestTx")
	select {
	case a := <-done:
		t.Fatalf("tx answered before the scheduler's result: %+v", a)
	default:
	}
	release <- control.TxResult{Ref: "cli-7", Code: "TOO_LATE", Detail: "starts in 4ms, minimum lead 10ms"}
	a := recv(t, done)
	if a.err != nil || a.r.Code != "TOO_LATE" || a.r.Sent() || a.r.Detail == "" {
		t.Fatalf("answer = %+v, %v", a.r, a.err)
	}
}

func TestClientGoneCancelsTx(t *testing.T) {
	agent := controltest.Sample()
	entered := make(chan struct{}, 1)
	ended := make(chan error, 1)
	agent.Tx = func(ctx context.Context, req control.TxRequest) (control.TxResult, error) {
		entered <- struct{}{}
		<-ctx.Done()
		ended <- ctx.Err()
		return control.TxResult{}, ctx.Err()
	}
	_, path := controltest.Serve(t, agent)
	c := dial(t, path)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		errc <- c.Call(ctx, control.CmdTx, control.TxRequest{Freq: 868100000, Datr: "SF7BW125", Payload: []byte{1}}, nil)
	}()
	waitFor(t, entered, "agent entered TestTx")
	cancel() // Ctrl-C in lgw tx: the client closes the connection.
	if err := recv(t, errc); !errors.Is(err, context.Canceled) {
		t.Errorf("client err = %v, want context.Canceled", err)
	}
	if err := recv(t, ended); !errors.Is(err, context.Canceled) {
		t.Errorf("agent context ended with %v, want canceled", err)
	}
}

func TestTail(t *testing.T) {
	agent := controltest.Sample()
	unsub := make(chan struct{}, 1)
	agent.OnUnsubscribe = func() { unsub <- struct{}{} }
	_, path := controltest.Serve(t, agent)
	c := dial(t, path)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	subscribed := agent.NextSubscribe()
	got := make(chan control.Event, 4)
	errc := make(chan error, 1)
	go func() {
		errc <- c.Tail(ctx, func(ev control.Event) error { got <- ev; return nil })
	}()
	waitFor(t, subscribed, "tail subscribed")
	want := []control.Event{controltest.SampleUplink(), controltest.SampleReport()}
	for _, ev := range want {
		agent.Publish(ev)
	}
	for i, w := range want {
		ev := recv(t, got)
		if !reflect.DeepEqual(ev, w) {
			t.Errorf("event %d = %+v, want %+v", i, ev, w)
		}
	}
	cancel()
	if err := recv(t, errc); err != nil {
		t.Errorf("tail after Ctrl-C = %v, want nil", err)
	}
	waitFor(t, unsub, "server ended the subscription when the client left")
}

func TestTailEndsWhenDaemonStops(t *testing.T) {
	agent := controltest.Sample()
	_, path := controltest.Serve(t, agent)
	c := dial(t, path)
	subscribed := agent.NextSubscribe()
	errc := make(chan error, 1)
	go func() {
		errc <- c.Tail(context.Background(), func(control.Event) error { return nil })
	}()
	waitFor(t, subscribed, "tail subscribed")
	agent.CloseSubscriptions()
	if err := recv(t, errc); !errors.Is(err, control.ErrStreamClosed) {
		t.Errorf("tail = %v, want ErrStreamClosed", err)
	}
}

func TestStopEndsTailAndRemovesSocket(t *testing.T) {
	agent := controltest.Sample()
	srv, path := controltest.Serve(t, agent)
	c := dial(t, path)
	subscribed := agent.NextSubscribe()
	errc := make(chan error, 1)
	go func() { errc <- c.Tail(context.Background(), func(control.Event) error { return nil }) }()
	waitFor(t, subscribed, "tail subscribed")
	srv.Stop()
	if err := recv(t, errc); !errors.Is(err, control.ErrStreamClosed) {
		t.Errorf("tail = %v, want ErrStreamClosed", err)
	}
	if agent.Subscribers() != 0 {
		t.Errorf("%d subscriptions left after Stop", agent.Subscribers())
	}
	if _, err := os.Lstat(path); !os.IsNotExist(err) {
		t.Errorf("socket file after Stop: %v", err)
	}
	_, err := control.Dial(context.Background(), path)
	var nr *control.NotRunningError
	if !errors.As(err, &nr) || !nr.Missing {
		t.Fatalf("dial after stop = %v, want NotRunningError (missing)", err)
	}
	want := "lgw daemon is not running (no socket at " + path + "): start it with systemctl start lgw"
	if err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
}

func TestMaxConns(t *testing.T) {
	_, path := controltest.Serve(t, controltest.Sample(), control.WithMaxConns(1))
	first := dial(t, path)
	call(t, first, control.CmdPing, nil, nil)
	second := dial(t, path)
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	defer cancel()
	err := second.Call(ctx, control.CmdPing, nil, nil)
	var ce *control.Error
	if !errors.As(err, &ce) || ce.Type != string(apierr.Throttling) || !strings.Contains(ce.Message, "at most 1") {
		t.Fatalf("second connection: %v, want ThrottlingException", err)
	}
	first.Close()
	// The slot comes back once the first connection is gone.
	for i := 0; ; i++ {
		c, err := control.Dial(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		err = c.Call(ctx, control.CmdPing, nil, nil)
		c.Close()
		if err == nil {
			break
		}
		if !errors.As(err, &ce) || ce.Type != string(apierr.Throttling) || ctx.Err() != nil {
			t.Fatalf("after the first closed: %v", err)
		}
	}
}

func TestIdleConnectionClosed(t *testing.T) {
	v := clock.NewVirtual(controltest.Epoch)
	_, path := controltest.Serve(t, controltest.Sample(), control.WithClock(v), control.WithIdleTimeout(time.Minute))
	c := dial(t, path)
	call(t, c, control.CmdPing, nil, nil)
	waitFor(t, v.BlockUntil(1), "server waits for the next request")
	v.Advance(time.Minute - time.Nanosecond)
	call(t, c, control.CmdPing, nil, nil) // not idle yet; the wait starts over
	waitFor(t, v.BlockUntil(1), "server waits for the next request")
	v.Advance(time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	defer cancel()
	if err := c.Call(ctx, control.CmdPing, nil, nil); err == nil {
		t.Fatal("idle connection still answers")
	}
}

func TestSocketFile(t *testing.T) {
	me, err := user.Current()
	if err != nil {
		t.Skip("no current user:", err)
	}
	grp, err := user.LookupGroupId(me.Gid)
	if err != nil {
		t.Skip("primary group has no name:", err)
	}
	path := controltest.SocketPath(t)
	srv := control.NewServer(path, grp.Name, controltest.Sample(), zap.NewNop())
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&os.ModeSocket == 0 || fi.Mode().Perm() != 0o660 {
		t.Errorf("socket mode %v, want socket 0660", fi.Mode())
	}
	if gid := fi.Sys().(*syscall.Stat_t).Gid; strconv.Itoa(int(gid)) != grp.Gid {
		t.Errorf("socket group %d, want %s", gid, grp.Gid)
	}
	if !control.Probe(path, bound) {
		t.Error("Probe of a live daemon = false")
	}

	// A second daemon on the same socket is refused and leaves it alone.
	again := control.NewServer(path, "", controltest.Sample(), zap.NewNop())
	if err := again.Start(context.Background()); err == nil || !strings.Contains(err.Error(), "another lgw daemon answers") {
		t.Fatalf("second server: %v", err)
	}
	if !control.Probe(path, bound) {
		t.Error("first daemon lost its socket")
	}
}

func TestStartErrors(t *testing.T) {
	agent := controltest.Sample()
	t.Run("unknown group", func(t *testing.T) {
		srv := control.NewServer(controltest.SocketPath(t), "no-such-group-lgw", agent, zap.NewNop())
		err := srv.Start(context.Background())
		if err == nil || !strings.Contains(err.Error(), `control.group "no-such-group-lgw"`) {
			t.Fatalf("err = %v, want one naming the group", err)
		}
	})
	t.Run("not a socket", func(t *testing.T) {
		path := controltest.SocketPath(t)
		if err := os.WriteFile(path, []byte("keep me"), 0o600); err != nil {
			t.Fatal(err)
		}
		err := control.NewServer(path, "", agent, zap.NewNop()).Start(context.Background())
		if err == nil || !strings.Contains(err.Error(), "not a socket") {
			t.Fatalf("err = %v", err)
		}
		if b, _ := os.ReadFile(path); string(b) != "keep me" {
			t.Error("a regular file was touched")
		}
	})
	t.Run("empty path", func(t *testing.T) {
		err := control.NewServer("", "", agent, zap.NewNop()).Start(context.Background())
		if err == nil || !strings.Contains(err.Error(), "control.socket") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("bad limits", func(t *testing.T) {
		err := control.NewServer(controltest.SocketPath(t), "", agent, zap.NewNop(), control.WithMaxConns(0)).
			Start(context.Background())
		if err == nil {
			t.Fatal("max conns 0 accepted")
		}
	})
}

func TestStaleSocketReplaced(t *testing.T) {
	path := controltest.SocketPath(t)
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close() // a crashed daemon's leftover: the file stays, nobody listens.

	_, err = control.Dial(context.Background(), path)
	var nr *control.NotRunningError
	if !errors.As(err, &nr) || nr.Missing || !strings.Contains(err.Error(), "nothing listens on "+path) {
		t.Fatalf("dial of a stale socket = %v", err)
	}
	if control.Probe(path, bound) {
		t.Error("Probe of a stale socket = true")
	}
	srv := control.NewServer(path, "", controltest.Sample(), zap.NewNop())
	if err := srv.Start(context.Background()); err != nil {
		t.Fatalf("start over a stale socket: %v", err)
	}
	defer srv.Stop()
	c := dial(t, path)
	call(t, c, control.CmdPing, nil, nil)
}

func TestProbeMissing(t *testing.T) {
	if control.Probe(controltest.SocketPath(t), bound) {
		t.Error("Probe of a missing socket = true")
	}
}
