package mqtt

import (
	"encoding/json"
	"time"

	"go.uber.org/zap"
)

// Spool batching: the flush loop fsyncs every spoolSyncEvery, or sooner
// once spoolSyncRecords records wait.
const (
	spoolSyncEvery = 100 * time.Millisecond
	spoolWarnEvery = time.Minute
	// maxLostIDs bounds the MessageIds named in one loss message.
	maxLostIDs = 100
)

// TypeReportsLost is the type of the message published on the down topic
// when the spool's bound dropped reports or responses.
const TypeReportsLost = "reports_lost"

// ReportsLost is the params object of a reports_lost message.
type ReportsLost struct {
	// Count is the number of records dropped; MessageIds names them
	// (reports by MessageId, responses as "request:RequestId"), at most
	// 100.
	Count      int      `json:"count"`
	MessageIds []string `json:"message_ids"`
	// Reason says why.
	Reason string `json:"reason"`
}

// syncLoop fsyncs the spool in batches (power-cut durability; a process
// crash loses nothing that was written). It sleeps until something is
// written, so an idle gateway does not wake for it.
func (c *Client) syncLoop() {
	defer c.syncWG.Done()
	for {
		select {
		case <-c.stopSync:
			return // close syncs what is left
		case <-c.spool.pending:
		}
		if !c.waitBatch() {
			return
		}
		if err := c.spool.sync(); err != nil {
			c.spoolFailed(err)
		}
	}
}

// waitBatch waits until the batch opened by a write is due: spoolSyncEvery
// after it opened, or at once when spoolSyncRecords records wait. It
// reports false when the client stops first.
func (c *Client) waitBatch() bool {
	t := c.net.NewTimer(spoolSyncEvery)
	defer t.Stop()
	for !c.spool.needSync() {
		select {
		case <-c.stopSync:
			return false
		case <-t.C():
			return true
		case <-c.spool.pending:
		}
	}
	return true
}

// spoolFailed logs a spool failure at most once a minute.
func (c *Client) spoolFailed(err error) {
	now := c.net.Now()
	c.mu.Lock()
	due := c.spoolWarned.IsZero() || now.Sub(c.spoolWarned) >= spoolWarnEvery
	if due {
		c.spoolWarned = now
	}
	c.mu.Unlock()
	if due {
		c.log.Warn("report spool failing; reports wait in memory (a crash would lose them)", zap.Error(err))
	}
}

// reportLoss logs and publishes the records the spool's bound dropped.
func (c *Client) reportLoss(ids []string) {
	named := ids
	if len(named) > maxLostIDs {
		named = named[:maxLostIDs]
	}
	c.log.Error("report spool full: oldest reports dropped", zap.Int("count", len(ids)), zap.Strings("ids", named))
	params, err := json.Marshal(ReportsLost{Count: len(ids), MessageIds: named,
		Reason: "the report spool exceeded its bound (mqtt.spool_max) while the broker was unreachable"})
	if err != nil {
		return
	}
	b, err := json.Marshal(Message{Type: TypeReportsLost, Meta: Meta{Gateway: c.gw, Time: UnixTime(c.clk.Now())}, Params: params})
	if err != nil {
		return
	}
	// Memory only (the spool is what is full), evicted after uplinks.
	c.buf.add(kindResponse, c.topics.down, b)
}

func (c *Client) spoolStats() SpoolStats {
	if c.spool == nil {
		return SpoolStats{}
	}
	return c.spool.stats()
}
