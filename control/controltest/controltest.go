// Package controltest holds test helpers for the control socket: an
// in-memory Agent whose answers tests set, and a helper that serves it on
// a real Unix socket in a temporary directory.
package controltest

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/apierr"
	"github.com/lgwagent/lgw/control"
)

// Agent is a control.Agent whose answers are the fields tests set. Its
// methods are safe for concurrent use; set fields before serving or under
// Lock/Unlock.
type Agent struct {
	sync.Mutex
	StatusV   control.Status
	QueueV    []control.QueueItem
	GroupsV   []control.Group
	SessionsV []control.Session
	StatsV    control.Stats
	// Err, if set for a command name, is returned by that method.
	Err map[string]error
	// Level is the log level SetLogLevel last set.
	Level string
	// Tx answers TestTx; nil answers SENT at tmst 1000000 with the
	// request's parameters.
	Tx func(ctx context.Context, req control.TxRequest) (control.TxResult, error)
	// TxRequests records every TestTx request.
	TxRequests []control.TxRequest
	// OnUnsubscribe, if set, is called when a subscription ends.
	OnUnsubscribe func()

	subs    map[chan control.Event]struct{}
	subscrb chan struct{}
}

var _ control.Agent = (*Agent)(nil)

func (a *Agent) err(cmd string) error {
	a.Lock()
	defer a.Unlock()
	return a.Err[cmd]
}

// Status implements control.Agent.
func (a *Agent) Status(context.Context) (control.Status, error) {
	if err := a.err(control.CmdStatus); err != nil {
		return control.Status{}, err
	}
	a.Lock()
	defer a.Unlock()
	return a.StatusV, nil
}

// Queue implements control.Agent.
func (a *Agent) Queue(context.Context) ([]control.QueueItem, error) {
	if err := a.err(control.CmdQueue); err != nil {
		return nil, err
	}
	a.Lock()
	defer a.Unlock()
	return a.QueueV, nil
}

// Groups implements control.Agent.
func (a *Agent) Groups(context.Context) ([]control.Group, error) {
	if err := a.err(control.CmdGroups); err != nil {
		return nil, err
	}
	a.Lock()
	defer a.Unlock()
	return a.GroupsV, nil
}

// Sessions implements control.Agent.
func (a *Agent) Sessions(context.Context) ([]control.Session, error) {
	if err := a.err(control.CmdSessions); err != nil {
		return nil, err
	}
	a.Lock()
	defer a.Unlock()
	return a.SessionsV, nil
}

// Stats implements control.Agent.
func (a *Agent) Stats(context.Context) (control.Stats, error) {
	if err := a.err(control.CmdStats); err != nil {
		return control.Stats{}, err
	}
	a.Lock()
	defer a.Unlock()
	return a.StatsV, nil
}

// SetLogLevel implements control.Agent: debug, info, warn and error are
// accepted, anything else is a Validation error naming "level".
func (a *Agent) SetLogLevel(_ context.Context, level string) error {
	if err := a.err(control.CmdLogLevel); err != nil {
		return err
	}
	switch level {
	case "debug", "info", "warn", "error":
	default:
		return apierr.Newf(apierr.Validation, "level", "%q: want debug, info, warn or error", level)
	}
	a.Lock()
	defer a.Unlock()
	a.Level = level
	return nil
}

// TestTx implements control.Agent.
func (a *Agent) TestTx(ctx context.Context, req control.TxRequest) (control.TxResult, error) {
	if err := a.err(control.CmdTx); err != nil {
		return control.TxResult{}, err
	}
	a.Lock()
	a.TxRequests = append(a.TxRequests, req)
	tx := a.Tx
	a.Unlock()
	if tx != nil {
		return tx(ctx, req)
	}
	return control.TxResult{Ref: "cli-1", Code: "SENT", Tmst: 1000000, Freq: req.Freq, Datr: req.Datr,
		Power: req.Power, Size: len(req.Payload)}, nil
}

// Subscribe implements control.Agent.
func (a *Agent) Subscribe(context.Context) (<-chan control.Event, func()) {
	a.Lock()
	defer a.Unlock()
	if a.subs == nil {
		a.subs = make(map[chan control.Event]struct{})
	}
	ch := make(chan control.Event, 16)
	a.subs[ch] = struct{}{}
	if a.subscrb != nil {
		close(a.subscrb)
		a.subscrb = nil
	}
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			a.Lock()
			defer a.Unlock()
			if _, ok := a.subs[ch]; ok {
				delete(a.subs, ch)
				close(ch)
			}
			if a.OnUnsubscribe != nil {
				a.OnUnsubscribe()
			}
		})
	}
}

// Subscribers returns the number of live subscriptions.
func (a *Agent) Subscribers() int {
	a.Lock()
	defer a.Unlock()
	return len(a.subs)
}

// NextSubscribe returns a channel closed at the next Subscribe call.
func (a *Agent) NextSubscribe() <-chan struct{} {
	a.Lock()
	defer a.Unlock()
	if a.subscrb == nil {
		a.subscrb = make(chan struct{})
	}
	return a.subscrb
}

// Publish sends ev to every subscriber; it blocks until each has room.
func (a *Agent) Publish(ev control.Event) {
	a.Lock()
	defer a.Unlock()
	for ch := range a.subs {
		ch <- ev
	}
}

// CloseSubscriptions ends every subscription, as an agent that stops.
func (a *Agent) CloseSubscriptions() {
	a.Lock()
	defer a.Unlock()
	for ch := range a.subs {
		delete(a.subs, ch)
		close(ch)
	}
}

// SocketPath returns a socket path in a fresh temporary directory,
// short enough for the 108-byte limit of Unix socket paths.
func SocketPath(t testing.TB) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "lgw.sock")
	if len(p) < 100 {
		return p
	}
	dir, err := os.MkdirTemp("", "lgw")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return filepath.Join(dir, "lgw.sock")
}

// Serve starts a control server for agent on a fresh socket and stops it
// when the test ends. It returns the server and its socket path.
func Serve(t testing.TB, agent control.Agent, opts ...control.Option) (*control.Server, string) {
	t.Helper()
	path := SocketPath(t)
	srv := control.NewServer(path, "", agent, zap.NewNop(), opts...)
	if err := srv.Start(context.Background()); err != nil {
		t.Fatalf("start control server: %v", err)
	}
	t.Cleanup(srv.Stop)
	return srv, path
}
