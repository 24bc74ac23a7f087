package guest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// HostError is a host call that the host refused or that failed: Code is a short machine
// reason such as "denied", "not_found" or "unavailable", Message the human text.
type HostError struct {
	Code    string
	Message string
}

// Error returns "code: message".
func (e *HostError) Error() string {
	if e.Message == "" {
		return e.Code
	}
	return e.Code + ": " + e.Message
}

// errMalformedReply reports a reply from the host that is not the gateway's JSON shape.
var errMalformedReply = errors.New("malformed host reply")

// hostReply is the JSON the gateway returns for every command.
type hostReply struct {
	OK     *bool           `json:"ok"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// decodeReply parses a gateway reply and, on success, unmarshals its result into result
// (when result is non-nil). A refused call comes back as a *HostError.
func decodeReply(b []byte, result any) error {
	var r hostReply
	if err := json.Unmarshal(b, &r); err != nil {
		return fmt.Errorf("%w: %w", errMalformedReply, err)
	}
	if r.OK == nil {
		return fmt.Errorf("%w: no \"ok\" field", errMalformedReply)
	}
	if !*r.OK {
		if r.Error == nil {
			return &HostError{Code: "error"}
		}
		code := r.Error.Code
		if code == "" {
			code = "error"
		}
		return &HostError{Code: code, Message: r.Error.Message}
	}
	if result == nil || len(r.Result) == 0 || bytes.Equal(r.Result, []byte("null")) {
		return nil
	}
	if err := json.Unmarshal(r.Result, result); err != nil {
		return fmt.Errorf("decode result: %w", err)
	}
	return nil
}

// encodeArgs marshals the arguments of a host call; nil becomes {}.
func encodeArgs(args any) ([]byte, error) {
	switch a := args.(type) {
	case nil:
		return []byte("{}"), nil
	case json.RawMessage:
		return a, nil
	}
	b, err := json.Marshal(args)
	if err != nil {
		return nil, fmt.Errorf("encode args: %w", err)
	}
	return b, nil
}
