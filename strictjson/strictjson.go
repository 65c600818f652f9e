// Package strictjson decodes the JSON bodies of lgw's commands strictly:
// keys must match the field names exactly at every depth, a key may
// appear only once per object, unknown keys, wrong types, trailing data
// and malformed JSON are refused, and base64 fields take no whitespace.
// Every refusal is an *apierr.Error of kind ValidationException naming
// the field, so an adapter can answer it as is.
package strictjson

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"

	"github.com/lgwagent/lgw/apierr"
)

// MaxDepth bounds the nesting of a body.
const MaxDepth = 32

// Options tunes Decode.
type Options struct {
	// MaxSize bounds the body in bytes (0: no bound).
	MaxSize int
	// Extra lists top-level keys accepted besides v's fields (an
	// envelope's RequestId); each must be a JSON string.
	Extra []string
}

// Decode decodes body, a JSON object, into v (a pointer to a struct). An
// empty body is {}.
func Decode(body []byte, v any, o Options) error {
	if o.MaxSize > 0 && len(body) > o.MaxSize {
		return apierr.Newf(apierr.Validation, "", "body of %d bytes is larger than %d", len(body), o.MaxSize)
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
	if err := CheckDuplicates(body); err != nil {
		return err
	}
	extra := map[string]bool{}
	for _, k := range o.Extra {
		extra[k] = true
	}
	if err := checkKeys(body, reflect.TypeOf(v).Elem(), "", extra); err != nil {
		return err
	}
	if len(extra) > 0 {
		var top map[string]json.RawMessage
		_ = json.Unmarshal(body, &top) // a valid object, checked above
		for k := range extra {
			if raw, ok := top[k]; ok {
				var s string
				if json.Unmarshal(raw, &s) != nil {
					return apierr.Newf(apierr.Validation, k, "want a string")
				}
			}
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

// CheckDuplicates refuses a valid JSON text in which an object has the
// same key twice (encoding/json keeps the last silently), naming the key
// by its path, and one nested deeper than MaxDepth.
func CheckDuplicates(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := walk(dec, "", 0); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return apierr.Newf(apierr.Validation, "", "trailing data after the JSON value")
	}
	return nil
}

func walk(dec *json.Decoder, path string, depth int) error {
	tok, err := dec.Token()
	if err != nil {
		return apierr.Newf(apierr.Validation, path, "malformed JSON: %s", syntaxMessage(err))
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	if depth >= MaxDepth {
		return apierr.Newf(apierr.Validation, path, "nested deeper than %d levels", MaxDepth)
	}
	switch d {
	case '{':
		seen := map[string]bool{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return apierr.Newf(apierr.Validation, path, "malformed JSON: %s", syntaxMessage(err))
			}
			k, _ := kt.(string)
			p := Join(path, k)
			if seen[k] {
				return apierr.Newf(apierr.Validation, p, "duplicate key (each key may appear once)")
			}
			seen[k] = true
			if err := walk(dec, p, depth+1); err != nil {
				return err
			}
		}
	case '[':
		for i := 0; dec.More(); i++ {
			if err := walk(dec, fmt.Sprintf("%s[%d]", path, i), depth+1); err != nil {
				return err
			}
		}
	}
	if _, err := dec.Token(); err != nil { // the closing delimiter
		return apierr.Newf(apierr.Validation, path, "malformed JSON: %s", syntaxMessage(err))
	}
	return nil
}

// Base64 decodes a standard base64 field strictly: no whitespace, line
// breaks or missing padding (encoding/base64 skips \r and \n silently).
func Base64(field, s string) ([]byte, error) {
	if i := strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '+' || r == '/' || r == '=')
	}); i >= 0 {
		return nil, apierr.Newf(apierr.Validation, field, "not base64: character %q at offset %d", s[i], i)
	}
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, apierr.Newf(apierr.Validation, field, "not base64: %v", err)
	}
	return b, nil
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
		return "an integer in range"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a non-negative integer in range"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Struct, reflect.Map:
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
// "Id" and drop unknown keys). extra lists the keys allowed at the top.
func checkKeys(raw json.RawMessage, t reflect.Type, path string, extra map[string]bool) error {
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
			if extra[k] {
				continue
			}
			ft, ok := fields[k]
			if !ok {
				return apierr.Newf(apierr.Validation, Join(path, k), "unknown field%s", suggestion(k, fields))
			}
			if err := checkKeys(v, ft, Join(path, k), nil); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		var arr []json.RawMessage
		if json.Unmarshal(raw, &arr) != nil {
			return nil
		}
		for i, v := range arr {
			if err := checkKeys(v, t.Elem(), fmt.Sprintf("%s[%d]", path, i), nil); err != nil {
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
		if f.Anonymous && name == "" {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range jsonFields(ft) {
					if _, shadowed := m[k]; !shadowed {
						m[k] = v
					}
				}
				continue
			}
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

// Join appends a key to a field path.
func Join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}
