// Package broker embeds a mochi MQTT broker for the demo and the tests.
// It is the only package that imports mochi; the daemon (cmd/lgw) must
// never import it.
package broker

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"

	mochi "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/hooks/auth"
	"github.com/mochi-mqtt/server/v2/listeners"
	"github.com/mochi-mqtt/server/v2/packets"
)

// Options configures a broker.
type Options struct {
	// Addr is the TCP address to listen on; default 127.0.0.1:0.
	Addr string
	// TLS, when set, makes the listener a TLS one (set ClientAuth for
	// mutual TLS).
	TLS *tls.Config
	// Users, when set, requires one of these username/password pairs.
	Users map[string]string
	// Logger receives mochi's logs; nil discards them.
	Logger *slog.Logger
}

// Message is a message seen by a subscription.
type Message struct {
	Topic   string
	Payload []byte
	Retain  bool
	QoS     byte
}

// Broker is an embedded broker that can be stopped and restarted on the
// same address.
type Broker struct {
	opts Options

	mu     sync.Mutex
	srv    *mochi.Server
	addr   string
	subs   []sub
	nextID int
	gate   *gate
}

// gate is a hook that refuses connections from blocked client IDs.
type gate struct {
	mochi.HookBase
	mu      sync.Mutex
	blocked map[string]bool
}

func (g *gate) ID() string { return "lgw-gate" }

func (g *gate) Provides(b byte) bool { return b == mochi.OnConnect }

func (g *gate) OnConnect(cl *mochi.Client, _ packets.Packet) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.blocked[cl.ID] {
		return packets.ErrServerUnavailable
	}
	return nil
}

type sub struct {
	filter string
	id     int
	fn     func(Message)
}

// Start starts a broker.
func Start(opts Options) (*Broker, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	b := &Broker{opts: opts, addr: opts.Addr, gate: &gate{blocked: map[string]bool{}}}
	if err := b.start(); err != nil {
		return nil, err
	}
	return b, nil
}

func (b *Broker) start() error {
	srv := mochi.New(&mochi.Options{InlineClient: true, Logger: b.opts.Logger})
	var err error
	if b.opts.Users != nil {
		var rules auth.AuthRules
		for u, p := range b.opts.Users {
			rules = append(rules, auth.AuthRule{Username: auth.RString(u), Password: auth.RString(p), Allow: true})
		}
		err = srv.AddHook(new(auth.Hook), &auth.Options{Ledger: &auth.Ledger{Auth: rules}})
	} else {
		err = srv.AddHook(new(auth.AllowHook), nil)
	}
	if err != nil {
		return fmt.Errorf("broker: auth hook: %w", err)
	}
	if err := srv.AddHook(b.gate, nil); err != nil {
		return fmt.Errorf("broker: gate hook: %w", err)
	}
	// The subscriptions come back before the broker serves: a client
	// reconnecting at once after a Restart would otherwise publish before
	// they exist, and the broker would drop those messages.
	b.srv = srv
	for _, s := range b.subs {
		if err := b.inline(s); err != nil {
			b.srv = nil
			return err
		}
	}
	l := tcpListener{TCP: listeners.NewTCP(listeners.Config{ID: "tcp", Address: b.addr, TLSConfig: b.opts.TLS}), srv: srv}
	if err := srv.AddListener(l); err != nil {
		b.srv = nil
		return fmt.Errorf("broker: listen on %s: %w", b.addr, err)
	}
	if err := srv.Serve(); err != nil {
		_ = srv.Close()
		b.srv = nil
		return fmt.Errorf("broker: serve: %w", err)
	}
	b.addr = l.Address()
	return nil
}

func (b *Broker) inline(s sub) error {
	return b.srv.Subscribe(s.filter, s.id, func(_ *mochi.Client, _ packets.Subscription, pk packets.Packet) {
		s.fn(Message{Topic: pk.TopicName, Payload: append([]byte(nil), pk.Payload...), Retain: pk.FixedHeader.Retain, QoS: pk.FixedHeader.Qos})
	})
}

// Addr returns the listening address (host:port).
func (b *Broker) Addr() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.addr
}

// URL returns tcp://addr, or ssl://addr for a TLS broker.
func (b *Broker) URL() string {
	if b.opts.TLS != nil {
		return "ssl://" + b.Addr()
	}
	return "tcp://" + b.Addr()
}

// Subscribe calls fn for every message matching filter (retained ones
// included); the subscription survives Restart. fn must not block long.
func (b *Broker) Subscribe(filter string, fn func(Message)) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.nextID++
	s := sub{filter: filter, id: b.nextID, fn: fn}
	b.subs = append(b.subs, s)
	if b.srv == nil {
		return nil
	}
	return b.inline(s)
}

// Publish publishes a message as the broker's inline client.
func (b *Broker) Publish(topic string, payload []byte, retain bool) error {
	b.mu.Lock()
	srv := b.srv
	b.mu.Unlock()
	if srv == nil {
		return errors.New("broker: stopped")
	}
	return srv.Publish(topic, payload, retain, 1)
}

// Disconnect closes a client's network connection from the broker side,
// as a network failure would, so its will is published. It closes the raw
// connection only: mochi's Client.Stop also marks the client closed, and a
// read loop that sees that mark first ends as a clean disconnect and drops
// the will.
func (b *Broker) Disconnect(clientID string) error {
	b.mu.Lock()
	srv := b.srv
	b.mu.Unlock()
	if srv == nil {
		return errors.New("broker: stopped")
	}
	cl, ok := srv.Clients.Get(clientID)
	if !ok {
		return fmt.Errorf("broker: no client %q", clientID)
	}
	if cl.Net.Conn == nil {
		return fmt.Errorf("broker: client %q has no connection", clientID)
	}
	if err := cl.Net.Conn.Close(); err != nil {
		return fmt.Errorf("broker: close %q: %w", clientID, err)
	}
	return nil
}

// Block refuses new connections from clientID until Unblock (the
// connection is dropped before CONNACK); an existing connection stays.
func (b *Broker) Block(clientID string) {
	b.gate.mu.Lock()
	b.gate.blocked[clientID] = true
	b.gate.mu.Unlock()
}

// Unblock accepts clientID again.
func (b *Broker) Unblock(clientID string) {
	b.gate.mu.Lock()
	delete(b.gate.blocked, clientID)
	b.gate.mu.Unlock()
}

// Connected reports whether a client with that ID is connected.
func (b *Broker) Connected(clientID string) bool {
	b.mu.Lock()
	srv := b.srv
	b.mu.Unlock()
	if srv == nil {
		return false
	}
	cl, ok := srv.Clients.Get(clientID)
	return ok && !cl.Closed()
}

// tcpListener is mochi's TCP listener but for how Close finds the clients
// to disconnect: mochi v2.7.9 finds them with Clients.GetByListener, which
// takes the clients' read lock twice, so a session ending in between
// (Clients.Delete queues for the write lock) deadlocks both. Stop hung
// that way once in make test (TestLateWillRepaired, 8 minutes).
type tcpListener struct {
	*listeners.TCP
	srv *mochi.Server
}

// Close stops accepting and disconnects the listener's clients, found with
// one read lock (Clients.GetAll).
func (l tcpListener) Close(listeners.CloseFn) {
	l.TCP.Close(func(id string) {
		for _, cl := range l.srv.Clients.GetAll() {
			if cl.Net.Listener == id && !cl.Closed() {
				_ = l.srv.DisconnectClient(cl, packets.ErrServerShuttingDown)
			}
		}
	})
}

// Stop stops the broker and frees its port; retained messages are lost.
func (b *Broker) Stop() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.srv == nil {
		return nil
	}
	err := b.srv.Close()
	b.srv = nil
	return err
}

// Restart starts a new broker on the same address, with the same
// subscriptions.
func (b *Broker) Restart() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.srv != nil {
		return errors.New("broker: still running")
	}
	return b.start()
}
