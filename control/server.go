package control

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/lgwagent/lgw/apierr"
	"github.com/lgwagent/lgw/clock"
	"github.com/lgwagent/lgw/strictjson"
)

// Defaults of the server's limits.
const (
	// DefaultMaxConns bounds the connections served at once; more are
	// answered with a ThrottlingException and closed.
	DefaultMaxConns = 16
	// DefaultRequestTimeout bounds every request but tx and tail.
	DefaultRequestTimeout = 10 * time.Second
	// DefaultTxTimeout bounds a test transmission: the scheduler accepts
	// starts up to scheduler.max_advance ahead (30 min by default, 24 h at
	// most) and always ends an item with a result, so this is only a
	// safety net for the usual settings.
	DefaultTxTimeout = 65 * time.Minute
	// DefaultIdleTimeout closes a connection that sends no request.
	DefaultIdleTimeout = 60 * time.Second
	// maxLine bounds one request line.
	maxLine = 64 << 10
)

// Option changes a server setting.
type Option func(*Server)

// WithMaxConns sets the connection bound (n > 0).
func WithMaxConns(n int) Option { return func(s *Server) { s.maxConns = n } }

// WithRequestTimeout sets the per-request deadline of every command but
// tx and tail.
func WithRequestTimeout(d time.Duration) Option { return func(s *Server) { s.reqTimeout = d } }

// WithTxTimeout sets the deadline of a test transmission.
func WithTxTimeout(d time.Duration) Option { return func(s *Server) { s.txTimeout = d } }

// WithIdleTimeout sets how long a connection may wait between requests.
func WithIdleTimeout(d time.Duration) Option { return func(s *Server) { s.idleTimeout = d } }

// WithClock sets the clock of the deadlines (default clock.Real()).
func WithClock(c clock.Clock) Option { return func(s *Server) { s.clk = c } }

// Server serves the control protocol on a Unix socket.
type Server struct {
	path        string
	group       string
	agent       Agent
	log         *zap.Logger
	clk         clock.Clock
	maxConns    int
	reqTimeout  time.Duration
	txTimeout   time.Duration
	idleTimeout time.Duration

	mu     sync.Mutex
	ln     net.Listener
	cancel context.CancelFunc
	conns  map[net.Conn]struct{}
	sem    chan struct{}
	wg     sync.WaitGroup
}

// NewServer builds a server for socketPath; group, if not empty, owns
// the socket (mode 0660). It starts nothing: call Start.
func NewServer(socketPath, group string, agent Agent, log *zap.Logger, opts ...Option) *Server {
	if log == nil {
		log = zap.NewNop()
	}
	s := &Server{path: socketPath, group: group, agent: agent, log: log, clk: clock.Real(),
		maxConns: DefaultMaxConns, reqTimeout: DefaultRequestTimeout, txTimeout: DefaultTxTimeout,
		idleTimeout: DefaultIdleTimeout}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Path returns the socket path.
func (s *Server) Path() string { return s.path }

// Start checks the settings, removes a stale socket file (only when
// nothing answers on it), listens, sets the socket's mode and group and
// starts accepting. It fails if another daemon answers on the socket.
func (s *Server) Start(ctx context.Context) error {
	switch {
	case s.path == "":
		return errors.New("control: control.socket: empty socket path")
	case s.agent == nil:
		return errors.New("control: no agent")
	case s.maxConns <= 0:
		return fmt.Errorf("control: max connections %d: must be positive", s.maxConns)
	case s.reqTimeout <= 0 || s.txTimeout <= 0 || s.idleTimeout <= 0:
		return errors.New("control: timeouts must be positive")
	}
	gid := -1
	if s.group != "" {
		g, err := user.LookupGroup(s.group)
		if err != nil {
			return fmt.Errorf("control: control.group %q: no such group: %w", s.group, err)
		}
		if gid, err = strconv.Atoi(g.Gid); err != nil {
			return fmt.Errorf("control: control.group %q: gid %q: %w", s.group, g.Gid, err)
		}
	}
	if err := s.removeStale(); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(s.path), 0o755); err != nil {
		return fmt.Errorf("control: socket directory: %w", err)
	}
	ln, err := net.Listen("unix", s.path)
	if err != nil {
		return fmt.Errorf("control: listen on %s: %w", s.path, err)
	}
	if err := os.Chmod(s.path, 0o660); err != nil {
		ln.Close()
		return fmt.Errorf("control: chmod %s: %w", s.path, err)
	}
	if gid >= 0 {
		if err := os.Chown(s.path, -1, gid); err != nil {
			ln.Close()
			return fmt.Errorf("control: control.group %q: chgrp %s: %w", s.group, s.path, err)
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	s.mu.Lock()
	s.ln, s.cancel = ln, cancel
	s.conns = make(map[net.Conn]struct{})
	s.sem = make(chan struct{}, s.maxConns)
	s.mu.Unlock()
	s.wg.Add(1)
	go s.accept(ctx, ln)
	s.log.Info("control socket listening", zap.String("socket", s.path), zap.String("group", s.group))
	return nil
}

// removeStale deletes a leftover socket file nobody answers on. A live
// daemon on it, or a file that is not a socket, is an error.
func (s *Server) removeStale() error {
	fi, err := os.Lstat(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("control: %s: %w", s.path, err)
	}
	if fi.Mode()&fs.ModeSocket == 0 {
		return fmt.Errorf("control: %s exists and is not a socket: refusing to remove it", s.path)
	}
	if c, err := net.Dial("unix", s.path); err == nil {
		c.Close()
		return fmt.Errorf("control: another lgw daemon answers on %s", s.path)
	}
	if err := os.Remove(s.path); err != nil {
		return fmt.Errorf("control: remove stale socket %s: %w", s.path, err)
	}
	s.log.Info("removed stale control socket", zap.String("socket", s.path))
	return nil
}

// Stop closes the socket (removing the file) and every connection,
// ends running requests and streams, and waits for them.
func (s *Server) Stop() {
	s.mu.Lock()
	if s.cancel != nil {
		s.cancel()
	}
	if s.ln != nil {
		s.ln.Close()
	}
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *Server) accept(ctx context.Context, ln net.Listener) {
	defer s.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() == nil {
				s.log.Error("control socket accept failed", zap.Error(err))
			}
			return
		}
		select {
		case s.sem <- struct{}{}:
		default:
			s.log.Warn("control connection refused: too many", zap.Int("max", s.maxConns))
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				writeResponse(c, Response{Error: &Error{Type: string(apierr.Throttling),
					Message: fmt.Sprintf("too many control connections (at most %d)", s.maxConns)}})
				c.Close()
			}()
			continue
		}
		s.mu.Lock()
		if ctx.Err() != nil {
			s.mu.Unlock()
			c.Close()
			<-s.sem
			return
		}
		s.conns[c] = struct{}{}
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.serve(ctx, c)
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
			c.Close()
			<-s.sem
		}()
	}
}

func writeResponse(c net.Conn, r Response) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = c.Write(append(b, '\n'))
	return err
}

// serve answers the requests of one connection in order. A reader
// goroutine reads lines and cancels the connection's context when the
// client goes away, so a waiting tx or tail ends with it.
func (s *Server) serve(ctx context.Context, c net.Conn) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	lines := make(chan []byte)
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		defer cancel()
		sc := bufio.NewScanner(c)
		sc.Buffer(make([]byte, 0, 4096), maxLine)
		for sc.Scan() {
			line := append([]byte(nil), sc.Bytes()...)
			select {
			case lines <- line:
			case <-ctx.Done():
				return
			}
		}
		if err := sc.Err(); err != nil && ctx.Err() == nil {
			// An over-long line: say so before the connection closes.
			select {
			case lines <- nil:
			case <-ctx.Done():
			}
		}
	}()
	defer func() {
		c.Close()
		<-readDone
	}()
	for {
		// A fresh idle timer per wait: no stale tick can outlive a request.
		idle := s.clk.NewTimer(s.idleTimeout)
		var line []byte
		select {
		case <-ctx.Done():
			idle.Stop()
			return
		case <-idle.C():
			s.log.Debug("control connection idle, closing")
			return
		case line = <-lines:
			if !idle.Stop() {
				// The idle time ran out before this line was taken.
				s.log.Debug("control connection idle, closing")
				return
			}
		}
		if line == nil {
			writeResponse(c, Response{Error: &Error{Type: string(apierr.Validation),
				Message: fmt.Sprintf("request line longer than %d bytes", maxLine)}})
			return
		}
		var req Request
		if err := json.Unmarshal(line, &req); err != nil {
			if writeResponse(c, Response{Error: &Error{Type: string(apierr.Validation),
				Message: "request: not a JSON object {\"cmd\": ..., \"args\": ...}: " + err.Error()}}) != nil {
				return
			}
			continue
		}
		if err := strictjson.CheckDuplicates(line); err != nil {
			if writeResponse(c, Response{Error: &Error{Type: string(apierr.Validation), Message: "request: " + err.Error()}}) != nil {
				return
			}
			continue
		}
		if req.Cmd == CmdTail {
			s.tail(ctx, c)
			return
		}
		resp := s.handle(ctx, req)
		if err := writeResponse(c, resp); err != nil {
			s.log.Debug("control response not written", zap.Error(err))
			return
		}
	}
}

// errDeadline is the cause of a request context that ran out of time.
var errDeadline = errors.New("deadline")

// handle runs one request under its deadline.
func (s *Server) handle(ctx context.Context, req Request) Response {
	timeout := s.reqTimeout
	if req.Cmd == CmdTx {
		timeout = s.txTimeout
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	t := s.clk.AfterFunc(timeout, func() { cancel(errDeadline) })
	defer t.Stop()

	result, err := s.dispatch(ctx, req)
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	if err != nil {
		if errors.Is(context.Cause(ctx), errDeadline) {
			return Response{Error: &Error{Type: string(apierr.InternalServer),
				Message: fmt.Sprintf("%s: no answer within %s", req.Cmd, timeout)}}
		}
		var ce *Error
		if errors.As(err, &ce) {
			return Response{Error: ce}
		}
		if req.Cmd != CmdPing {
			s.log.Debug("control request failed", zap.String("cmd", req.Cmd), zap.Error(err))
		}
		return Response{Error: &Error{Type: string(apierr.KindOf(err)), Message: err.Error()}}
	}
	b, err := json.Marshal(result)
	if err != nil {
		return Response{Error: &Error{Type: string(apierr.InternalServer), Message: "encode result: " + err.Error()}}
	}
	return Response{OK: true, Result: b}
}

func badArgs(cmd string, err error) error {
	return &Error{Type: string(apierr.Validation), Message: cmd + ": args: " + err.Error()}
}

func (s *Server) dispatch(ctx context.Context, req Request) (any, error) {
	switch req.Cmd {
	case CmdPing:
		return "pong", nil
	case CmdStatus:
		return s.agent.Status(ctx)
	case CmdQueue:
		q, err := s.agent.Queue(ctx)
		if q == nil {
			q = []QueueItem{}
		}
		return q, err
	case CmdGroups:
		g, err := s.agent.Groups(ctx)
		if g == nil {
			g = []Group{}
		}
		return g, err
	case CmdSessions:
		ss, err := s.agent.Sessions(ctx)
		if ss == nil {
			ss = []Session{}
		}
		return ss, err
	case CmdStats:
		return s.agent.Stats(ctx)
	case CmdLogLevel:
		var a LogLevelArgs
		if err := json.Unmarshal(req.Args, &a); err != nil {
			return nil, badArgs(req.Cmd, err)
		}
		if a.Level == "" {
			return nil, &Error{Type: string(apierr.Validation), Message: "log-level: level: missing (debug, info, warn or error)"}
		}
		if err := s.agent.SetLogLevel(ctx, a.Level); err != nil {
			return nil, err
		}
		s.log.Info("log level changed over the control socket", zap.String("level", a.Level))
		return a, nil
	case CmdTx:
		var r TxRequest
		if err := json.Unmarshal(req.Args, &r); err != nil {
			return nil, badArgs(req.Cmd, err)
		}
		switch r.At.Mode {
		case AtASAP, AtDelay, AtCount, AtGPS, AtTime:
		default:
			return nil, &Error{Type: string(apierr.Validation),
				Message: fmt.Sprintf("tx: at.mode %q: want \"\", delay, tmst, gps or time", r.At.Mode)}
		}
		if len(r.Payload) == 0 {
			return nil, &Error{Type: string(apierr.Validation), Message: "tx: payload: empty"}
		}
		s.log.Info("test transmission requested over the control socket", zap.Uint32("freq", r.Freq),
			zap.String("datr", r.Datr), zap.Int("power", r.Power), zap.Int("size", len(r.Payload)),
			zap.Stringer("at", r.At))
		return s.agent.TestTx(ctx, r)
	case "":
		return nil, &Error{Type: string(apierr.Validation), Message: "request: cmd: missing"}
	}
	return nil, &Error{Type: string(apierr.Validation), Message: fmt.Sprintf("request: cmd %q: unknown command", req.Cmd)}
}

// tail streams events until the client or the server goes away, or the
// agent ends the subscription.
func (s *Server) tail(ctx context.Context, c net.Conn) {
	events, unsubscribe := s.agent.Subscribe(ctx)
	defer unsubscribe()
	if writeResponse(c, Response{OK: true}) != nil {
		return
	}
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-events:
			if !ok {
				return
			}
			if writeResponse(c, Response{OK: true, Event: &ev}) != nil {
				return
			}
		}
	}
}
