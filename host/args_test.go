package host

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestRefusalsSpeakThePluginsTerms: a request with arguments of the wrong
// shape, or for a command the manifest does not list or a permission it
// lacks, is refused with its stable code and a message that says what was
// sent and what was expected, in the terms of the plugin's JSON and
// manifest, never in Go's.
func TestRefusalsSpeakThePluginsTerms(t *testing.T) {
	h := newHost(t, Options{})
	p := load(t, h, writeProbe(t, probeManifest{id: "test.warden.words", perms: []string{"storage", "fs.read", "http"}, read: []string{"$DATA/**"}, http: []string{"https://example.com/*"}, tiny: true}),
		LoadOptions{Grants: grants("storage", "fs.read")}) // http declared, not granted
	c := launch(t, p)
	var core []string
	for _, cap := range h.Commands() {
		core = append(core, cap.Command)
	}
	tests := []struct {
		cmd  string
		args string // raw JSON; "" sends none
		code Code
		want string
	}{
		{"storage.get", `"k"`, CodeBadArgs, `storage.get: args must be {"key": string}; got a string`},
		{"storage.get", `42`, CodeBadArgs, `storage.get: args must be {"key": string}; got a number`},
		{"storage.get", `["k"]`, CodeBadArgs, `storage.get: args must be {"key": string}; got an array`},
		{"storage.get", `{"key": 7}`, CodeBadArgs, `storage.get: args must be {"key": string}; got a number for "key"`},
		{"storage.get", `{"kye": "k"}`, CodeBadArgs, `storage.get: args must be {"key": string}; got an unknown field "kye"`},
		{"storage.get", ``, CodeBadArgs, `storage.get: args must be {"key": string}; got none`},
		{"storage.set", `{"key": "k", "value": true}`, CodeBadArgs, `storage.set: args must be {"key": string, "value": string}; got a boolean for "value"`},
		{"storage.list", `{"prefix": null, "limit": 3}`, CodeBadArgs, `storage.list: args must be {"prefix"?: string}; got an unknown field "limit"`},
		{"fs.read", `{"path": "$DATA/x", "data": "aGk="}`, CodeBadArgs, `fs.read: args must be {"path": string}; got an unknown field "data"`},
		{"fs.write", `{"path": "$DATA/x", "data": "!!"}`, CodeBadArgs, `fs.write: args must be {"path": string, "data"?: base64 string}; got a string that is not base64 where bytes are expected`},
		{"http.fetch", `{"url": "https://example.com/", "headers": {"a": 1}}`, CodeBadArgs, `http.fetch: args must be {"method"?: string, "url": string, "headers"?: {[name: string]: string}, "body"?: base64 string}; got a number for "headers`},
		{"log", `{"message": 1}`, CodeBadArgs, `log: args must be {"level"?: string, "message": string}; got a number for "message"`},
		{"backend.nope", `{}`, CodeNotDeclared, `backend.nope: the plugin's manifest does not list "nope" in commands (it lists: greet)`},
		{"fs.write", `{"path": "$DATA/x"}`, CodeNotDeclared, `fs.write: the plugin's manifest does not list "fs.write" in permissions (it lists: storage, fs.read, http)`},
		{"http.fetch", `{"url": "https://example.com/"}`, CodeNotGranted, `http.fetch: the user has not granted the "http" permission`},
		{"fs.read", `{"path": "/etc/passwd"}`, CodeOutOfScope, `fs.read: /etc/passwd matches no declared fs.read scope`},
		{"system.exec", `{}`, CodeUnknownCmd, `system.exec: no such command (the core's are ` + strings.Join(core, ", ") + `; "backend.<name>" calls the plugin's backend)`},
	}
	for _, tt := range tests {
		t.Run(tt.cmd+" "+tt.args, func(t *testing.T) {
			var args any
			if tt.args != "" {
				args = json.RawMessage(tt.args)
			}
			r := h.Invoke(t.Context(), c.l, c.seal(t, tt.cmd, args))
			if r.OK || r.Error.Code != tt.code || !strings.HasPrefix(r.Error.Message, tt.want) {
				t.Fatalf("got %+v\nwant code %s, message %s", r.Error, tt.code, tt.want)
			}
			if strings.Contains(r.Error.Message, "Go ") || strings.Contains(r.Error.Message, "host.") {
				t.Errorf("the message names Go: %s", r.Error.Message)
			}
		})
	}
}

// A backend's host call passes raw bytes, which may hold more than one
// value or a truncated one: an envelope's arguments cannot.
func TestDecodeArgsRawBytes(t *testing.T) {
	tests := []struct{ args, want string }{
		{`{"key": "k"} {"key": "l"}`, `storage.get: args must be {"key": string}; got more than one JSON value`},
		{`{"key": "k"`, `storage.get: args must be {"key": string}; got JSON that ends too soon`},
		{`{"key" "k"}`, `storage.get: args must be {"key": string}; got invalid JSON: invalid character '"' after object key`},
		{" \n", `storage.get: args must be {"key": string}; got none`},
	}
	for _, tt := range tests {
		var a keyArgs
		err := decodeArgs("storage.get", []byte(tt.args), &a)
		if codeOf(err) != CodeBadArgs || err.Error() != tt.want {
			t.Errorf("decodeArgs(%q) = %v (%s)\nwant %s", tt.args, err, codeOf(err), tt.want)
		}
	}
}

// FuzzDecodeArgs: whatever a plugin sends, a refusal of its arguments is
// bad_args, says what they must be, and never names a Go type.
func FuzzDecodeArgs(f *testing.F) {
	for _, s := range []string{`{"key":"k"}`, `"k"`, `{"kye":1}`, `{"url":"https://a/","headers":{"a":1},"body":"!"}`, `[`, `{"key":"k"} 1`, ``, `null`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, args []byte) {
		for _, v := range []any{&keyArgs{}, &fsWriteArgs{}, &emitArgs{}, &struct {
			N int               `json:"n"`
			M map[string]string `json:"m"`
		}{}} {
			err := decodeArgs("x.y", args, v)
			if err == nil {
				continue
			}
			msg := err.Error()
			if codeOf(err) != CodeBadArgs || !strings.HasPrefix(msg, "x.y: args must be {") || strings.Contains(msg, "Go ") || strings.Contains(msg, "host.") {
				t.Fatalf("decodeArgs(%q) into %T: %s (%s)", args, v, msg, codeOf(err))
			}
		}
	})
}
