package manifest

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// exampleJSON is the example manifest of the design reference.
const exampleJSON = `{
  "manifest_version": 1,
  "id": "com.example.notes",
  "name": "Notes",
  "version": "1.4.2",
  "description": "Markdown notes kept on this machine.",
  "publisher": "Example Co",
  "host": ">=0.1.0 <1.0.0",
  "ui": { "entry": "ui/index.html", "window": { "title": "Notes", "width": 900, "height": 640 } },
  "backend": { "wasm": "backend/notes.wasm", "timeout_ms": 1000, "memory_mb": 64 },
  "commands": ["render", "search"],
  "permissions": ["storage", "notifications"],
  "fs": { "read": ["$DOCUMENTS/**/*.md"], "write": [] },
  "http": ["https://api.example.com/*"],
  "optional_permissions": ["clipboard.write"],
  "content_security_policy": "default-src 'self'; img-src 'self' data:"
}`

func TestParseExample(t *testing.T) {
	t.Parallel()
	m, err := Parse([]byte(exampleJSON))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := &Manifest{
		ManifestVersion:       1,
		ID:                    "com.example.notes",
		Name:                  "Notes",
		Version:               "1.4.2",
		Description:           "Markdown notes kept on this machine.",
		Publisher:             "Example Co",
		Host:                  ">=0.1.0 <1.0.0",
		UI:                    &UI{Entry: "ui/index.html", Window: &Window{Title: "Notes", Width: 900, Height: 640}},
		Backend:               &Backend{Wasm: "backend/notes.wasm", TimeoutMS: 1000, MemoryMB: 64},
		Commands:              []string{"render", "search"},
		Permissions:           []string{"storage", "notifications"},
		FS:                    &FS{Read: []string{"$DOCUMENTS/**/*.md"}},
		HTTP:                  []string{"https://api.example.com/*"},
		OptionalPermissions:   []string{"clipboard.write"},
		ContentSecurityPolicy: "default-src 'self'; img-src 'self' data:",
	}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("Parse =\n%+v\nwant\n%+v", m, want)
	}
	if err := m.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
	d, err := m.Declared()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := d.Permissions, []string{"storage", "notifications", "clipboard.write", "fs.read", "http"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Declared().Permissions = %v, want %v", got, want)
	}
	if len(d.FSRead) != 1 || d.FSRead[0].String() != "$DOCUMENTS/**/*.md" || len(d.FSWrite) != 0 ||
		len(d.HTTP) != 1 || d.HTTP[0].String() != "https://api.example.com/*" || !reflect.DeepEqual(d.Commands, m.Commands) {
		t.Errorf("Declared() = %+v", d)
	}
	if got, want := m.ConsentPermissions(), []string{"storage", "fs.read", "http", "notifications"}; !reflect.DeepEqual(got, want) {
		t.Errorf("ConsentPermissions() = %v, want %v", got, want)
	}
	if got := m.CSP(); len(got) != 2 || got[0] != DefaultCSP || got[1] != m.ContentSecurityPolicy {
		t.Errorf("CSP() = %q", got)
	}
	if m.BackendTimeout() != time.Second || m.BackendMemoryMB() != 64 {
		t.Errorf("backend limits = %v, %d", m.BackendTimeout(), m.BackendMemoryMB())
	}
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	m := &Manifest{}
	if m.BackendTimeout() != DefaultBackendTimeout || m.BackendMemoryMB() != DefaultBackendMemoryMB {
		t.Errorf("no backend: %v, %d", m.BackendTimeout(), m.BackendMemoryMB())
	}
	m.Backend = &Backend{Wasm: "a.wasm", TimeoutMS: 2500, MemoryMB: 128}
	if m.BackendTimeout() != 2500*time.Millisecond || m.BackendMemoryMB() != 128 {
		t.Errorf("set: %v, %d", m.BackendTimeout(), m.BackendMemoryMB())
	}
	if got := m.CSP(); len(got) != 1 || got[0] != DefaultCSP {
		t.Errorf("CSP() = %q", got)
	}
}

func TestParseJSONErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		in        string
		field     string
		line, col int
		msg       string
	}{
		{"unknown field", "{\n  \"manifest_version\": 1,\n  \"nmae\": \"x\"\n}", "nmae", 3, 3, `unknown field "nmae"`},
		{"unknown nested field", "{\n  \"backend\": {\"wasm\": \"a.wasm\",\n    \"timeout\": 5}\n}", "backend.timeout", 3, 5, "allowed here: memory_mb, timeout_ms, toolchain, wasm"},
		{"case variant", `{"ID": "com.example.x"}`, "ID", 1, 2, "unknown field"},
		{"duplicate key", "{\"id\": \"a.b\",\n \"id\": \"c.d\"}", "id", 2, 2, `duplicate key "id"`},
		{"duplicate escaped key", `{"id": "a.b", "\u0069d": "c.d"}`, "id", 1, 15, "duplicate key"},
		{"string for int", "{\"manifest_version\": \"1\"}", "manifest_version", 1, 22, "must be an integer, got a string"},
		{"int for string", "{\n\"backend\": {\"wasm\": 5}}", "backend.wasm", 2, 21, "must be a string, got a number"},
		{"fraction", `{"backend": {"wasm": "a.wasm", "timeout_ms": 1.5}}`, "backend.timeout_ms", 1, 46, "whole number"},
		{"exponent", `{"backend": {"wasm": "a.wasm", "timeout_ms": 1e3}}`, "backend.timeout_ms", 1, 46, "whole number"},
		{"huge number", `{"manifest_version": 99999999999999999999}`, "manifest_version", 1, 22, "whole number"},
		{"null object", `{"ui": null}`, "ui", 1, 8, "must be an object, got null"},
		{"null string", `{"id": null}`, "id", 1, 8, "must be a string, got null"},
		{"bool", `{"name": true}`, "name", 1, 10, "got true"},
		{"array for object", `{"fs": []}`, "fs", 1, 8, "must be an object, got an array"},
		{"string for array", `{"commands": "render"}`, "commands", 1, 14, "must be an array of strings"},
		{"number in array", "{\"commands\": [\"a\",\n   1]}", "commands[1]", 2, 4, "must be a string, got a number"},
		{"explicit zero", "{\"ui\": {\"entry\": \"a.html\", \"window\": {\"width\": 0}}}", "ui.window.width", 1, 48, "must not be 0"},
		{"trailing data", "{\"id\": \"a.b\"}\n{}", "", 2, 1, "unexpected data after"},
		{"trailing garbage", "{} x", "", 1, 4, "unexpected data after"},
		{"syntax error", "{\n  \"id\" \"x\"\n}", "id", 2, 8, "invalid JSON"},
		{"trailing comma", "{\"id\": \"x\",}", "", 1, 12, "invalid JSON"},
		{"truncated", `{"id": "x"`, "", 1, 11, "unexpected end"},
		{"empty", ``, "", 1, 1, "unexpected end"},
		{"top-level array", ` []`, "", 1, 2, "must be an object, got an array"},
		{"top-level string", `"x"`, "", 1, 1, "must be an object, got a string"},
		{"byte order mark", "\xef\xbb\xbf{}", "", 1, 1, "byte order mark"},
		{"invalid UTF-8", "{\"name\": \"é\xff\"}", "", 1, 12, "invalid UTF-8"},
		{"too many entries", `{"commands": [` + strings.Repeat(`"a",`, 256) + `"a"]}`, "commands", 1, 1039, "at most 256"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.in))
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("Parse error = %v, want a *FieldError", err)
			}
			if fe.Field != tt.field || fe.Line != tt.line || fe.Column != tt.col || !strings.Contains(fe.Msg, tt.msg) {
				t.Errorf("got field %q at %d:%d msg %q\nwant field %q at %d:%d msg containing %q",
					fe.Field, fe.Line, fe.Column, fe.Msg, tt.field, tt.line, tt.col, tt.msg)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v does not match ErrInvalid", err)
			}
		})
	}
}

func TestParseTooLarge(t *testing.T) {
	t.Parallel()
	big := make([]byte, MaxSize+1)
	for i := range big {
		big[i] = ' '
	}
	if _, err := Parse(big); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("Parse(too large) = %v", err)
	}
}

func TestFieldErrorString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		e    FieldError
		want string
	}{
		{FieldError{Field: "backend.timeout_ms", Line: 3, Column: 5, Msg: "must be between 1 and 60000, got 0"},
			"manifest.json:3:5: backend.timeout_ms: must be between 1 and 60000, got 0"},
		{FieldError{Field: "id", Msg: "is required"}, "manifest.json: id: is required"},
		{FieldError{Line: 1, Column: 1, Msg: "invalid JSON"}, "manifest.json:1:1: invalid JSON"},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

// mutate returns the example manifest with change applied to its decoded
// form, re-encoded with indentation so positions span several lines.
func mutate(t *testing.T, change func(map[string]any)) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal([]byte(exampleJSON), &doc); err != nil {
		t.Fatal(err)
	}
	change(doc)
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sub(doc map[string]any, key string) map[string]any { return doc[key].(map[string]any) }

func TestValidationErrors(t *testing.T) {
	t.Parallel()
	set := func(key string, v any) func(map[string]any) {
		return func(d map[string]any) { d[key] = v }
	}
	del := func(key string) func(map[string]any) {
		return func(d map[string]any) { delete(d, key) }
	}
	tests := []struct {
		name   string
		change func(map[string]any)
		field  string
		msg    string
	}{
		{"version 2", set("manifest_version", 2), "manifest_version", "must be 1, got 2"},
		{"version missing", del("manifest_version"), "manifest_version", "must be 1, got 0"},
		{"id missing", del("id"), "id", "is required"},
		{"id upper case", set("id", "com.Example.notes"), "id", "reverse-DNS"},
		{"id one label", set("id", "notes"), "id", "reverse-DNS"},
		{"id leading digit", set("id", "1com.example"), "id", "reverse-DNS"},
		{"id label dash", set("id", "com.example-.notes"), "id", "must not end with '-'"},
		{"id long label", set("id", "com."+strings.Repeat("a", 64)), "id", "at most 63"},
		{"id too long", set("id", "com."+strings.Repeat("abcdefghi.", 13)+"x"), "id", "at most 128"},
		{"name missing", del("name"), "name", "is required"},
		{"name too long", set("name", strings.Repeat("n", 65)), "name", "1 to 64 characters, got 65"},
		{"name control", set("name", "No\ttes"), "name", "control"},
		{"name bidi", set("name", "Notes\u202egpj.exe"), "name", "control"},
		{"name spaces", set("name", " Notes"), "name", "white space"},
		{"version missing", del("version"), "version", "is required"},
		{"version short", set("version", "1.4"), "version", "semantic version"},
		{"version v", set("version", "v1.4.2"), "version", "semantic version"},
		{"description long", set("description", strings.Repeat("d", 513)), "description", "0 to 512"},
		{"publisher long", set("publisher", strings.Repeat("p", 129)), "publisher", "0 to 128"},
		{"host missing", del("host"), "host", "is required"},
		{"host bad", set("host", "newest please"), "host", "semver constraint"},
		{"ui entry missing", func(d map[string]any) { delete(sub(d, "ui"), "entry") }, "ui.entry", "is required"},
		{"ui entry dotdot", func(d map[string]any) { sub(d, "ui")["entry"] = "../index.html" }, "ui.entry", "inside the bundle"},
		{"ui entry absolute", func(d map[string]any) { sub(d, "ui")["entry"] = "/ui/index.html" }, "ui.entry", "relative"},
		{"ui entry backslash", func(d map[string]any) { sub(d, "ui")["entry"] = "ui\\index.html" }, "ui.entry", "forward slashes"},
		{"ui entry unclean", func(d map[string]any) { sub(d, "ui")["entry"] = "ui/./index.html" }, "ui.entry", "clean path"},
		{"ui entry NUL", func(d map[string]any) { sub(d, "ui")["entry"] = "ui/in\x00dex.html" }, "ui.entry", "control"},
		{"ui entry long", func(d map[string]any) { sub(d, "ui")["entry"] = strings.Repeat("a", 252) + ".html" }, "ui.entry", "at most 255"},
		{"ui entry not html", func(d map[string]any) { sub(d, "ui")["entry"] = "ui/index.js" }, "ui.entry", ".html"},
		{"window width", func(d map[string]any) { sub(sub(d, "ui"), "window")["width"] = 100 }, "ui.window.width", "between 200 and 8192, got 100"},
		{"window height", func(d map[string]any) { sub(sub(d, "ui"), "window")["height"] = 9000 }, "ui.window.height", "between 200 and 8192"},
		{"window negative", func(d map[string]any) { sub(sub(d, "ui"), "window")["height"] = -1 }, "ui.window.height", "between 200 and 8192"},
		{"window title", func(d map[string]any) { sub(sub(d, "ui"), "window")["title"] = "a\nb" }, "ui.window.title", "control"},
		{"wasm missing", func(d map[string]any) { delete(sub(d, "backend"), "wasm") }, "backend.wasm", "is required"},
		{"wasm extension", func(d map[string]any) { sub(d, "backend")["wasm"] = "backend/notes.so" }, "backend.wasm", ".wasm"},
		{"wasm traversal", func(d map[string]any) { sub(d, "backend")["wasm"] = "backend/../../x.wasm" }, "backend.wasm", "inside the bundle"},
		{"timeout high", func(d map[string]any) { sub(d, "backend")["timeout_ms"] = 60001 }, "backend.timeout_ms", "between 1 and 60000, got 60001"},
		{"timeout negative", func(d map[string]any) { sub(d, "backend")["timeout_ms"] = -5 }, "backend.timeout_ms", "between 1 and 60000"},
		{"memory high", func(d map[string]any) { sub(d, "backend")["memory_mb"] = 4097 }, "backend.memory_mb", "between 1 and 4096"},
		{"unknown toolchain", func(d map[string]any) { sub(d, "backend")["toolchain"] = "rust" }, "backend.toolchain", `must be "go", "assemblyscript" or "js", got "rust"`},
		{"commands without backend", del("backend"), "commands", "need a backend"},
		{"command name", set("commands", []string{"render", "Search"}), "commands[1]", "must match"},
		{"command dash", set("commands", []string{"re-nder"}), "commands[0]", "must match"},
		{"command duplicate", set("commands", []string{"render", "render"}), "commands[1]", "duplicate"},
		{"permission unknown", set("permissions", []string{"storage", "camera"}), "permissions[1]", `unknown permission "camera"; known: storage, fs.read`},
		{"permission backend", set("permissions", []string{"backend.render"}), "permissions[0]", "commands"},
		{"permission duplicate", set("permissions", []string{"storage", "storage"}), "permissions[1]", "duplicate"},
		{"messaging malformed", set("permissions", []string{"messaging:Search"}), "permissions[0]", `use "messaging:" then the id`},
		{"messaging self", set("permissions", []string{"messaging:com.example.notes"}), "permissions[0]", "its own commands"},
		{"messaging duplicate", set("permissions", []string{"messaging:a.b", "messaging:a.b"}), "permissions[1]", "duplicate"},
		{"optional messaging duplicate", func(d map[string]any) {
			d["permissions"] = []string{"messaging:a.b"}
			d["optional_permissions"] = []string{"messaging:a.b"}
		}, "optional_permissions[0]", "already in"},
		{"export not a command", set("exports", []string{"render", "nope"}), "exports[1]", `"nope" is not in "commands"`},
		{"fs.read bad pattern", func(d map[string]any) { sub(d, "fs")["read"] = []string{"/etc/*"} }, "fs.read[0]", "$DATA"},
		{"fs.write dotdot", func(d map[string]any) { sub(d, "fs")["write"] = []string{"$DATA/../x"} }, "fs.write[0]", ".."},
		{"fs.write duplicate", func(d map[string]any) { sub(d, "fs")["write"] = []string{"$DATA/**", "$DATA/**"} }, "fs.write[1]", "duplicate"},
		{"fs.write without scope", set("permissions", []string{"storage", "fs.write"}), "permissions", `"fs.write" needs at least one pattern`},
		{"http bad pattern", set("http", []string{"https://api.example.com/*", "file:///x"}), "http[1]", "match pattern"},
		{"http bad host", set("http", []string{"https://*foo.com/*"}), "http[0]", "wildcard"},
		{"http without scope", func(d map[string]any) { delete(d, "http"); d["optional_permissions"] = []string{"http"} }, "permissions", `"http" needs at least one pattern`},
		{"optional unknown", set("optional_permissions", []string{"camera"}), "optional_permissions[0]", "unknown permission"},
		{"optional implicit", set("optional_permissions", []string{"log"}), "optional_permissions[0]", "needs no consent"},
		{"optional in permissions", set("optional_permissions", []string{"storage"}), "optional_permissions[0]", "already"},
		{"optional duplicate", set("optional_permissions", []string{"dialog", "dialog"}), "optional_permissions[1]", "duplicate"},
		{"csp loosens", set("content_security_policy", "connect-src https://x.com"), "content_security_policy", `"connect-src": source "https://x.com"`},
		{"csp header injection", set("content_security_policy", "img-src 'self'\r\nX-Evil: 1"), "content_security_policy", "printable ASCII"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := mutate(t, tt.change)
			_, err := Parse(data)
			if err == nil {
				t.Fatalf("Parse succeeded:\n%s", data)
			}
			fe := findField(err, tt.field)
			if fe == nil {
				t.Fatalf("no error for field %q in: %v", tt.field, err)
			}
			if !strings.Contains(fe.Msg, tt.msg) {
				t.Errorf("%s: msg %q does not contain %q", tt.field, fe.Msg, tt.msg)
			}
			if fe.Line == 0 {
				t.Errorf("%s: no position in %v", tt.field, fe)
			}
		})
	}
}

func findField(err error, field string) *FieldError {
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	for _, e := range errs {
		var fe *FieldError
		if errors.As(e, &fe) && fe.Field == field {
			return fe
		}
	}
	return nil
}

func TestValidationPositions(t *testing.T) {
	t.Parallel()
	in := "{\n  \"manifest_version\": 1,\n  \"id\": \"com.example.x\",\n  \"name\": \"X\",\n  \"version\": \"1.0.0\",\n  \"host\": \"*\",\n  \"backend\": {\n    \"wasm\": \"a.wasm\",\n    \"timeout_ms\": 70000\n  },\n  \"ui\": {\"window\": {}}\n}"
	_, err := Parse([]byte(in))
	if fe := findField(err, "backend.timeout_ms"); fe == nil || fe.Line != 9 || fe.Column != 19 {
		t.Errorf("timeout error = %+v in %v", fe, err)
	} else if got, want := fe.Error(), "manifest.json:9:19: backend.timeout_ms: must be between 1 and 60000, got 70000"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	// A missing field points at the object that should hold it.
	if fe := findField(err, "ui.entry"); fe == nil || fe.Line != 11 || fe.Column != 9 {
		t.Errorf("ui.entry error = %+v", fe)
	}
}

func TestValidateReportsAll(t *testing.T) {
	t.Parallel()
	m := &Manifest{ManifestVersion: 1, ID: "com.example.x", Name: "X", Version: "1.0.0", Host: "*"}
	if err := m.Validate(); err != nil {
		t.Fatalf("minimal manifest: %v", err)
	}
	m.Version = "x"
	var fe *FieldError
	if err := m.Validate(); !errors.As(err, &fe) || fe.Field != "version" {
		t.Errorf("one problem: %v", err)
	}
	m.Name = ""
	m.Commands = []string{"run"}
	err := m.Validate()
	for _, f := range []string{"version", "name", "commands"} {
		if findField(err, f) == nil {
			t.Errorf("Validate() = %v, missing %s", err, f)
		}
	}
}

func TestCheckHost(t *testing.T) {
	t.Parallel()
	m := &Manifest{ID: "com.example.x", Version: "1.0.0", Host: ">=0.1.0 <1.0.0"}
	tests := []struct {
		host         string
		incompatible bool
		invalid      bool
	}{
		{"0.1.0", false, false},
		{"0.9.9", false, false},
		{"0.2.0-dev", false, false},
		{"1.0.0", true, false},
		{"0.0.9", true, false},
		{"1.0.0-rc.1", true, false},
		{"banana", false, true},
	}
	for _, tt := range tests {
		err := m.CheckHost(tt.host)
		switch {
		case tt.invalid:
			if err == nil || errors.Is(err, ErrHostIncompatible) {
				t.Errorf("CheckHost(%q) = %v, want an invalid-version error", tt.host, err)
			}
		case tt.incompatible:
			if !errors.Is(err, ErrHostIncompatible) || !strings.Contains(err.Error(), tt.host) || !strings.Contains(err.Error(), m.Host) {
				t.Errorf("CheckHost(%q) = %v, want ErrHostIncompatible naming both versions", tt.host, err)
			}
		default:
			if err != nil {
				t.Errorf("CheckHost(%q) = %v", tt.host, err)
			}
		}
	}
	bad := &Manifest{Host: "what"}
	if err := bad.CheckHost("1.0.0"); err == nil || errors.Is(err, ErrHostIncompatible) {
		t.Errorf("bad constraint: %v", err)
	}
}
