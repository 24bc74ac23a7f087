package guest

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Input returns the input of the current call. Each call copies it out of the host.
func Input() []byte { return hostInput() }

// InputJSON unmarshals the input of the current call into v. An empty input (a page's
// warden.invoke("backend.x") with no args sends none) decodes as JSON null, which leaves
// v as it is: the zero value of a fresh v.
func InputJSON(v any) error {
	if err := json.Unmarshal(orNull(Input()), v); err != nil {
		return fmt.Errorf("decode input: %w", err)
	}
	return nil
}

// Output sets the output of the current call; the last Output wins.
func Output(b []byte) { hostOutput(b) }

// OutputJSON marshals v and sets it as the output of the current call.
func OutputJSON(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode output: %w", err)
	}
	Output(b)
	return nil
}

// SetError sets the error of the current call. The export must then return non-zero
// (Handle does this); the caller sees err's text.
func SetError(err error) {
	if err == nil {
		return
	}
	hostSetError(err.Error())
}

// Config returns the host-provided configuration value for key.
func Config(key string) (string, bool) { return hostConfig(key) }

// Handle runs fn with the input of the current call, sets its output or its error and
// returns the status code the export must return: 0 on success, 1 on error. A panic in fn
// is reported as an error instead of killing the module.
func Handle(fn func(input []byte) ([]byte, error)) (status int32) {
	defer func() {
		if r := recover(); r != nil {
			hostSetError(fmt.Sprint("panic: ", r))
			status = 1
		}
	}()
	out, err := fn(Input())
	if err != nil {
		SetError(err)
		return 1
	}
	Output(out)
	return 0
}

// HandleJSON is Handle for JSON commands: the input is unmarshalled into an In and the
// Out that fn returns is marshalled as the output. An empty input (a call with no
// arguments) decodes as JSON null, so fn gets In's zero value: a nil pointer, an empty
// struct, "".
func HandleJSON[In, Out any](fn func(In) (Out, error)) int32 {
	return Handle(func(input []byte) ([]byte, error) {
		var in In
		if err := decodeJSON(orNull(input), &in); err != nil {
			return nil, fmt.Errorf("decode input: %w", err)
		}
		out, err := fn(in)
		if err != nil {
			return nil, err
		}
		b, err := encodeJSON(out)
		if err != nil {
			return nil, fmt.Errorf("encode output: %w", err)
		}
		return b, nil
	})
}

// Call sends cmd with args (marshalled to JSON; nil sends {}) through the host's
// capability gateway and unmarshals the result into result when it is non-nil. A call the
// host refuses returns a *HostError.
func Call(cmd string, args any, result any) error {
	a, err := encodeArgs(args)
	if err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	if err := decodeReply(hostCall(cmd, a), result); err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	return nil
}

// null is the JSON an empty input stands for.
var null = []byte("null")

// orNull returns input, or JSON null when input is empty or only white space: a caller
// that sends no arguments means "nothing", not a malformed document.
func orNull(input []byte) []byte {
	if len(bytes.TrimSpace(input)) == 0 {
		return null
	}
	return input
}
