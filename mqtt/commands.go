package mqtt

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"

	paho "github.com/eclipse/paho.mqtt.golang"
	"go.uber.org/zap"

	"github.com/lgwagent/lgw/apierr"
	"github.com/lgwagent/lgw/gateway"
)

// Operation names, the last level of the cmd and rsp topics.
const (
	OpCreateMulticastGroup        = "CreateMulticastGroup"
	OpGetMulticastGroup           = "GetMulticastGroup"
	OpListMulticastGroups         = "ListMulticastGroups"
	OpDeleteMulticastGroup        = "DeleteMulticastGroup"
	OpStartMulticastGroupSession  = "StartMulticastGroupSession"
	OpGetMulticastGroupSession    = "GetMulticastGroupSession"
	OpCancelMulticastGroupSession = "CancelMulticastGroupSession"
	OpDeleteMulticastGroupSession = "DeleteMulticastGroupSession"
	OpSendDataToMulticastGroup    = "SendDataToMulticastGroup"
	OpSendDownlink                = "SendDownlink"
	OpGetGatewayStatus            = "GetGatewayStatus"
	OpRestartConcentrator         = "RestartConcentrator"
	OpSetLogLevel                 = "SetLogLevel"
	OpResetMulticastStore         = "ResetMulticastStore"
)

// Operations lists every operation.
var Operations = []string{OpCreateMulticastGroup, OpGetMulticastGroup, OpListMulticastGroups,
	OpDeleteMulticastGroup, OpStartMulticastGroupSession, OpGetMulticastGroupSession,
	OpCancelMulticastGroupSession, OpDeleteMulticastGroupSession, OpSendDataToMulticastGroup,
	OpSendDownlink, OpGetGatewayStatus, OpRestartConcentrator, OpSetLogLevel, OpResetMulticastStore}

// management lists the operations config.MQTT.Management enables.
var management = map[string]bool{OpRestartConcentrator: true, OpSetLogLevel: true, OpResetMulticastStore: true}

// Response is the body published on rsp/{Operation}: Result or Error.
type Response struct {
	RequestId string         `json:"RequestId,omitempty"`
	Result    any            `json:"Result,omitempty"`
	Error     *ResponseError `json:"Error,omitempty"`
}

// ResponseError is the error of a response. Type is one of the six
// apierr kinds; Field names the offending field of a ValidationException.
type ResponseError struct {
	Type    apierr.Kind `json:"Type"`
	Field   string      `json:"Field,omitempty"`
	Message string      `json:"Message"`
}

type command struct {
	op   string
	body []byte
}

type empty struct{}

// onMessage runs on paho's router: it must not block. It rate-limits and
// queues the command; refusals are answered through the buffer.
func (c *Client) onMessage(_ paho.Client, m paho.Message) {
	if c.ctx.Err() != nil {
		return // stopping
	}
	op, ok := strings.CutPrefix(m.Topic(), c.topics.cmdPrefix)
	if !ok || strings.Contains(op, "/") {
		c.log.Warn("message on an unexpected topic", zap.String("topic", m.Topic()))
		return
	}
	if op == "" {
		// Answered on rsp/ (empty operation too), so the sender learns
		// why nothing happened.
		c.commands.Add(1)
		c.respond(op, requestID(m.Payload()), nil, apierr.Newf(apierr.Validation, "",
			"empty operation: publish on %s{Operation} (known: %s)", c.topics.cmdPrefix, strings.Join(Operations, ", ")), nil)
		return
	}
	c.commands.Add(1)
	body := m.Payload()
	if !c.bucket.take(c.clk.Now()) {
		c.throttled.Add(1)
		c.respond(op, requestID(body), nil, apierr.Newf(apierr.Throttling, "",
			"more than %v commands per second (burst %d)", c.cfg.RateLimit, c.cfg.RateBurst), nil)
		return
	}
	select {
	case c.cmds <- command{op: op, body: body}:
	default:
		c.throttled.Add(1)
		c.respond(op, requestID(body), nil, apierr.Newf(apierr.Throttling, "",
			"%d commands already waiting", cap(c.cmds)), nil)
	}
}

// worker runs the commands one at a time, in arrival order, so that a
// CreateMulticastGroup is done before the StartMulticastGroupSession sent
// after it.
func (c *Client) worker() {
	defer c.wg.Done()
	for {
		select {
		case <-c.ctx.Done():
			return
		case cmd := <-c.cmds:
			c.execute(cmd)
		}
	}
}

type outcome struct {
	result  any
	secrets []string
	err     error
}

// execute runs one command under its deadline. The backend call runs in
// its own goroutine so that a call ignoring its context costs the caller
// an InternalServerException, not the whole command queue.
func (c *Client) execute(cmd command) {
	rid := requestID(cmd.body)
	ctx, cancel := context.WithTimeout(c.ctx, c.opts.commandTimeout)
	defer cancel()
	ch := make(chan outcome, 1)
	c.calls.Add(1)
	go func() {
		defer c.calls.Done()
		var o outcome
		o.result, o.secrets, o.err = c.dispatch(ctx, cmd.op, cmd.body)
		ch <- o
	}()
	select {
	case o := <-ch:
		if o.err != nil {
			c.log.Info("command failed", zap.String("op", cmd.op), zap.String("request_id", rid),
				zap.String("type", string(apierr.KindOf(o.err))))
		} else {
			c.log.Debug("command done", zap.String("op", cmd.op), zap.String("request_id", rid))
		}
		c.respond(cmd.op, rid, o.result, o.err, o.secrets)
	case <-ctx.Done():
		c.log.Warn("command deadline exceeded", zap.String("op", cmd.op), zap.String("request_id", rid),
			zap.Duration("deadline", c.opts.commandTimeout))
		c.respond(cmd.op, rid, nil, apierr.Wrap(apierr.InternalServer, ctx.Err(), "no result within %v", c.opts.commandTimeout), nil)
	}
}

// call decodes the body into I and calls f.
func call[I, O any](ctx context.Context, body []byte, f func(context.Context, I) (O, error)) (any, error) {
	var in I
	if err := decodeCommand(body, &in); err != nil {
		return nil, err
	}
	out, err := f(ctx, in)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// noOutput adapts an operation without output.
func noOutput[I any](f func(context.Context, I) error) func(context.Context, I) (empty, error) {
	return func(ctx context.Context, in I) (empty, error) { return empty{}, f(ctx, in) }
}

// dispatch routes one operation; secrets lists input values (keys) that
// must not appear in the response.
func (c *Client) dispatch(ctx context.Context, op string, body []byte) (any, []string, error) {
	if management[op] && !c.cfg.Management {
		return nil, nil, apierr.Newf(apierr.AccessDenied, "", "%s is a management operation and management is disabled on this gateway", op)
	}
	b := c.backend
	switch op {
	case OpCreateMulticastGroup:
		var in gateway.CreateGroupInput
		if err := decodeCommand(body, &in); err != nil {
			return nil, nil, err
		}
		secrets := []string{in.LoRaWAN.McNwkSKey, in.LoRaWAN.McAppSKey}
		out, err := b.CreateMulticastGroup(ctx, in)
		if err != nil {
			return nil, secrets, err
		}
		return out, secrets, nil
	case OpGetMulticastGroup:
		r, err := call(ctx, body, b.GetMulticastGroup)
		return r, nil, err
	case OpListMulticastGroups:
		r, err := call(ctx, body, func(ctx context.Context, _ empty) (gateway.ListGroupsOutput, error) {
			return b.ListMulticastGroups(ctx)
		})
		return r, nil, err
	case OpDeleteMulticastGroup:
		r, err := call(ctx, body, noOutput(b.DeleteMulticastGroup))
		return r, nil, err
	case OpStartMulticastGroupSession:
		r, err := call(ctx, body, b.StartMulticastGroupSession)
		return r, nil, err
	case OpGetMulticastGroupSession:
		r, err := call(ctx, body, b.GetMulticastGroupSession)
		return r, nil, err
	case OpCancelMulticastGroupSession, OpDeleteMulticastGroupSession:
		r, err := call(ctx, body, noOutput(b.CancelMulticastGroupSession))
		return r, nil, err
	case OpSendDataToMulticastGroup:
		r, err := call(ctx, body, b.SendDataToMulticastGroup)
		return r, nil, err
	case OpSendDownlink:
		r, err := call(ctx, body, b.SendDownlink)
		return r, nil, err
	case OpGetGatewayStatus:
		r, err := call(ctx, body, func(ctx context.Context, _ empty) (GatewayStatus, error) {
			s, err := b.Stats(ctx)
			if err != nil {
				return GatewayStatus{}, err
			}
			return GatewayStatus{State: c.currentState(), Stats: c.completeStats(s)}, nil
		})
		return r, nil, err
	case OpRestartConcentrator:
		r, err := call(ctx, body, func(ctx context.Context, _ empty) (empty, error) {
			return empty{}, b.RestartConcentrator(ctx)
		})
		return r, nil, err
	case OpResetMulticastStore:
		r, err := call(ctx, body, func(ctx context.Context, _ empty) (gateway.ResetStoreOutput, error) {
			return b.ResetMulticastStore(ctx)
		})
		return r, nil, err
	case OpSetLogLevel:
		r, err := call(ctx, body, func(ctx context.Context, in SetLogLevelInput) (SetLogLevelInput, error) {
			if _, err := gateway.ParseLogLevel("Level", in.Level); err != nil {
				return SetLogLevelInput{}, err
			}
			return in, b.SetLogLevel(ctx, in.Level)
		})
		return r, nil, err
	}
	return nil, nil, apierr.Newf(apierr.Validation, "", "unknown operation %q (known: %s)", op, strings.Join(Operations, ", "))
}

// respond queues the response to op; secrets are masked wherever they
// would appear.
func (c *Client) respond(op, rid string, result any, err error, secrets []string) {
	r := Response{RequestId: rid, Result: result}
	if err != nil {
		r.Result = nil
		r.Error = responseError(err)
	}
	b, merr := json.Marshal(r)
	if merr != nil {
		c.log.Error("encode response", zap.String("op", op), zap.Error(merr))
		b, _ = json.Marshal(Response{RequestId: rid, Error: &ResponseError{Type: apierr.InternalServer, Message: "response could not be encoded"}})
	}
	c.enqueueID(kindResponse, c.topics.rspPrefix+op, "request:"+rid, mask(b, secrets))
}

func responseError(err error) *ResponseError {
	var e *apierr.Error
	if errors.As(err, &e) {
		msg := e.Message
		if e.Err != nil {
			msg += ": " + e.Err.Error()
		}
		return &ResponseError{Type: e.Kind, Field: e.Field, Message: msg}
	}
	return &ResponseError{Type: apierr.InternalServer, Message: err.Error()}
}

// mask replaces every occurrence of a secret (any letter case) with ***.
func mask(b []byte, secrets []string) []byte {
	for _, s := range secrets {
		if len(s) < 4 {
			continue
		}
		for _, v := range []string{s, strings.ToLower(s), strings.ToUpper(s)} {
			b = bytes.ReplaceAll(b, []byte(v), []byte("***"))
		}
	}
	return b
}
