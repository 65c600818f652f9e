package mqtt

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"go.uber.org/zap"

	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/gateway"
)

// Defaults for the zero values of Config and the options.
const (
	DefaultTopicPrefix    = "lgw"
	DefaultKeepalive      = 30 * time.Second
	DefaultStatsInterval  = 30 * time.Second
	DefaultBufferSize     = 10000
	DefaultRateLimit      = 20
	DefaultRateBurst      = 40
	DefaultCommandTimeout = 10 * time.Second
	DefaultCommandQueue   = 64
	DefaultDrainTimeout   = 5 * time.Second
	// MaxBackoff caps the wait between connection attempts.
	MaxBackoff = 30 * time.Second
)

// Network waits, bounded (STYLE 5.5): a publish or subscribe whose
// acknowledgement takes longer is retried after the next connection.
const (
	connectTimeout  = 10 * time.Second
	writeTimeout    = 10 * time.Second
	subscribeWait   = 10 * time.Second
	stateWait       = 5 * time.Second
	offlineWait     = 2 * time.Second
	publishWindow   = 64
	disconnectQuiet = 250 // ms
)

var gatewayIDPattern = regexp.MustCompile(`^[0-9a-f]{16}$`)

// Option tunes a Client beyond Config.
type Option func(*options)

type options struct {
	commandTimeout time.Duration
	commandQueue   int
	drainTimeout   time.Duration
}

// WithCommandTimeout sets the per-command deadline (default 10 s).
func WithCommandTimeout(d time.Duration) Option { return func(o *options) { o.commandTimeout = d } }

// WithCommandQueue sets how many commands may wait for the worker (default
// 64); beyond, commands are answered with ThrottlingException.
func WithCommandQueue(n int) Option { return func(o *options) { o.commandQueue = n } }

// WithDrainTimeout bounds how long Stop keeps publishing buffered events
// while connected (default 5 s).
func WithDrainTimeout(d time.Duration) Option { return func(o *options) { o.drainTimeout = d } }

// Client is the MQTT side of the agent. Build it with New, run it with
// Start, end it with Stop. Its Publish methods and SetState never block and
// may be called from any goroutine, before Start too.
type Client struct {
	cfg     Config
	gw      string
	backend Backend
	clk     clock.Clock
	net     clock.Clock // real time, for network back-off
	log     *zap.Logger
	opts    options
	topics  topics
	tlsCfg  *tls.Config

	pc     paho.Client
	buf    *buffer
	spool  *spool // nil when mqtt.spool_dir is empty or unusable
	bucket *bucket
	cmds   chan command
	// wake tells the link loop there is something to publish;
	// connected that paho (re)connected.
	wake      chan struct{}
	connected chan struct{}
	stopLink  chan struct{}
	stopSync  chan struct{}

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup // connect loop, worker, stats loop
	linkWG sync.WaitGroup // link loop
	syncWG sync.WaitGroup // spool flush loop
	calls  sync.WaitGroup // backend calls
	once   sync.Once
	stop   sync.Once

	mu          sync.Mutex
	state       State
	stateDirty  bool
	started     bool
	spoolWarned time.Time

	linkUp        atomic.Bool
	connects      atomic.Uint64
	losses        atomic.Uint64
	connFailures  atomic.Uint64
	commands      atomic.Uint64
	throttled     atomic.Uint64
	publishErrors atomic.Uint64
	published     [numKinds]atomic.Uint64
}

type topics struct {
	state, cmdFilter, cmdPrefix, rspPrefix, up, down, stats string
}

func newTopics(prefix, gw string) topics {
	base := prefix + "/" + gw + "/"
	return topics{state: base + "state", cmdFilter: base + "cmd/+", cmdPrefix: base + "cmd/",
		rspPrefix: base + "rsp/", up: base + "up", down: base + "down", stats: base + "stats"}
}

// New builds a client; it connects nothing until Start. Zero config values
// take the defaults above. gatewayID must be 16 lowercase hex digits; TLS
// files are read now so a bad path fails at once.
func New(cfg Config, gatewayID string, backend Backend, clk clock.Clock, log *zap.Logger, opt ...Option) (*Client, error) {
	if !gatewayIDPattern.MatchString(gatewayID) {
		return nil, fmt.Errorf("mqtt: gateway ID %q: want 16 lowercase hex digits", gatewayID)
	}
	if backend == nil || clk == nil || log == nil {
		return nil, errors.New("mqtt: backend, clock and logger are required")
	}
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("mqtt: %w", err)
	}
	o := options{commandTimeout: DefaultCommandTimeout, commandQueue: DefaultCommandQueue, drainTimeout: DefaultDrainTimeout}
	for _, f := range opt {
		f(&o)
	}
	if o.commandTimeout <= 0 || o.commandQueue < 1 || o.drainTimeout < 0 {
		return nil, fmt.Errorf("mqtt: options: command timeout %v, queue %d, drain %v: want positive values",
			o.commandTimeout, o.commandQueue, o.drainTimeout)
	}
	tlsCfg, err := tlsConfig(cfg)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := &Client{
		cfg: cfg, gw: gatewayID, backend: backend, clk: clk, net: clock.Real(), log: log.Named("mqtt"),
		opts: o, topics: newTopics(cfg.TopicPrefix, gatewayID), tlsCfg: tlsCfg,
		buf: newBuffer(cfg.BufferSize), bucket: newBucket(cfg.RateLimit, cfg.RateBurst, clk.Now()),
		cmds: make(chan command, o.commandQueue), wake: make(chan struct{}, 1), connected: make(chan struct{}, 1),
		stopLink: make(chan struct{}), stopSync: make(chan struct{}), ctx: ctx, cancel: cancel,
		state: State{Gateway: gatewayID},
	}
	if cfg.SpoolDir != "" {
		sp, warnings, err := openSpool(cfg.SpoolDir, cfg.SpoolMax)
		if err != nil {
			// Degrade, never die: reports then wait in memory only.
			c.log.Error("report spool unusable; reports wait in memory only and a crash loses them",
				zap.String("dir", cfg.SpoolDir), zap.Error(err))
		} else {
			c.spool = sp
			for _, w := range warnings {
				c.log.Error("report spool damaged", zap.String("detail", w))
			}
			if n := sp.stats().Depth; n > 0 {
				c.log.Info("report spool holds messages from before the restart", zap.Int("records", n))
			}
		}
	}
	return c, nil
}

// tlsConfig builds the TLS configuration for ssl/tls/mqtts servers.
func tlsConfig(cfg Config) (*tls.Config, error) {
	u, err := url.Parse(cfg.Server)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("mqtt.server: %q: want scheme://host:port", cfg.Server)
	}
	secure := false
	switch u.Scheme {
	case "tcp", "mqtt":
	case "ssl", "tls", "mqtts":
		secure = true
	default:
		return nil, fmt.Errorf("mqtt.server: scheme %q (allowed: tcp, mqtt, ssl, tls, mqtts)", u.Scheme)
	}
	if !secure {
		if cfg.CACert != "" || cfg.ClientCert != "" || cfg.ClientKey != "" {
			return nil, fmt.Errorf("mqtt.ca_cert: TLS files need an ssl://, tls:// or mqtts:// server, not %q", u.Scheme)
		}
		return nil, nil
	}
	t := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: u.Hostname()}
	if cfg.CACert != "" {
		pem, err := os.ReadFile(cfg.CACert)
		if err != nil {
			return nil, fmt.Errorf("mqtt.ca_cert: %w", err)
		}
		t.RootCAs = x509.NewCertPool()
		if !t.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("mqtt.ca_cert: %s: no PEM certificate found", cfg.CACert)
		}
	}
	if (cfg.ClientCert == "") != (cfg.ClientKey == "") {
		return nil, errors.New("mqtt.client_key: client_cert and client_key go together")
	}
	if cfg.ClientCert != "" {
		if _, err := tls.LoadX509KeyPair(cfg.ClientCert, cfg.ClientKey); err != nil {
			return nil, fmt.Errorf("mqtt.client_cert: %w", err)
		}
		certFile, keyFile := cfg.ClientCert, cfg.ClientKey
		// Read at every handshake, so a renewed certificate is used
		// without a restart.
		t.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			cert, err := tls.LoadX509KeyPair(certFile, keyFile)
			if err != nil {
				return nil, fmt.Errorf("mqtt.client_cert: %w", err)
			}
			return &cert, nil
		}
	}
	return t, nil
}

// Start connects in the background, retrying forever with a back-off of
// 1 s doubling to MaxBackoff, and starts the command worker and the stats
// loop. It returns at once; ctx is only checked for cancellation before
// starting (use Stop to end the client).
func (c *Client) Start(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	if c.started {
		c.mu.Unlock()
		return errors.New("mqtt: Start called twice")
	}
	c.started = true
	will, err := c.stateJSON(false, time.Time{})
	c.mu.Unlock()
	if err != nil {
		return fmt.Errorf("mqtt: will: %w", err)
	}
	o := paho.NewClientOptions().AddBroker(c.cfg.Server).SetClientID(c.gw).
		SetUsername(c.cfg.Username).SetPassword(c.cfg.Password).
		SetCleanSession(true).SetOrderMatters(true).SetResumeSubs(false).
		SetAutoReconnect(true).SetMaxReconnectInterval(MaxBackoff).SetConnectRetry(false).
		SetKeepAlive(c.cfg.Keepalive).SetPingTimeout(10*time.Second).
		SetDialer(&net.Dialer{Timeout: connectTimeout, Control: c.dialControl}).
		SetConnectTimeout(connectTimeout).SetWriteTimeout(writeTimeout).
		SetStore(paho.NewOrderedMemoryStore()).
		SetBinaryWill(c.topics.state, will, 1, true).
		SetDefaultPublishHandler(c.onMessage).
		SetOnConnectHandler(func(paho.Client) {
			c.connects.Add(1)
			signal(c.connected)
		}).
		SetConnectionLostHandler(func(_ paho.Client, err error) {
			c.linkUp.Store(false)
			c.losses.Add(1)
			c.log.Warn("connection lost", zap.Error(err))
		})
	if c.tlsCfg != nil {
		o.SetTLSConfig(c.tlsCfg)
	}
	c.pc = paho.NewClient(o)
	c.wg.Add(3)
	go c.connectLoop()
	go c.worker()
	go c.statsLoop()
	c.linkWG.Add(1)
	go c.linkLoop()
	if c.spool != nil {
		c.syncWG.Add(1)
		go c.syncLoop()
	}
	return nil
}

// dialControl refuses every connection attempt once Stop has begun: paho's
// reconnect loop may still be sleeping when Disconnect returns, and a late
// attempt would take the client ID over from the next lgw process (the
// broker drops the older connection of a client ID).
func (c *Client) dialControl(network, address string, _ syscall.RawConn) error {
	if c.ctx.Err() != nil {
		return fmt.Errorf("mqtt: client stopped, not dialling %s", address)
	}
	return nil
}

// connectLoop makes the first connection; paho reconnects after that.
func (c *Client) connectLoop() {
	defer c.wg.Done()
	backoff := time.Second
	for {
		tok := c.pc.Connect()
		<-tok.Done() // bounded by the connect timeout
		if tok.Error() == nil {
			c.log.Info("connected", zap.String("server", c.cfg.Server), zap.String("client_id", c.gw))
			return
		}
		c.connFailures.Add(1)
		c.log.Warn("connect failed", zap.String("server", c.cfg.Server), zap.Duration("retry_in", backoff), zap.Error(tok.Error()))
		if !clock.Sleep(c.net, backoff, c.ctx.Done()) {
			return
		}
		backoff = min(2*backoff, MaxBackoff)
	}
}

// Stop publishes what it can of the buffer (within the drain timeout),
// publishes the offline state (retained), disconnects and waits for every
// goroutine. Events still buffered are lost.
func (c *Client) Stop() {
	c.stop.Do(func() {
		c.mu.Lock()
		started := c.started
		c.mu.Unlock()
		c.cancel()
		if !started {
			return
		}
		c.wg.Wait()
		c.calls.Wait()
		close(c.stopLink)
		c.linkWG.Wait()
		c.pc.Disconnect(disconnectQuiet)
		if n := c.buf.len(); n > 0 {
			c.log.Warn("stopped with events unpublished", zap.Int("events", n))
		}
		close(c.stopSync)
		c.syncWG.Wait()
		if c.spool != nil {
			if n := c.spool.stats().Depth; n > 0 {
				c.log.Info("reports kept in the spool for the next start", zap.Int("records", n))
			}
			if err := c.spool.close(); err != nil {
				c.log.Error("close report spool", zap.Error(err))
			}
		}
	})
}

// Connected reports whether the link is up: connected, subscribed and
// the online state published.
func (c *Client) Connected() bool {
	return c.linkUp.Load() && c.pc != nil && c.pc.IsConnectionOpen()
}

// Stats returns the client's counters.
func (c *Client) Stats() ClientStats {
	s := ClientStats{
		Connected: c.Connected(), Connects: c.connects.Load(), Losses: c.losses.Load(), ConnectFailures: c.connFailures.Load(),
		Buffered: c.buf.len(), Dropped: c.buf.drops(), Commands: c.commands.Load(), Spool: c.spoolStats(),
		Throttled: c.throttled.Load(), PublishErrors: c.publishErrors.Load(),
		Published: make(map[string]uint64, numKinds),
	}
	if s.Connects > 1 {
		s.Reconnects = s.Connects - 1
	}
	for k := kind(0); k < numKinds; k++ {
		s.Published[k.String()] = c.published[k].Load()
	}
	return s
}

// SetState sets the gateway's state (Online, Gateway and Time are the
// client's). The will carries the state set before Start; later changes
// are published retained as soon as the link is up.
func (c *Client) SetState(s State) {
	c.mu.Lock()
	s.Gateway, s.Online, s.Time = c.gw, false, nil
	c.state = s
	c.stateDirty = true
	c.mu.Unlock()
	signal(c.wake)
}

// stateJSON encodes the state message; call with c.mu held.
func (c *Client) stateJSON(online bool, now time.Time) ([]byte, error) {
	s := c.state
	s.Online = online
	if !now.IsZero() {
		s.Time = At(now)
	}
	return json.Marshal(s)
}

// currentState returns the state as published.
func (c *Client) currentState() State {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.state
	s.Online = c.Connected()
	s.Time = At(c.clk.Now())
	return s
}

// PublishUplink queues a received packet for the up topic.
func (c *Client) PublishUplink(p gateway.Uplink) { c.publishUplinkAt(p, c.clk.Now()) }

// publishUplinkAt queues an uplink received at t.
func (c *Client) publishUplinkAt(p gateway.Uplink, t time.Time) {
	b, err := EncodeUplink(c.gw, p, t)
	if err != nil {
		c.log.Error("encode uplink", zap.Error(err))
		return
	}
	c.enqueue(kindUplink, c.topics.up, b)
}

// PublishDownlinkReport queues a downlink report for the down topic. An
// empty Gateway or zero Time is filled in.
func (c *Client) PublishDownlinkReport(r DownlinkReport) {
	if r.Gateway == "" {
		r.Gateway = c.gw
	}
	if r.Time.IsZero() {
		r.Time = c.clk.Now()
	}
	b, err := EncodeDownlinkReport(r)
	if err != nil {
		c.log.Error("encode downlink report", zap.Error(err))
		return
	}
	c.enqueueID(kindDownlink, c.topics.down, r.MessageId, b)
}

// PublishStats queues a stats message at once; the client also publishes
// one every stats interval from Backend.Stats. Gateway, Time and MQTT are
// filled in.
func (c *Client) PublishStats(s Stats) {
	b, err := json.Marshal(c.completeStats(s))
	if err != nil {
		c.log.Error("encode stats", zap.Error(err))
		return
	}
	c.enqueue(kindStats, c.topics.stats, b)
}

func (c *Client) completeStats(s Stats) Stats {
	s.Gateway = c.gw
	s.Time = At(c.clk.Now())
	s.MQTT = c.Stats()
	if s.Tx == nil {
		s.Tx = map[gateway.Code]uint64{}
	}
	if s.DutyCycle == nil {
		s.DutyCycle = []SubBandUse{}
	}
	return s
}

func (c *Client) enqueue(k kind, topic string, payload []byte) {
	c.enqueueID(k, topic, "", payload)
}

// enqueueID queues an event; reports and responses go to the spool (id
// names them if the spool's bound drops them), the rest to the memory
// buffer.
func (c *Client) enqueueID(k kind, topic, id string, payload []byte) {
	if c.spool != nil && (k == kindDownlink || k == kindResponse) {
		dropped, err := c.spool.append(k, topic, id, payload)
		if err == nil {
			if len(dropped) > 0 {
				c.reportLoss(dropped)
			}
			signal(c.wake)
			return
		}
		c.spoolFailed(err)
	}
	c.buf.add(k, topic, payload)
	signal(c.wake)
}

// statsLoop publishes the backend's stats every stats interval.
func (c *Client) statsLoop() {
	defer c.wg.Done()
	t := c.clk.NewTicker(c.cfg.StatsInterval)
	defer t.Stop()
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-t.C():
			ctx, cancel := context.WithTimeout(c.ctx, c.opts.commandTimeout)
			s, err := c.backend.Stats(ctx)
			cancel()
			if err != nil {
				c.log.Warn("stats", zap.Error(err))
				continue
			}
			c.PublishStats(s)
		}
	}
}

// signal makes a non-blocking send on a 1-slot channel.
func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}
