package policy

import (
	"errors"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	t.Parallel()
	p := mustParse(t, `{
  "policy_version": 1,
  "default": "block",
  "require_signatures": true,
  "trusted_keys": ["`+keyA+`"],
  "blocked_permissions": ["fs.write", "clipboard.*"],
  "plugins": [
    {"id": "com.example.*", "versions": ">=1.2 <2", "reason": "1.x is the approved series"},
    {"id": "com.example.notes", "pin": "1.4.2"},
    {"id": "com.example.old", "min_version": "2.1.0"},
    {"id": "com.bad.tool", "allow": false, "reason": "sends data to third parties"}
  ]
}`)
	signed := func(c Candidate) Candidate { c.Signed, c.SignerKey, c.SignerKeyID = true, keyA, keyAID; return c }
	tests := []struct {
		name     string
		c        Candidate
		sentinel error // nil: allowed
		rule     string
		reason   string // part of the reason
	}{
		{"allowed by pattern", signed(Candidate{ID: "com.example.todo", Version: "1.9.0", Permissions: []string{"storage"}}), nil, `plugins[0] "com.example.*"`, "allowed by"},
		{"key id in lower case", Candidate{ID: "com.example.todo", Version: "1.2.0", Signed: true, SignerKey: keyA, SignerKeyID: strings.ToLower(keyAID)}, nil, `plugins[0] "com.example.*"`, ""},
		{"outside range", signed(Candidate{ID: "com.example.todo", Version: "2.0.0"}), ErrVersionNotAllowed, `plugins[0] "com.example.*"`, "only versions >=1.2 <2: 1.x is the approved series"},
		{"not semver", signed(Candidate{ID: "com.example.todo", Version: "latest"}), ErrVersionNotAllowed, `plugins[0] "com.example.*"`, "not a semantic version"},
		{"pinned", signed(Candidate{ID: "com.example.notes", Version: "1.4.2"}), nil, `plugins[1] "com.example.notes"`, ""},
		{"newer than pin", signed(Candidate{ID: "com.example.notes", Version: "1.5.0"}), ErrVersionNotAllowed, `plugins[1] "com.example.notes"`, "pinned version 1.4.2"},
		{"below minimum", signed(Candidate{ID: "com.example.old", Version: "2.0.9"}), ErrVersionNotAllowed, `plugins[2] "com.example.old"`, "at least version 2.1.0"},
		{"at minimum", signed(Candidate{ID: "com.example.old", Version: "2.1.0"}), nil, `plugins[2] "com.example.old"`, ""},
		{"no version skips version rules", signed(Candidate{ID: "com.example.notes"}), nil, `plugins[1] "com.example.notes"`, ""},
		{"blocked entry", signed(Candidate{ID: "com.bad.tool", Version: "1.0.0"}), ErrBlocked, `plugins[3] "com.bad.tool"`, "blocks com.bad.tool: sends data to third parties"},
		{"not listed", signed(Candidate{ID: "org.other", Version: "1.0.0"}), ErrBlocked, "default", "only listed plugins"},
		{"unsigned", Candidate{ID: "com.example.todo", Version: "1.3.0"}, ErrUnsigned, "require_signatures", "not signed"},
		{"untrusted publisher", Candidate{ID: "com.example.todo", Version: "1.3.0", Signed: true, SignerKey: keyB, SignerKeyID: keyBID}, ErrUntrustedPublisher, "trusted_keys", keyBID + ", which is not one of"},
		{"signed without key id", Candidate{ID: "com.example.todo", Version: "1.3.0", Signed: true}, ErrUntrustedPublisher, "trusted_keys", "(none)"},
		{"blocked permission", signed(Candidate{ID: "com.example.todo", Version: "1.3.0", Permissions: []string{"storage", "fs.write"}}), ErrPermissionBlocked, "blocked_permissions[0]", `"fs.write"`},
		{"blocked permission pattern", signed(Candidate{ID: "com.example.todo", Version: "1.3.0", Permissions: []string{"clipboard.read"}}), ErrPermissionBlocked, "blocked_permissions[1]", `"clipboard.read"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := p.Check(tt.c)
			err := d.Err()
			if tt.sentinel == nil {
				if !d.Allowed || err != nil {
					t.Fatalf("denied: %v", err)
				}
			} else {
				if d.Allowed || !errors.Is(err, tt.sentinel) {
					t.Fatalf("decision %+v, err %v; want %v", d, err, tt.sentinel)
				}
				for _, other := range []error{ErrBlocked, ErrVersionNotAllowed, ErrUnsigned, ErrUntrustedPublisher, ErrPermissionBlocked} {
					if other != tt.sentinel && errors.Is(err, other) {
						t.Errorf("err %v also matches %v", err, other)
					}
				}
			}
			if d.Rule != tt.rule {
				t.Errorf("rule %q, want %q", d.Rule, tt.rule)
			}
			if !strings.Contains(d.Reason, tt.reason) {
				t.Errorf("reason %q does not contain %q", d.Reason, tt.reason)
			}
		})
	}
}

func TestCheckDefaultAllow(t *testing.T) {
	t.Parallel()
	p := mustParse(t, withPlugins("allow", `{"id": "com.bad.*", "allow": false}`))
	if d := p.Check(Candidate{ID: "org.any", Version: "0.1.0"}); !d.Allowed || d.Rule != "default" {
		t.Errorf("%+v", d)
	}
	if d := p.Check(Candidate{ID: "com.bad.x", Version: "0.1.0"}); d.Allowed || !errors.Is(d.Err(), ErrBlocked) {
		t.Errorf("%+v", d)
	}
	// Signatures are not checked when they are not required.
	if d := p.Check(Candidate{ID: "org.any", Signed: true, SignerKeyID: keyBID}); !d.Allowed {
		t.Errorf("%+v", d)
	}
}

func TestCheckNoPolicy(t *testing.T) {
	t.Parallel()
	var nilPolicy *Policy
	for _, p := range []*Policy{nilPolicy, missingPolicy("/nonexistent/policy.json")} {
		d := p.Check(Candidate{ID: "com.x", Version: "9.9.9", Permissions: []string{"fs.write"}})
		if !d.Allowed || d.Rule != "no policy" || d.Err() != nil {
			t.Errorf("%+v", d)
		}
		if !p.AllowsVersion("com.x", "1.0.0") {
			t.Error("AllowsVersion refused with no policy")
		}
	}
}

func TestDecisionErrZero(t *testing.T) {
	t.Parallel()
	var d Decision
	if err := d.Err(); !errors.Is(err, ErrBlocked) {
		t.Errorf("zero decision: %v", err)
	}
}

func TestInvalidPolicyBlocksAll(t *testing.T) {
	t.Parallel()
	p := invalidPolicy("/etc/warden/policy.json", errors.New("line 3: bad"))
	d := p.Check(Candidate{ID: "com.x", Version: "1.0.0"})
	if d.Allowed || !errors.Is(d.Err(), ErrBlocked) || d.Rule != "invalid policy file" || !strings.Contains(d.Reason, "line 3: bad") {
		t.Errorf("%+v", d)
	}
	if _, ok := p.Pick("com.x", []string{"1.0.0"}); ok {
		t.Error("Pick allowed a version under an invalid policy")
	}
}
