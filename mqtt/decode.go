package mqtt

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/lgwagent/lgw/apierr"
)

// maxCommandSize bounds a command body.
const maxCommandSize = 64 << 10

// requestIDField is the optional correlation field of every command body.
const requestIDField = "RequestId"

// requestID extracts the RequestId of a body, best effort: it is echoed
// even when the rest of the body is refused.
func requestID(body []byte) string {
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) != nil {
		return ""
	}
	var id string
	if json.Unmarshal(top[requestIDField], &id) != nil {
		return ""
	}
	return id
}

// decodeCommand decodes a command body into v (a pointer to the
// operation's input struct). Keys must match the field names exactly, at
// every level; unknown keys, wrong types, trailing data and malformed JSON
// are refused with a ValidationException naming the field. An empty body
// is {}.
func decodeCommand(body []byte, v any) error {
	if len(body) > maxCommandSize {
		return apierr.Newf(apierr.Validation, "", "command of %d bytes is larger than %d", len(body), maxCommandSize)
	}
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		body = []byte("{}")
	}
	if !json.Valid(body) {
		var x any
		err := json.Unmarshal(body, &x)
		return apierr.Newf(apierr.Validation, "", "malformed JSON: %s", syntaxMessage(err))
	}
	if body[0] != '{' {
		return apierr.Newf(apierr.Validation, "", "the body must be a JSON object")
	}
	if err := checkKeys(body, reflect.TypeOf(v).Elem(), "", true); err != nil {
		return err
	}
	var top map[string]json.RawMessage
	_ = json.Unmarshal(body, &top) // valid object, checked above
	if raw, ok := top[requestIDField]; ok {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return apierr.Newf(apierr.Validation, requestIDField, "want a string")
		}
	}
	if err := json.Unmarshal(body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return apierr.Newf(apierr.Validation, te.Field, "want %s, got JSON %s", typeName(te.Type), te.Value)
		}
		return apierr.Newf(apierr.Validation, "", "%v", err)
	}
	return nil
}

// syntaxMessage words a JSON syntax error without quoting the input.
func syntaxMessage(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%s (offset %d)", se.Error(), se.Offset)
	}
	if err != nil {
		return err.Error()
	}
	return "invalid"
}

// typeName names a Go type in the API's words.
func typeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "an integer"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a non-negative integer in range"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Struct:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Pointer:
		return typeName(t.Elem())
	}
	return t.String()
}

// checkKeys walks raw against t and refuses any object key that is not
// exactly a field's JSON name (encoding/json alone would accept "id" for
// "Id" and drop unknown keys). top allows RequestId.
func checkKeys(raw json.RawMessage, t reflect.Type, path string, top bool) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil {
			return nil // not an object: the type check reports it
		}
		fields := jsonFields(t)
		for k, v := range obj {
			if top && k == requestIDField {
				continue
			}
			ft, ok := fields[k]
			if !ok {
				return apierr.Newf(apierr.Validation, join(path, k), "unknown field%s", suggestion(k, fields))
			}
			if err := checkKeys(v, ft, join(path, k), false); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		var arr []json.RawMessage
		if json.Unmarshal(raw, &arr) != nil {
			return nil
		}
		for i, v := range arr {
			if err := checkKeys(v, t.Elem(), fmt.Sprintf("%s[%d]", path, i), false); err != nil {
				return err
			}
		}
	}
	return nil
}

// jsonFields maps a struct's JSON names to field types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	m := make(map[string]reflect.Type, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		m[name] = f.Type
	}
	return m
}

// suggestion names the field a mis-cased key was probably meant for.
func suggestion(k string, fields map[string]reflect.Type) string {
	for name := range fields {
		if strings.EqualFold(name, k) {
			return fmt.Sprintf(" (field names are case-sensitive: did you mean %q?)", name)
		}
	}
	return ""
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}
