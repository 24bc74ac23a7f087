package policy

import (
	"strings"
	"testing"
)

func TestExplain(t *testing.T) {
	t.Parallel()
	p := mustParse(t, `{
  "policy_version": 1,
  "default": "block",
  "require_signatures": true,
  "trusted_keys": ["`+keyA+`"],
  "blocked_permissions": ["http"],
  "ceilings": {"backend_timeout_ms": 5000, "invoke_rate": 500},
  "plugins": [
    {"id": "*", "allow": false, "reason": "ask IT"},
    {"id": "com.example.*", "versions": ">=1.2 <2", "min_version": "1.3.0"},
    {"id": "com.example.notes", "pin": "1.4.2"}
  ]
}`)
	tests := []struct {
		id   string
		want []string
	}{
		{"com.example.notes", []string{
			"policy: inline",
			`entry: plugins[2] "com.example.notes" (most specific; also matching: plugins[0] "*", plugins[1] "com.example.*")`,
			"allowed: yes, only version 1.4.2",
			"signatures: required, by one of the trusted publisher keys " + keyAID,
			"blocked permissions: http",
			"ceilings: backend timeout 5s, 500 invokes/s",
		}},
		{"com.example.todo", []string{
			"policy: inline",
			`entry: plugins[1] "com.example.*" (most specific; also matching: plugins[0] "*")`,
			"allowed: yes, versions >=1.2 <2, at least 1.3.0",
		}},
		{"org.other", []string{
			"policy: inline",
			`entry: plugins[0] "*"`,
			"allowed: no, the admin policy blocks org.other: ask IT",
		}},
	}
	for _, tt := range tests {
		got := p.Explain(tt.id)
		if len(got) < len(tt.want) {
			t.Fatalf("%s: %q", tt.id, got)
		}
		for i, w := range tt.want {
			if got[i] != w {
				t.Errorf("%s line %d: %q, want %q", tt.id, i, got[i], w)
			}
		}
	}
}

func TestExplainDefaults(t *testing.T) {
	t.Parallel()
	p := mustParse(t, `{"policy_version": 1, "default": "block"}`)
	got := strings.Join(p.Explain("com.x"), "\n")
	for _, w := range []string{"entry: none matches com.x; the default is block", "allowed: no, the admin policy allows only listed plugins", "signatures: not required", "blocked permissions: none", "ceilings: none"} {
		if !strings.Contains(got, w) {
			t.Errorf("missing %q in\n%s", w, got)
		}
	}
	got = strings.Join(missingPolicy("/etc/warden/policy.json").Explain("com.x"), "\n")
	if !strings.Contains(got, "policy: no policy file at /etc/warden/policy.json") || !strings.Contains(got, "allowed: yes, any version") {
		t.Errorf("missing policy:\n%s", got)
	}
}

func TestWarnings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		src, want string
	}{
		{`{"policy_version": 1, "default": "allow", "trusted_keys": ["` + keyA + `"]}`, "require_signatures is false"},
		{withPlugins("block", `{"id": "a.b", "allow": false}`), "every plugin is blocked"},
		{withPlugins("block", `{"id": "a.b"}`), ""},
	}
	for _, tt := range tests {
		w := strings.Join(mustParse(t, tt.src).Warnings(), "\n")
		if (tt.want == "") != (w == "") || !strings.Contains(w, tt.want) {
			t.Errorf("%s: warnings %q, want %q", tt.src, w, tt.want)
		}
	}
}
