package policy

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseFull(t *testing.T) {
	t.Parallel()
	p := mustParse(t, `{
  "policy_version": 1,
  "description": "Example Co",
  "default": "block",
  "require_signatures": true,
  "trusted_keys": ["`+keyA+`", "`+keyB+`"],
  "blocked_permissions": ["fs.write", "clipboard.*", "backend.export"],
  "ceilings": {"backend_timeout_ms": 5000, "backend_memory_mb": 128, "invoke_rate": 500, "storage_quota_bytes": 1048576},
  "plugins": [
    {"id": "com.example.*", "versions": ">=1.2 <2", "min_version": "1.2.0"},
    {"id": "com.example.notes", "pin": "1.4.2", "reason": "tested build"},
    {"id": "com.bad.tool", "allow": false, "reason": "leaks data"}
  ]
}`)
	if p.Default() != Block || !p.RequireSignatures() || p.Description() != "Example Co" {
		t.Errorf("default %q, require %v, description %q", p.Default(), p.RequireSignatures(), p.Description())
	}
	keys := p.TrustedKeys()
	if len(keys) != 2 || keys[0].ID != keyAID || keys[1].ID != keyBID || keys[0].Encoded != keyA {
		t.Errorf("trusted keys %+v", keys)
	}
	want := Ceilings{BackendTimeout: 5 * time.Second, BackendMemoryMB: 128, InvokeRate: 500, StorageQuota: 1 << 20}
	if got := p.Ceilings(); got != want {
		t.Errorf("ceilings %+v, want %+v", got, want)
	}
	if got := strings.Join(p.BlockedPermissions(), ","); got != "fs.write,clipboard.*,backend.export" {
		t.Errorf("blocked %s", got)
	}
	es := p.Entries()
	if len(es) != 3 || !es[0].Allow || es[1].Pin != "1.4.2" || es[2].Allow || es[2].Reason != "leaks data" || es[2].Index != 2 {
		t.Errorf("entries %+v", es)
	}
	if c := p.PermissionCeiling(); c.Allows("fs.write") || c.Allows("clipboard.read") || !c.Allows("fs.read") {
		t.Errorf("permission ceiling %+v", c)
	}
	// Callers get copies: changing them must not change the policy.
	keys[0].ID = "X"
	es[0].Allow = false
	if p.TrustedKeys()[0].ID != keyAID || !p.Entries()[0].Allow {
		t.Error("accessors return shared slices")
	}
}

func TestParseMinimal(t *testing.T) {
	t.Parallel()
	p := mustParse(t, `{"policy_version": 1, "default": "allow"}`)
	if p.Default() != Allow || p.RequireSignatures() || len(p.Entries()) != 0 || !p.Ceilings().IsZero() || p.Source != "inline" {
		t.Errorf("%+v", p)
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src string
		field     string // the JSON path named
		line, col int    // 0: not checked
		msg       string // part of the message
	}{
		{"not JSON", `{"policy_version": 1,,}`, "", 1, 22, "invalid JSON"},
		{"truncated", `{"policy_version": 1`, "", 0, 0, "unexpected end"},
		{"array at top", `[]`, "", 1, 1, "must be a JSON object"},
		{"trailing data", `{"policy_version": 1, "default": "allow"} {}`, "", 1, 43, "unexpected data"},
		{"BOM", "\xef\xbb\xbf{}", "", 1, 1, "byte order mark"},
		{"invalid UTF-8", "{\"description\": \"\xff\"}", "", 1, 18, "invalid UTF-8"},
		{"unknown field", "{\n  \"policy_version\": 1,\n  \"defualt\": \"allow\"\n}", "defualt", 3, 3, `unknown field "defualt"`},
		{"unknown entry field", withPlugins("allow", `{"id": "a.b", "version": "1"}`), "plugins[0].version", 0, 0, "allowed here: allow, id, min_version, pin, reason, versions"},
		{"unknown ceiling", `{"policy_version": 1, "default": "allow", "ceilings": {"cpu": 1}}`, "ceilings.cpu", 0, 0, "unknown field"},
		{"duplicate key", `{"policy_version": 1, "default": "allow", "default": "block"}`, "default", 1, 43, "duplicate key"},
		{"duplicate entry key", withPlugins("allow", `{"id": "a.b", "id": "a.c"}`), "plugins[0].id", 0, 0, "duplicate key"},
		{"wrong type string", `{"policy_version": 1, "default": true}`, "default", 1, 34, "must be a string, got true"},
		{"wrong type bool", `{"policy_version": 1, "default": "allow", "require_signatures": "yes"}`, "require_signatures", 0, 0, "must be true or false"},
		{"wrong type number", `{"policy_version": "1", "default": "allow"}`, "policy_version", 0, 0, "must be a whole number"},
		{"fraction", `{"policy_version": 1.5, "default": "allow"}`, "policy_version", 0, 0, "no fraction"},
		{"null", `{"policy_version": 1, "default": null}`, "default", 0, 0, "got null"},
		{"null object", `{"policy_version": 1, "default": "allow", "ceilings": null}`, "ceilings", 0, 0, "got null"},
		{"array wanted", `{"policy_version": 1, "default": "allow", "trusted_keys": "RW"}`, "trusted_keys", 0, 0, "must be an array"},
		{"object wanted", withPlugins("allow", `"a.b"`), "plugins[0]", 0, 0, "must be an object"},
		{"missing version", `{"default": "allow"}`, "policy_version", 1, 1, "is required"},
		{"bad version", `{"policy_version": 2, "default": "allow"}`, "policy_version", 1, 20, "must be 1, got 2"},
		{"missing default", `{"policy_version": 1}`, "default", 1, 1, "is required"},
		{"bad default", `{"policy_version": 1, "default": "deny"}`, "default", 1, 34, `must be "allow" or "block"`},
		{"bad key", `{"policy_version": 1, "default": "allow", "trusted_keys": ["nope"]}`, "trusted_keys[0]", 1, 60, "not a minisign public key"},
		{"bad key algorithm", `{"policy_version": 1, "default": "allow", "trusted_keys": ["` + "RUTAzLo8VT6V8JxwqrXAyetiTevzgqMzcCAxPzKkpc8xhf5weLgZPczz" + `"]}`, "trusted_keys[0]", 0, 0, "algorithm"},
		{"duplicate key id", `{"policy_version": 1, "default": "allow", "trusted_keys": ["` + keyA + `", "` + keyA + `"]}`, "trusted_keys[1]", 0, 0, "already listed"},
		{"signatures without keys", `{"policy_version": 1, "default": "allow", "require_signatures": true}`, "require_signatures", 0, 0, "needs at least one key"},
		{"unknown permission", `{"policy_version": 1, "default": "allow", "blocked_permissions": ["network"]}`, "blocked_permissions[0]", 0, 0, `unknown permission "network"`},
		{"bad permission pattern", `{"policy_version": 1, "default": "allow", "blocked_permissions": ["fs/*"]}`, "blocked_permissions[0]", 0, 0, "pattern"},
		{"duplicate permission", `{"policy_version": 1, "default": "allow", "blocked_permissions": ["http", "http"]}`, "blocked_permissions[1]", 0, 0, "already listed"},
		{"zero ceiling", `{"policy_version": 1, "default": "allow", "ceilings": {"invoke_rate": 0}}`, "ceilings.invoke_rate", 0, 0, "leave the field out"},
		{"huge timeout", `{"policy_version": 1, "default": "allow", "ceilings": {"backend_timeout_ms": 600000}}`, "ceilings.backend_timeout_ms", 0, 0, "between 1 and 60000"},
		{"negative memory", `{"policy_version": 1, "default": "allow", "ceilings": {"backend_memory_mb": -1}}`, "ceilings.backend_memory_mb", 0, 0, "between 1 and 4096"},
		{"huge number", `{"policy_version": 1, "default": "allow", "ceilings": {"storage_quota_bytes": 99999999999999999999}}`, "ceilings.storage_quota_bytes", 0, 0, "at most 15 digits"},
		{"missing id", withPlugins("allow", `{"allow": false}`), "plugins[0].id", 0, 0, "is required"},
		{"upper-case id", withPlugins("allow", `{"id": "Com.Example"}`), "plugins[0].id", 0, 0, "lower case"},
		{"double star", withPlugins("allow", `{"id": "com.**"}`), "plugins[0].id", 0, 0, "single"},
		{"duplicate id", withPlugins("allow", `{"id": "a.b"}`, `{"id": "a.b"}`), "plugins[1].id", 0, 0, "already listed as plugins[0]"},
		{"bad range", withPlugins("allow", `{"id": "a.b", "versions": ">= 1.2 <<2"}`), "plugins[0].versions", 0, 0, "invalid semver constraint"},
		{"bad min", withPlugins("allow", `{"id": "a.b", "min_version": "one"}`), "plugins[0].min_version", 0, 0, "invalid version"},
		{"bad pin", withPlugins("allow", `{"id": "a.b", "pin": "1.2.x"}`), "plugins[0].pin", 0, 0, "invalid version"},
		{"pin outside range", withPlugins("allow", `{"id": "a.b", "versions": "^2", "pin": "1.4.2"}`), "plugins[0].pin", 0, 0, "outside versions"},
		{"pin below min", withPlugins("allow", `{"id": "a.b", "min_version": "1.5.0", "pin": "1.4.2"}`), "plugins[0].pin", 0, 0, "below min_version"},
		{"block with versions", withPlugins("allow", `{"id": "a.b", "allow": false, "versions": "^1"}`), "plugins[0]", 0, 0, "blocks every version"},
		{"control char in reason", withPlugins("allow", `{"id": "a.b", "reason": "a\u0007b"}`), "plugins[0].reason", 0, 0, "control characters"},
		{"bidi override in reason", withPlugins("allow", `{"id": "a.b", "reason": "a\u202eb"}`), "plugins[0].reason", 0, 0, "control characters"},
		{"long reason", withPlugins("allow", `{"id": "a.b", "reason": "`+strings.Repeat("x", 513)+`"}`), "plugins[0].reason", 0, 0, "at most 512"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse([]byte(tt.src))
			if err == nil {
				t.Fatalf("parsed: %+v", p)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v does not match ErrInvalid", err)
			}
			var found *Error
			eachError(err, func(e *Error) {
				if found == nil && e.Field == tt.field {
					found = e
				}
			})
			if found == nil {
				t.Fatalf("no error names %q: %v", tt.field, err)
			}
			if !strings.Contains(found.Msg, tt.msg) {
				t.Errorf("message %q does not contain %q", found.Msg, tt.msg)
			}
			if tt.line > 0 && (found.Line != tt.line || found.Column != tt.col) {
				t.Errorf("at %d:%d, want %d:%d (%v)", found.Line, found.Column, tt.line, tt.col, found)
			}
			if found.Line == 0 {
				t.Errorf("no position: %v", found)
			}
		})
	}
}

func TestParseReportsAllValueErrors(t *testing.T) {
	t.Parallel()
	_, err := Parse([]byte(`{"policy_version": 3, "default": "x", "plugins": [{"id": "A"}, {"id": "b.c", "pin": "z"}]}`))
	var fields []string
	eachError(err, func(e *Error) { fields = append(fields, e.Field) })
	want := "policy_version,default,plugins[0].id,plugins[1].pin"
	if got := strings.Join(fields, ","); got != want {
		t.Errorf("fields %s, want %s", got, want)
	}
}

func TestErrorString(t *testing.T) {
	t.Parallel()
	e := &Error{File: "/etc/warden/policy.json", Field: "plugins[0].pin", Line: 7, Column: 19, Msg: "invalid version"}
	if got, want := e.Error(), "/etc/warden/policy.json:7:19: plugins[0].pin: invalid version"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
	if got, want := (&Error{Msg: "too big"}).Error(), "policy: too big"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
}

func TestParseTooLarge(t *testing.T) {
	t.Parallel()
	_, err := Parse(make([]byte, MaxSize+1))
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("got %v", err)
	}
}

func TestParseArrayLimit(t *testing.T) {
	t.Parallel()
	src := `{"policy_version": 1, "default": "allow", "blocked_permissions": [` + strings.Repeat(`"http",`, maxArrayLen) + `"http"]}`
	_, err := Parse([]byte(src))
	if err == nil || !strings.Contains(err.Error(), "at most 4096 entries") {
		t.Errorf("got %v", err)
	}
}
