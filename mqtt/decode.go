package mqtt

import (
	"encoding/json"

	"github.com/lgwagent/lgw/strictjson"
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
// operation's input struct) with strictjson's rules: exact keys at every
// level, no duplicate key, no unknown key, no wrong type, no trailing
// data; RequestId is allowed at the top. Refusals are ValidationExceptions
// naming the field. An empty body is {}.
func decodeCommand(body []byte, v any) error {
	return strictjson.Decode(body, v, strictjson.Options{MaxSize: maxCommandSize, Extra: []string{requestIDField}})
}
