package policy

import (
	"errors"
	"slices"
	"testing"
)

// FuzzParse checks that Parse never panics, that every error is an *Error
// matching ErrInvalid with a position inside the input, and that an accepted
// policy answers questions without panicking.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"policy_version": 1, "default": "allow"}`))
	f.Add([]byte(`{"policy_version": 1, "default": "block", "require_signatures": true, "trusted_keys": ["` + keyA + `"],
	  "blocked_permissions": ["fs.*", "http"], "ceilings": {"backend_timeout_ms": 5000, "invoke_rate": 10},
	  "plugins": [{"id": "com.*", "versions": ">=1.2 <2"}, {"id": "com.a.b", "pin": "1.4.2", "min_version": "1.0.0"},
	  {"id": "*", "allow": false, "reason": "no"}]}`))
	f.Add([]byte(`{"plugins": [{"id": "a", "id": "b"}]}`))
	f.Add([]byte(`{"policy_version": 1,,}`))
	f.Add([]byte("\xef\xbb\xbf{}"))
	f.Add([]byte(`{"ceilings": {"invoke_rate": 1e3}}`))
	f.Add([]byte(withHook("hook.js", sha256Hex([]byte(hookSrc)))))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error does not match ErrInvalid: %v", err)
			}
			eachError(err, func(e *Error) {
				if e.Line < 0 || e.Column < 0 || e.Line > len(data)+1 {
					t.Fatalf("position out of range: %v", e)
				}
			})
			return
		}
		for _, id := range []string{"com.a.b", "x", ""} {
			p.Check(Candidate{ID: id, Version: "1.4.2", Permissions: []string{"http", "storage"}, Signed: true, SignerKey: keyA, SignerKeyID: keyAID})
			p.Pick(id, []string{"1.0.0", "1.4.2", "2.0.0"})
			p.Explain(id)
		}
	})
}

// FuzzCombine parses two policies, as the managed file and a user's own,
// and checks that their combination allows a candidate exactly when both
// do and that no setting is looser than the managed one.
func FuzzCombine(f *testing.F) {
	f.Add([]byte(`{"policy_version": 1, "default": "allow", "plugins": [{"id": "com.a.b", "allow": false}]}`),
		[]byte(`{"policy_version": 1, "default": "allow", "plugins": [{"id": "com.a.b"}]}`))
	f.Add([]byte(`{"policy_version": 1, "default": "block", "developer_mode": false, "require_signatures": true, "trusted_keys": ["`+keyA+`"], "plugins": [{"id": "com.*", "pin": "1.4.2"}]}`),
		[]byte(`{"policy_version": 1, "default": "allow", "require_signatures": true, "trusted_keys": ["`+keyB+`"], "blocked_permissions": ["http"]}`))
	f.Add([]byte(withHook("/etc/warden/hook.js", sha256Hex([]byte(hookSrc)))), []byte(withHook("/etc/warden/hook.js", sha256Hex(nil))))
	f.Fuzz(func(t *testing.T, mdata, udata []byte) {
		managed, err := Parse(mdata)
		if err != nil {
			return
		}
		user, err := Parse(udata)
		if err != nil {
			return
		}
		c := Combine(managed, user)
		for _, id := range []string{"com.a.b", "x"} {
			for _, v := range []string{"1.0.0", "1.4.2", "2.0.0"} {
				cand := Candidate{ID: id, Version: v, Permissions: []string{"http", "storage"}, Signed: true, SignerKey: keyA, SignerKeyID: keyAID}
				if got, want := c.Check(cand).Allowed, managed.Check(cand).Allowed && user.Check(cand).Allowed; got != want {
					t.Fatalf("%s %s: combined allowed %v, both layers %v", id, v, got, want)
				}
				if c.AllowsVersion(id, v) && !managed.AllowsVersion(id, v) {
					t.Fatalf("%s %s: allowed by the combination only", id, v)
				}
			}
		}
		for _, b := range managed.BlockedPermissions() {
			if !slices.Contains(c.BlockedPermissions(), b) {
				t.Fatalf("blocked permission %s lost", b)
			}
		}
		if managed.RequireSignatures() && !c.RequireSignatures() || managed.RequireNetworkIsolation() && !c.RequireNetworkIsolation() || !managed.DeveloperMode() && c.DeveloperMode() {
			t.Fatal("a switch was loosened")
		}
		// The managed hooks come first, unchanged and with the admin's
		// authority; every other hook is the user's.
		mh, ch := managed.IsolationHooks(), c.IsolationHooks()
		if len(ch) != len(mh)+len(user.IsolationHooks()) {
			t.Fatalf("hooks %+v from managed %+v", ch, mh)
		}
		for i, h := range ch {
			if i < len(mh) && (h.User || h.Path != mh[i].Path || h.SHA256 != mh[i].SHA256) || i >= len(mh) && !h.User {
				t.Fatalf("hook %d %+v; managed hooks %+v", i, h, mh)
			}
		}
	})
}
