// Package mqtttest runs an in-process broker (mochi, over TCP on
// 127.0.0.1) for tests, collects the messages it sees and makes TLS
// certificates.
package mqtttest

import (
	"sync"
	"testing"
	"time"

	"github.com/lgwagent/lgw/mqtt/broker"
)

// Broker is a test broker; it stops at the end of the test.
type Broker struct {
	*broker.Broker
	tb testing.TB
}

// Start starts a broker on 127.0.0.1:0 (opts.Addr empty) with a discard
// logger.
func Start(tb testing.TB, opts broker.Options) *Broker {
	tb.Helper()
	b, err := broker.Start(opts)
	if err != nil {
		tb.Fatalf("mqtttest: %v", err)
	}
	tb.Cleanup(func() { _ = b.Stop() })
	return &Broker{Broker: b, tb: tb}
}

// Collect subscribes to filter and returns the collector of its messages.
func (b *Broker) Collect(filter string) *Collector {
	b.tb.Helper()
	c := &Collector{tb: b.tb, ch: make(chan struct{}, 1)}
	if err := b.Subscribe(filter, c.add); err != nil {
		b.tb.Fatalf("mqtttest: subscribe %q: %v", filter, err)
	}
	return c
}

// MustPublish publishes or fails the test.
func (b *Broker) MustPublish(topic string, payload string) {
	b.tb.Helper()
	if err := b.Publish(topic, []byte(payload), false); err != nil {
		b.tb.Fatalf("mqtttest: publish %q: %v", topic, err)
	}
}

// MustRestart stops the broker and starts a new one on the same address.
func (b *Broker) MustRestart() {
	b.tb.Helper()
	if err := b.Stop(); err != nil {
		b.tb.Fatalf("mqtttest: stop: %v", err)
	}
	if err := b.Restart(); err != nil {
		b.tb.Fatalf("mqtttest: restart: %v", err)
	}
}

// Collector keeps the messages of one subscription.
type Collector struct {
	tb   testing.TB
	mu   sync.Mutex
	msgs []broker.Message
	ch   chan struct{}
}

func (c *Collector) add(m broker.Message) {
	c.mu.Lock()
	c.msgs = append(c.msgs, m)
	c.mu.Unlock()
	select {
	case c.ch <- struct{}{}:
	default:
	}
}

// All returns a copy of the messages so far.
func (c *Collector) All() []broker.Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]broker.Message(nil), c.msgs...)
}

// Wait waits up to timeout for a message satisfying match (among all
// messages so far, oldest first) and returns it; it fails the test on
// timeout.
func (c *Collector) Wait(timeout time.Duration, what string, match func(broker.Message) bool) broker.Message {
	c.tb.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		for _, m := range c.All() {
			if match(m) {
				return m
			}
		}
		select {
		case <-c.ch:
		case <-deadline.C:
			c.tb.Fatalf("mqtttest: no %s within %v (saw %d messages)", what, timeout, len(c.All()))
			return broker.Message{}
		}
	}
}

// WaitN waits for at least n messages and returns them.
func (c *Collector) WaitN(timeout time.Duration, n int) []broker.Message {
	c.tb.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		if all := c.All(); len(all) >= n {
			return all
		}
		select {
		case <-c.ch:
		case <-deadline.C:
			c.tb.Fatalf("mqtttest: %d messages within %v, want %d", len(c.All()), timeout, n)
			return nil
		}
	}
}

// Any matches every message.
func Any(broker.Message) bool { return true }
