package control

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"syscall"
	"time"
)

// NotRunningError says that no daemon answers on the socket.
type NotRunningError struct {
	Socket string
	// Missing is true when the socket file does not exist, false when it
	// exists but nothing listens on it.
	Missing bool
	Err     error
	// Hint says how to start the daemon; empty means the packaged
	// service ("start it with systemctl start lgw").
	Hint string
}

// Error implements error with the advice an operator needs.
func (e *NotRunningError) Error() string {
	why := "no socket at " + e.Socket
	if !e.Missing {
		why = "nothing listens on " + e.Socket
	}
	hint := e.Hint
	if hint == "" {
		hint = "start it with systemctl start lgw"
	}
	return "lgw daemon is not running (" + why + "): " + hint
}

// Unwrap returns the dial error.
func (e *NotRunningError) Unwrap() error { return e.Err }

// ErrStreamClosed is returned by Tail when the daemon ends the stream
// (it stopped).
var ErrStreamClosed = errors.New("the lgw daemon closed the stream")

// Client is one connection to the control socket. It is not safe for
// concurrent use.
type Client struct {
	conn net.Conn
	r    *bufio.Reader
}

// Dial connects to the daemon's socket. A missing socket or a refused
// connection is a *NotRunningError; a permission problem says which
// group to join.
func Dial(ctx context.Context, socket string) (*Client, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", socket)
	if err != nil {
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, &NotRunningError{Socket: socket, Missing: true, Err: err}
		case errors.Is(err, syscall.ECONNREFUSED):
			return nil, &NotRunningError{Socket: socket, Err: err}
		case errors.Is(err, fs.ErrPermission):
			return nil, fmt.Errorf("no permission on %s: run as root or join the socket's group (control.group, usually lgw): %w", socket, err)
		}
		return nil, fmt.Errorf("connect to the lgw daemon on %s: %w", socket, err)
	}
	return &Client{conn: c, r: bufio.NewReaderSize(c, 4096)}, nil
}

// Close closes the connection.
func (c *Client) Close() error { return c.conn.Close() }

// abortOn closes the connection when ctx ends, unblocking any read or
// write; the returned stop reports whether that happened.
func (c *Client) abortOn(ctx context.Context) func() bool {
	return context.AfterFunc(ctx, func() { c.conn.Close() })
}

func (c *Client) send(cmd string, args any) error {
	req := Request{Cmd: cmd}
	if args != nil {
		b, err := json.Marshal(args)
		if err != nil {
			return fmt.Errorf("%s: encode args: %w", cmd, err)
		}
		req.Args = b
	}
	b, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("%s: encode request: %w", cmd, err)
	}
	if _, err := c.conn.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("%s: send to the lgw daemon: %w", cmd, err)
	}
	return nil
}

func (c *Client) receive() (Response, error) {
	line, err := c.r.ReadBytes('\n')
	if err != nil {
		if errors.Is(err, io.EOF) {
			return Response{}, io.ErrUnexpectedEOF
		}
		return Response{}, err
	}
	var resp Response
	if err := json.Unmarshal(line, &resp); err != nil {
		return Response{}, fmt.Errorf("daemon sent a bad response line: %w", err)
	}
	return resp, nil
}

// Call sends one command and decodes its result into result (nil to
// ignore it). A daemon-side failure is an *Error.
func (c *Client) Call(ctx context.Context, cmd string, args, result any) error {
	stop := c.abortOn(ctx)
	defer stop()
	if err := c.send(cmd, args); err != nil {
		// The daemon may have refused the connection (too many) with an
		// answer before closing it: that answer says more.
		if resp, rerr := c.receive(); rerr == nil && !resp.OK && resp.Error != nil {
			return resp.Error
		}
		return ctxErr(ctx, err)
	}
	resp, err := c.receive()
	if err != nil {
		return ctxErr(ctx, fmt.Errorf("%s: read the daemon's answer: %w", cmd, err))
	}
	if !resp.OK {
		if resp.Error == nil {
			return fmt.Errorf("%s: daemon answered not ok without an error", cmd)
		}
		return resp.Error
	}
	if result != nil {
		if err := json.Unmarshal(resp.Result, result); err != nil {
			return fmt.Errorf("%s: decode result: %w", cmd, err)
		}
	}
	return nil
}

// Tail subscribes to live events and calls fn for each until ctx ends
// (nil), fn returns an error (that error), or the daemon closes the
// stream (ErrStreamClosed). The connection is unusable afterwards.
func (c *Client) Tail(ctx context.Context, fn func(Event) error) error {
	stop := c.abortOn(ctx)
	defer stop()
	if err := c.send(CmdTail, nil); err != nil {
		return ctxErr(ctx, err)
	}
	// The first line acknowledges the subscription; events follow.
	for first := true; ; first = false {
		resp, err := c.receive()
		if err != nil {
			switch {
			case ctx.Err() != nil:
				return nil
			case errors.Is(err, io.ErrUnexpectedEOF):
				return ErrStreamClosed
			}
			return fmt.Errorf("tail: read from the daemon: %w", err)
		}
		if !resp.OK {
			if resp.Error != nil {
				return resp.Error
			}
			return errors.New("tail: daemon answered not ok without an error")
		}
		if first || resp.Event == nil {
			continue
		}
		if err := fn(*resp.Event); err != nil {
			return err
		}
	}
}

func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%w (%v)", ctx.Err(), err)
	}
	return err
}

// Probe reports whether a daemon listens on socket: the connection is
// accepted within timeout. A socket the caller may not open counts as a
// listening daemon: callers use Probe to keep off the daemon's hardware,
// so in doubt the answer is yes.
func Probe(socket string, timeout time.Duration) bool {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	c, err := Dial(ctx, socket)
	if err != nil {
		return errors.Is(err, fs.ErrPermission)
	}
	c.Close()
	return true
}
