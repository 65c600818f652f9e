package mqtt

import (
	"encoding/json"
	"fmt"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"go.uber.org/zap"

	"github.com/lgwagent/lgw/clock"
)

// pending is an event handed to paho, waiting for its PUBACK. Paho keeps
// it in its ordered store across a reconnect and resends it.
type pending struct {
	ev  event
	tok paho.Token
}

// linkLoop is the only goroutine that publishes (the offline will aside):
// after each connection it subscribes and publishes the online state, then
// moves events from the buffer to paho, at most publishWindow unacknowledged
// at a time, in order. On Stop it drains for the drain timeout, then
// publishes the offline state.
func (c *Client) linkLoop() {
	defer c.linkWG.Done()
	var (
		inflight []pending
		setup    bool
		retry    clock.Timer
		retryC   <-chan time.Time
		stopC    = c.stopLink
		stopping bool
		drain    clock.Timer
		drainC   <-chan time.Time
	)
	defer func() {
		if retry != nil {
			retry.Stop()
		}
		if drain != nil {
			drain.Stop()
		}
	}()
loop:
	for {
		if setup && !stopping && c.pc.IsConnectionOpen() {
			if err := c.subscribe(); err != nil {
				c.log.Warn("subscribe failed, retrying", zap.String("topic", c.topics.cmdFilter), zap.Error(err))
				if retry == nil {
					retry = c.net.NewTimer(time.Second)
				} else {
					retry.Reset(time.Second)
				}
				retryC = retry.C()
			} else {
				setup = false
				c.mu.Lock()
				c.stateDirty = true
				c.mu.Unlock()
				c.linkUp.Store(true)
				c.log.Info("link up", zap.String("commands", c.topics.cmdFilter), zap.Int("buffered", c.buf.len()))
			}
		}
		up := c.linkUp.Load() && c.pc.IsConnectionOpen()
		if up && !stopping {
			c.publishState()
		}
		for up && len(inflight) < publishWindow {
			ev, ok := c.nextEvent()
			if !ok {
				break
			}
			inflight = append(inflight, pending{ev: ev, tok: c.pc.Publish(ev.topic, 1, false, ev.payload)})
		}
		if stopping && (!up || len(inflight) == 0 && c.buf.len() == 0 && c.spoolStats().Depth == 0) {
			break
		}
		var head <-chan struct{}
		if len(inflight) > 0 {
			head = inflight[0].tok.Done()
		}
		select {
		case <-c.connected:
			setup = true
		case <-c.wake:
		case <-head:
			inflight = c.complete(inflight)
		case <-retryC:
			retryC = nil
		case <-stopC:
			stopC, stopping = nil, true
			drain = c.net.NewTimer(c.opts.drainTimeout)
			drainC = drain.C()
		case <-drainC:
			break loop
		}
	}
	if len(inflight) > 0 {
		c.log.Warn("stopping with publications unacknowledged", zap.Int("events", len(inflight)))
	}
	if c.pc.IsConnectionOpen() {
		c.mu.Lock()
		b, err := c.stateJSON(false, c.clk.Now())
		c.mu.Unlock()
		if err == nil {
			tok := c.pc.Publish(c.topics.state, 1, true, b)
			if !tok.WaitTimeout(offlineWait) || tok.Error() != nil {
				c.log.Warn("offline state not acknowledged", zap.Error(tok.Error()))
			}
		}
	}
	c.linkUp.Store(false)
}

// complete takes the acknowledged events off the head of inflight; failed
// ones go back to the front of the buffer, in order, for the next try.
func (c *Client) complete(inflight []pending) []pending {
	var failed []event
	i := 0
	for ; i < len(inflight); i++ {
		select {
		case <-inflight[i].tok.Done():
		default:
			goto done
		}
		ev := inflight[i].ev
		if err := inflight[i].tok.Error(); err != nil {
			c.publishErrors.Add(1)
			c.log.Debug("publish failed, will retry", zap.String("topic", ev.topic), zap.Error(err))
			if ev.spooled != 0 {
				c.spool.done(ev.spooled, false)
			} else {
				failed = append(failed, ev)
			}
			continue
		}
		if ev.spooled != 0 {
			c.spool.done(ev.spooled, true)
		}
		c.published[ev.kind].Add(1)
	}
done:
	for j := len(failed) - 1; j >= 0; j-- {
		c.buf.putBack(failed[j])
	}
	return inflight[i:]
}

// nextEvent takes the next event to publish: the spool's reports and
// responses first (they matter most and are the oldest after a restart),
// then the memory buffer.
func (c *Client) nextEvent() (event, bool) {
	if c.spool != nil {
		if ev, ok := c.spool.next(); ok {
			return ev, true
		}
	}
	return c.buf.next()
}

// subscribe subscribes to the command topics (again after every
// connection: the session is clean, so the broker forgets them) and to the
// client's own state topic, to repair it when a will arrives late.
func (c *Client) subscribe() error {
	filters := map[string]byte{c.topics.cmdFilter: 1, c.topics.state: 1}
	tok := c.pc.SubscribeMultiple(filters, c.route)
	if !tok.WaitTimeout(subscribeWait) {
		return fmt.Errorf("no SUBACK within %v", subscribeWait)
	}
	if err := tok.Error(); err != nil {
		return err
	}
	if st, ok := tok.(*paho.SubscribeToken); ok {
		for f := range filters {
			if code := st.Result()[f]; code == 0x80 {
				return fmt.Errorf("broker refused the subscription to %s (not authorised?)", f)
			}
		}
	}
	return nil
}

// route sends state messages to onState and the rest to onMessage.
func (c *Client) route(pc paho.Client, m paho.Message) {
	if m.Topic() == c.topics.state {
		c.onState(m.Payload())
		return
	}
	c.onMessage(pc, m)
}

// onState republishes the online state when an offline one shows up while
// the link is up: a broker may publish the will of a dead connection after
// the new connection's online state (it happens on a fast reconnect), and
// the retained state must not stay "offline" while the gateway is online.
// It runs on paho's router and only sets a flag.
func (c *Client) onState(payload []byte) {
	var s State
	if json.Unmarshal(payload, &s) != nil || s.Online || c.ctx.Err() != nil || !c.linkUp.Load() {
		return
	}
	c.log.Info("offline state seen while online (late will), republishing the online state")
	c.mu.Lock()
	c.stateDirty = true
	c.mu.Unlock()
	signal(c.wake)
}

// publishState publishes the retained online state when it changed or the
// link came up.
func (c *Client) publishState() {
	c.mu.Lock()
	if !c.stateDirty {
		c.mu.Unlock()
		return
	}
	c.stateDirty = false
	b, err := c.stateJSON(true, c.clk.Now())
	c.mu.Unlock()
	if err != nil {
		c.log.Error("encode state", zap.Error(err))
		return
	}
	tok := c.pc.Publish(c.topics.state, 1, true, b)
	if !tok.WaitTimeout(stateWait) || tok.Error() != nil {
		c.log.Warn("online state not acknowledged, will retry", zap.Error(tok.Error()))
		c.mu.Lock()
		c.stateDirty = true
		c.mu.Unlock()
	}
}
