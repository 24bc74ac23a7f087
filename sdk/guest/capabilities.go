package guest

import (
	"encoding/json"
	"fmt"
)

// StorageGet returns the value stored under key in the plugin's storage and whether it
// exists. Needs the "storage" permission.
func StorageGet(key string) (value string, found bool, err error) {
	var r struct {
		Value *string `json:"value"`
		Found bool    `json:"found"`
	}
	if err := Call("storage.get", struct {
		Key string `json:"key"`
	}{key}, &r); err != nil {
		return "", false, err
	}
	if r.Value != nil {
		value = *r.Value
	}
	return value, r.Found, nil
}

// StorageSet stores value under key in the plugin's storage.
func StorageSet(key, value string) error {
	return Call("storage.set", struct {
		Key   string `json:"key"`
		Value string `json:"value"`
	}{key, value}, nil)
}

// StorageDelete removes key from the plugin's storage; removing a missing key is not an
// error.
func StorageDelete(key string) error {
	return Call("storage.delete", struct {
		Key string `json:"key"`
	}{key}, nil)
}

// StorageList returns the keys of the plugin's storage that start with prefix.
func StorageList(prefix string) ([]string, error) {
	var r struct {
		Keys []string `json:"keys"`
	}
	if err := Call("storage.list", struct {
		Prefix string `json:"prefix"`
	}{prefix}, &r); err != nil {
		return nil, err
	}
	return r.Keys, nil
}

// ReadFile reads a file the plugin may read (fs.read scopes).
func ReadFile(path string) ([]byte, error) {
	var r struct {
		Data []byte `json:"data"` // base64 in JSON
	}
	if err := Call("fs.read", struct {
		Path string `json:"path"`
	}{path}, &r); err != nil {
		return nil, err
	}
	return r.Data, nil
}

// WriteFile writes data to a file the plugin may write (fs.write scopes).
func WriteFile(path string, data []byte) error {
	return Call("fs.write", struct {
		Path string `json:"path"`
		Data []byte `json:"data"`
	}{path, data}, nil)
}

// HTTPRequest is a request made through the host's http capability.
type HTTPRequest struct {
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    []byte            `json:"body,omitempty"`
}

// HTTPResponse is the host's answer to an HTTPRequest.
type HTTPResponse struct {
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    []byte            `json:"body"`
}

// Fetch performs req through the host; the URL must match the plugin's http patterns.
func Fetch(req HTTPRequest) (HTTPResponse, error) {
	if req.Method == "" {
		req.Method = "GET"
	}
	var resp HTTPResponse
	if err := Call("http.fetch", req, &resp); err != nil {
		return HTTPResponse{}, err
	}
	return resp, nil
}

// Log writes message to the host's log for this plugin; level is debug, info, warn or
// error.
func Log(level, message string) error {
	switch level {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("log: unknown level %q", level)
	}
	return Call("log", struct {
		Level   string `json:"level"`
		Message string `json:"message"`
	}{level, message}, nil)
}

// Emit sends event with payload (marshalled to JSON) to the plugin's pages.
func Emit(event string, payload any) error {
	p, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("event.emit: encode payload: %w", err)
	}
	return Call("event.emit", struct {
		Event   string          `json:"event"`
		Payload json.RawMessage `json:"payload"`
	}{event, p}, nil)
}

// Notify shows a desktop notification with title and body (plain text),
// marked as coming from the plugin. Needs the "notifications" permission.
func Notify(title, body string) error {
	return Call("notifications.show", struct {
		Title string `json:"title"`
		Body  string `json:"body,omitempty"`
	}{title, body}, nil)
}

// CallPlugin calls command, one the plugin with id plugin lists in its
// manifest's "exports", with args (marshalled to JSON) and unmarshals its
// result into result when it is non-nil. Needs "messaging:<plugin>".
func CallPlugin(plugin, command string, args, result any) error {
	a, err := json.Marshal(args)
	if err != nil {
		return fmt.Errorf("messaging.call: encode args: %w", err)
	}
	return Call("messaging.call", struct {
		Plugin  string          `json:"plugin"`
		Command string          `json:"command"`
		Args    json.RawMessage `json:"args"`
	}{plugin, command, a}, result)
}
