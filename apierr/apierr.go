// Package apierr holds the six error kinds of the multicast API (seed
// 001_c53e2290f68516fc.txt) that lgw's Go API returns and its MQTT API
// reports as Error.Type.
package apierr

import (
	"errors"
	"fmt"
)

// Kind is one of the six exception names of the API.
type Kind string

// The six error kinds.
const (
	Validation       Kind = "ValidationException"
	ResourceNotFound Kind = "ResourceNotFoundException"
	AccessDenied     Kind = "AccessDeniedException"
	Conflict         Kind = "ConflictException"
	InternalServer   Kind = "InternalServerException"
	Throttling       Kind = "ThrottlingException"
)

// Kinds lists every kind.
var Kinds = []Kind{Validation, ResourceNotFound, AccessDenied, Conflict, InternalServer, Throttling}

// Error is an API error: a kind, the field it concerns (for validation
// errors), a message and an optional cause.
type Error struct {
	Kind    Kind
	Field   string
	Message string
	Err     error
}

// Error implements error: "ValidationException: LoRaWAN.DlDr: ...".
func (e *Error) Error() string { return string(e.Kind) + ": " + e.Detail() }

// Detail is the error without its kind: "LoRaWAN.DlDr: ...", for a
// protocol that carries the kind in a field of its own.
func (e *Error) Detail() string {
	s := ""
	if e.Field != "" {
		s += e.Field + ": "
	}
	s += e.Message
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Detail returns err's text without its kind when it is an *Error (the
// kind travels apart), else err.Error().
func Detail(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Detail()
	}
	return err.Error()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is matches another *Error of the same kind, so errors.Is(err,
// &apierr.Error{Kind: apierr.Conflict}) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Kind == e.Kind && t.Field == "" && t.Message == "" && t.Err == nil
}

// Newf returns an error of kind k about field.
func Newf(k Kind, field, format string, args ...any) *Error {
	return &Error{Kind: k, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an error of kind k with cause err.
func Wrap(k Kind, err error, format string, args ...any) *Error {
	return &Error{Kind: k, Message: fmt.Sprintf(format, args...), Err: err}
}

// KindOf returns the kind of err, or InternalServer when err carries none.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return InternalServer
}
