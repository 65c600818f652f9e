package multicast

import (
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/hal"
	"github.com/lgwagent/lgw/scheduler"
)

// Transmitter is what the manager needs of the TX scheduler: Schedule
// refuses synchronously with a *scheduler.RefusalError or, after nil, calls
// the request's Done exactly once later; Cancel withdraws an item not yet
// handed to the chip and reports whether it did.
type Transmitter interface {
	Schedule(req scheduler.Request) error
	Cancel(ref string) bool
}

// Defaults of Config.
const (
	DefaultMinStartLead  = 30 * time.Minute
	DefaultMaxStartAhead = 48 * time.Hour
	DefaultFCntReserve   = 64
	DefaultMaxQueue      = 128
	DefaultRetryDelay    = time.Second
	DefaultClassBLead    = time.Second
)

// Config configures a Manager. Zero fields take the defaults noted.
type Config struct {
	// Dir is the storage directory (required); it is created if missing.
	Dir string
	// Clock is the time source (default clock.Real()).
	Clock clock.Clock
	// Tx is the scheduler the frames go to (required).
	Tx Transmitter
	// Reports receives the one Report every accepted message ends in. It
	// is called from the manager's goroutine and must not block for long.
	Reports func(Report)
	// Log is the logger (default zap.NewNop()).
	Log *zap.Logger
	// MinStartLead is how far after now a session may start at the
	// earliest (default 30 min, the seed's rule); MaxStartAhead how far
	// ahead at the latest (default 48 h).
	MinStartLead, MaxStartAhead time.Duration
	// FCntReserve is how many frame counters are reserved on disk at a
	// time (default 64): after a power cut at most that many are skipped,
	// none is reused.
	FCntReserve uint32
	// MaxQueue is the most messages a group may have queued (default 128).
	MaxQueue int
	// RetryDelay is the wait before a message refused for a transient
	// reason (QUEUE_FULL, GPS_UNLOCKED) is submitted again (default 1 s).
	RetryDelay time.Duration
	// ClassBLead is the least time between now and the ping slot a class B
	// message is submitted for (default 1 s), so the scheduler has room.
	ClassBLead time.Duration
	// TxPower is the RF power in dBm; 0 takes the region's downlink power
	// for the frequency (brocaar band GetDownlinkTXPower).
	TxPower int8
	// RFChain is the radio to transmit on (default 0).
	RFChain uint8
	// FS is the file system of the store (default OSFS). The directory
	// lock is taken only on OSFS.
	FS FS
	// Region, when set, is the gateway's region: a group of another
	// RfRegion is refused (it could never be sent).
	Region string
	// OnHealth, when set, is called with the store's health when its
	// condition changes (degraded, reset, storage failing or writable
	// again). It is called with the manager's lock held: it must not
	// block or call the manager.
	OnHealth func(Health)
	// LateRetries is how many times a frame that reached the chip too
	// late and was never emitted (scheduler.ErrLateHandoff) is sent again,
	// same frame counter, at the next opportunity in its session window
	// (0: never; at most MaxLateRetries). The config file's default is
	// DefaultLateRetries.
	LateRetries int
}

// Limits of Config.
const (
	// MaxTxPower is the highest multicast power in dBm (0: the region's).
	MaxTxPower = 36
	// MaxLateRetries is the most Config.LateRetries; DefaultLateRetries
	// the config file's default.
	MaxLateRetries     = 10
	DefaultLateRetries = 3
)

// Validate checks the settings as given (Tx, Clock, Log and the callbacks
// are checked by Open), naming the configuration key of the first bad one
// ("multicast.max_start_ahead"). `lgw config check` and Open both call it.
func (c *Config) Validate() error {
	bad := func(key string, v any, allowed string) error {
		return &hal.FieldError{Field: key, Value: v, Allowed: allowed}
	}
	switch {
	case c.Dir == "":
		return bad("storage.dir", `""`, "a directory path")
	case c.MinStartLead < 0:
		return bad("multicast.min_start_lead", c.MinStartLead, "0 or more")
	case c.MaxStartAhead < 0:
		return bad("multicast.max_start_ahead", c.MaxStartAhead, "0 or more")
	case c.MaxStartAhead != 0 && c.MaxStartAhead <= c.MinStartLead:
		return bad("multicast.max_start_ahead", c.MaxStartAhead, fmt.Sprintf("longer than min_start_lead %v", c.MinStartLead))
	case c.RetryDelay < 0 || c.ClassBLead < 0:
		return bad("multicast.retry_delay", c.RetryDelay, "durations of 0 or more")
	case c.MaxQueue < 0:
		return bad("multicast.max_queue", c.MaxQueue, "0 or more")
	case c.LateRetries < 0 || c.LateRetries > MaxLateRetries:
		return bad("multicast.late_retries", c.LateRetries, fmt.Sprintf("0 to %d", MaxLateRetries))
	case c.TxPower < 0 || c.TxPower > MaxTxPower:
		return bad("multicast.tx_power", c.TxPower, fmt.Sprintf("0 (region default) to %d dBm", MaxTxPower))
	}
	return nil
}

func (c *Config) setDefaults() {
	if c.Clock == nil {
		c.Clock = clock.Real()
	}
	if c.Log == nil {
		c.Log = zap.NewNop()
	}
	if c.Reports == nil {
		c.Reports = func(Report) {}
	}
	if c.MinStartLead == 0 {
		c.MinStartLead = DefaultMinStartLead
	}
	if c.MaxStartAhead == 0 {
		c.MaxStartAhead = DefaultMaxStartAhead
	}
	if c.FCntReserve == 0 {
		c.FCntReserve = DefaultFCntReserve
	}
	if c.MaxQueue == 0 {
		c.MaxQueue = DefaultMaxQueue
	}
	if c.RetryDelay == 0 {
		c.RetryDelay = DefaultRetryDelay
	}
	if c.ClassBLead == 0 {
		c.ClassBLead = DefaultClassBLead
	}
	if c.FS == nil {
		c.FS = OSFS{}
	}
}
