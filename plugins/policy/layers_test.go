package policy

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// managedPolicies are admin policies that refuse something.
var managedPolicies = map[string]string{
	"blocks one plugin":    withPlugins("allow", `{"id": "com.bad.tool", "allow": false, "reason": "leaks"}`),
	"allows only listed":   withPlugins("block", `{"id": "com.example.*"}`),
	"pins a version":       withPlugins("allow", `{"id": "com.example.notes", "pin": "1.4.2"}`),
	"blocks a permission":  `{"policy_version": 1, "default": "allow", "blocked_permissions": ["fs.*"]}`,
	"requires signatures":  `{"policy_version": 1, "default": "allow", "require_signatures": true, "trusted_keys": ["` + keyA + `"]}`,
	"developer mode off":   `{"policy_version": 1, "default": "allow", "developer_mode": false}`,
	"isolation required":   `{"policy_version": 1, "default": "allow", "require_network_isolation": true}`,
	"minimum version":      withPlugins("allow", `{"id": "com.example.*", "min_version": "1.3.0"}`),
	"everything allowed":   `{"policy_version": 1, "default": "allow"}`,
	"low ceilings":         `{"policy_version": 1, "default": "allow", "ceilings": {"backend_timeout_ms": 100, "invoke_rate": 5}}`,
	"blocks by wide match": withPlugins("allow", `{"id": "*", "allow": false}`),
}

// userPolicies are files a user would write to lift the admin's rules:
// everything allowed, the blocked plugin allowed by its exact id, another
// signing key trusted, developer mode on, higher ceilings.
var userPolicies = map[string]string{
	"allows everything": `{"policy_version": 1, "default": "allow"}`,
	"allows by exact id": withPlugins("allow",
		`{"id": "com.bad.tool"}`, `{"id": "com.example.notes"}`, `{"id": "org.other"}`, `{"id": "com.example.todo"}`),
	"trusts its own key":  `{"policy_version": 1, "default": "allow", "require_signatures": true, "trusted_keys": ["` + keyB + `"]}`,
	"lists both keys":     `{"policy_version": 1, "default": "allow", "require_signatures": true, "trusted_keys": ["` + keyA + `", "` + keyB + `"]}`,
	"developer mode on":   `{"policy_version": 1, "default": "allow", "developer_mode": true, "require_network_isolation": false}`,
	"high ceilings":       `{"policy_version": 1, "default": "allow", "ceilings": {"backend_timeout_ms": 60000, "invoke_rate": 1000000}}`,
	"blocks another perm": `{"policy_version": 1, "default": "allow", "blocked_permissions": ["http"]}`,
}

var candidates = []Candidate{
	{ID: "com.bad.tool", Version: "1.0.0"},
	{ID: "com.example.notes", Version: "1.5.0", Signed: true, SignerKeyID: keyAID},
	{ID: "com.example.notes", Version: "1.4.2", Signed: true, SignerKeyID: keyBID},
	{ID: "com.example.todo", Version: "1.2.0", Permissions: []string{"fs.write"}},
	{ID: "com.example.todo", Version: "1.3.0", Permissions: []string{"http"}, Signed: true, SignerKeyID: keyAID},
	{ID: "org.other", Version: "2.0.0"},
}

// TestCombineUserFileCannotLoosen is what a user does to get around the
// admin: pass a policy file of their own. For every pair of policies and
// every candidate, the combination must allow exactly what both layers
// allow, and every setting must be at least as strict as the managed one.
func TestCombineUserFileCannotLoosen(t *testing.T) {
	t.Parallel()
	for mname, msrc := range managedPolicies {
		managed := mustParse(t, msrc)
		for uname, usrc := range userPolicies {
			user := mustParse(t, usrc)
			c := Combine(managed, user)
			for _, cand := range candidates {
				m, u, got := managed.Check(cand), user.Check(cand), c.Check(cand)
				if got.Allowed != (m.Allowed && u.Allowed) {
					t.Errorf("%s + %s, %s %s: combined allowed=%v, managed %v (%s), user %v", mname, uname, cand.ID, cand.Version, got.Allowed, m.Allowed, m.Rule, u.Allowed)
				}
				if !m.Allowed && !errors.Is(got.Err(), m.err) {
					t.Errorf("%s + %s, %s: combined err %v, want the managed refusal %v", mname, uname, cand.ID, got.Err(), m.err)
				}
				for _, v := range []string{"1.0.0", "1.4.2", "1.5.0"} {
					if c.AllowsVersion(cand.ID, v) && !managed.AllowsVersion(cand.ID, v) {
						t.Errorf("%s + %s: %s %s allowed by the combination only", mname, uname, cand.ID, v)
					}
				}
				for _, perm := range []string{"fs.write", "fs.read", "http", "storage"} {
					if c.PermissionCeiling().Allows(perm) && !managed.PermissionCeiling().Allows(perm) {
						t.Errorf("%s + %s: %s unblocked", mname, uname, perm)
					}
				}
			}
			if managed.RequireSignatures() && !c.RequireSignatures() ||
				managed.RequireNetworkIsolation() && !c.RequireNetworkIsolation() ||
				!managed.DeveloperMode() && c.DeveloperMode() ||
				managed.Default() == Block && c.Default() != Block {
				t.Errorf("%s + %s: a switch was loosened: %+v", mname, uname, c)
			}
			if c.RequireSignatures() {
				for _, k := range c.TrustedKeys() {
					if managed.RequireSignatures() {
						if _, ok := managed.TrustedKey(string(k.ID)); !ok {
							t.Errorf("%s + %s: key %s trusted by the combination but not by the managed policy", mname, uname, k.ID)
						}
					}
				}
			}
			mc, cc := managed.Ceilings(), c.Ceilings()
			for _, pair := range [][2]int64{
				{int64(mc.BackendTimeout), int64(cc.BackendTimeout)},
				{int64(mc.BackendMemoryMB), int64(cc.BackendMemoryMB)},
				{int64(mc.InvokeRate), int64(cc.InvokeRate)},
				{mc.StorageQuota, cc.StorageQuota},
			} {
				if pair[0] != 0 && (pair[1] == 0 || pair[1] > pair[0]) {
					t.Errorf("%s + %s: ceilings %+v raised to %+v", mname, uname, mc, cc)
				}
			}
		}
	}
}

func TestCombineSettings(t *testing.T) {
	t.Parallel()
	managed := mustParse(t, `{"policy_version": 1, "default": "allow", "require_signatures": true, "trusted_keys": ["`+keyA+`", "`+keyB+`"],
		"blocked_permissions": ["fs.write"], "ceilings": {"backend_timeout_ms": 5000, "invoke_rate": 500}}`)
	user := mustParse(t, `{"policy_version": 1, "default": "block", "require_signatures": true, "trusted_keys": ["`+keyB+`"],
		"blocked_permissions": ["fs.write", "http"], "ceilings": {"backend_timeout_ms": 9000, "storage_quota_bytes": 1024},
		"developer_mode": false, "require_network_isolation": true}`)
	c := Combine(managed, user)
	if got := strings.Join(c.BlockedPermissions(), ","); got != "fs.write,http" {
		t.Errorf("blocked %s", got)
	}
	want := Ceilings{BackendTimeout: 5 * time.Second, InvokeRate: 500, StorageQuota: 1024}
	if got := c.Ceilings(); got != want {
		t.Errorf("ceilings %+v, want %+v", got, want)
	}
	if keys := c.TrustedKeys(); len(keys) != 1 || keys[0].ID != keyBID {
		t.Errorf("trusted keys %+v, want only %s (trusted by both)", keys, keyBID)
	}
	if c.Default() != Block || !c.RequireSignatures() || c.DeveloperMode() || !c.RequireNetworkIsolation() {
		t.Errorf("switches: default %s, signatures %v, developer mode %v, isolation %v", c.Default(), c.RequireSignatures(), c.DeveloperMode(), c.RequireNetworkIsolation())
	}
	if l := c.Layers(); len(l) != 2 || l[0] != managed || l[1] != user {
		t.Errorf("layers %v", l)
	}
	if Combine(managed, nil) != managed {
		t.Error("with no user layer, Combine must return the managed policy")
	}
	if c.Entries() != nil {
		t.Error("a combined policy has no entries of its own")
	}
}

// A user file that lists a key under the id of the admin's key, with
// another public key, must not be trusted.
func TestCombineKeysCompareThePublicKey(t *testing.T) {
	t.Parallel()
	managed := mustParse(t, `{"policy_version": 1, "default": "allow", "require_signatures": true, "trusted_keys": ["`+keyA+`"]}`)
	user := mustParse(t, `{"policy_version": 1, "default": "allow", "require_signatures": true, "trusted_keys": ["`+keyA+`"]}`)
	forged := user.keys[0]
	forged.PublicKey[0] ^= 1
	user.keys = []TrustedKey{forged}
	if keys := Combine(managed, user).TrustedKeys(); len(keys) != 0 {
		t.Errorf("trusted %+v: a key with the admin's id but another public key", keys)
	}
}

func TestCombineMissingLayers(t *testing.T) {
	t.Parallel()
	missing := missingPolicy("/nonexistent/policy.json")
	user := mustParse(t, withPlugins("allow", `{"id": "com.bad.tool", "allow": false}`))
	c := Combine(missing, user)
	if d := c.Check(Candidate{ID: "com.bad.tool"}); d.Allowed || d.Rule != `plugins[0] "com.bad.tool"` {
		t.Errorf("user layer alone: %+v", d)
	}
	if d := Combine(missing, missingPolicy("/nonexistent/user.json")).Check(Candidate{ID: "a.b"}); !d.Allowed || d.Rule != "no policy" {
		t.Errorf("both missing: %+v", d)
	}
	managed := mustParse(t, withPlugins("allow", `{"id": "com.bad.tool", "allow": false}`))
	managed.Path = "/etc/warden/policy.json"
	d := Combine(managed, missingPolicy("/tmp/none.json")).Check(Candidate{ID: "com.bad.tool"})
	if d.Allowed || d.Rule != `plugins[0] "com.bad.tool"` {
		t.Errorf("a missing user file must leave the managed policy in force: %+v", d)
	}
	if c := Combine(nil, user); c.Check(Candidate{ID: "com.bad.tool"}).Allowed {
		t.Error("nil managed: the user layer must still apply")
	}
}

func TestCombinePick(t *testing.T) {
	t.Parallel()
	managed := mustParse(t, withPlugins("allow", `{"id": "com.example.notes", "versions": "^1"}`))
	user := mustParse(t, withPlugins("allow", `{"id": "com.example.notes", "versions": "<1.5"}`))
	c := Combine(managed, user)
	if v, ok := c.Pick("com.example.notes", []string{"1.2.0", "1.4.9", "1.6.0", "2.0.0"}); !ok || v != "1.4.9" {
		t.Errorf("pick %q %v, want 1.4.9", v, ok)
	}
	if v, ok := Combine(managed, mustParse(t, `{"policy_version": 1, "default": "allow"}`)).Pick("com.example.notes", []string{"1.6.0", "2.0.0"}); !ok || v != "1.6.0" {
		t.Errorf("pick %q %v, want 1.6.0: the user layer cannot lift ^1", v, ok)
	}
}

func TestCombineRuleNamesTheLayer(t *testing.T) {
	t.Parallel()
	managed := mustParse(t, `{"policy_version": 1, "default": "allow"}`)
	managed.Path = "/etc/warden/policy.json"
	user := mustParse(t, withPlugins("allow", `{"id": "com.bad.tool", "allow": false}`))
	user.Path = "/home/u/p.json"
	d := Combine(managed, user).Check(Candidate{ID: "com.bad.tool"})
	if d.Allowed || d.Rule != `plugins[0] "com.bad.tool" in /home/u/p.json` {
		t.Errorf("%+v", d)
	}
	d = Combine(managed, user).Check(Candidate{ID: "com.good.tool"})
	if !d.Allowed || d.Rule != "default in /etc/warden/policy.json, default in /home/u/p.json" {
		t.Errorf("%+v", d)
	}
}

func TestExplainLayers(t *testing.T) {
	t.Parallel()
	managed := mustParse(t, withPlugins("allow", `{"id": "com.bad.tool", "allow": false, "reason": "leaks"}`))
	managed.Path, managed.Source = "/etc/warden/policy.json", "/etc/warden/policy.json"
	user := mustParse(t, `{"policy_version": 1, "default": "allow", "blocked_permissions": ["http"], "developer_mode": false}`)
	user.Path, user.Source = "/home/u/p.json", "/home/u/p.json"
	got := Combine(managed, user).Explain("com.bad.tool")
	want := []string{
		"policy: managed /etc/warden/policy.json, plus /home/u/p.json (which can only add restrictions)",
		"managed policy (always applies):",
		"  policy: /etc/warden/policy.json",
		`  entry: plugins[0] "com.bad.tool"`,
		"  allowed: no, the admin policy blocks com.bad.tool: leaks",
	}
	for i, w := range want {
		if i >= len(got) || got[i] != w {
			t.Fatalf("line %d: got\n%s\nwant %q", i, strings.Join(got, "\n"), w)
		}
	}
	all := strings.Join(got, "\n")
	for _, w := range []string{
		"user policy (can only add restrictions):\n  policy: /home/u/p.json",
		"in force (a plugin must be allowed by every policy; the stricter setting wins):\n  allowed: no, the admin policy blocks com.bad.tool: leaks (/etc/warden/policy.json)",
		"  blocked permissions: http",
		"  developer mode: off",
	} {
		if !strings.Contains(all, w) {
			t.Errorf("explain lacks %q:\n%s", w, all)
		}
	}
}

func TestCheckSource(t *testing.T) {
	t.Parallel()
	strict := mustParse(t, `{"policy_version": 1, "default": "allow", "require_signatures": true, "trusted_keys": ["`+keyA+`"],
		"blocked_permissions": ["clipboard.*"], "plugins": [{"id": "com.bad.tool", "allow": false}, {"id": "com.example.notes", "pin": "1.4.2"}]}`)
	off := mustParse(t, `{"policy_version": 1, "default": "allow", "developer_mode": false}`)
	off.Path = "/etc/warden/policy.json"
	tests := []struct {
		name     string
		p        *Policy
		c        Candidate
		sentinel error
	}{
		{"developer mode off", off, Candidate{ID: "com.example.todo", Version: "1.0.0"}, ErrDeveloperModeOff},
		{"developer mode off by the user layer", Combine(strict, off), Candidate{ID: "com.example.todo", Version: "1.0.0"}, ErrDeveloperModeOff},
		{"blocked plugin", strict, Candidate{ID: "com.bad.tool", Version: "1.0.0"}, ErrBlocked},
		{"blocked permission", strict, Candidate{ID: "com.example.todo", Version: "1.0.0", Permissions: []string{"storage", "clipboard.read"}}, ErrPermissionBlocked},
		{"version rule", strict, Candidate{ID: "com.example.notes", Version: "1.5.0"}, ErrVersionNotAllowed},
		{"allowed though unsigned", strict, Candidate{ID: "com.example.notes", Version: "1.4.2"}, nil},
		{"developer mode off in the managed layer", Combine(off, strict), Candidate{ID: "com.bad.tool"}, ErrDeveloperModeOff},
		{"no policy", nil, Candidate{ID: "com.bad.tool"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := tt.p.CheckSource(tt.c)
			if tt.sentinel == nil {
				if !d.Allowed {
					t.Fatalf("refused: %v", d.Err())
				}
				return
			}
			if d.Allowed || !errors.Is(d.Err(), tt.sentinel) {
				t.Fatalf("decision %+v, want %v", d, tt.sentinel)
			}
		})
	}
	d := off.CheckSource(Candidate{ID: "com.example.todo"})
	if !strings.Contains(d.Reason, `/etc/warden/policy.json sets "developer_mode": false`) {
		t.Errorf("reason does not name the policy: %s", d.Reason)
	}
	if !strict.RequireSignatures() || !slices.ContainsFunc(strict.Warnings(), func(w string) bool { return strings.Contains(w, "developer_mode") }) {
		t.Error("CheckSource must not change the policy, and a policy requiring signatures with developer mode on must warn")
	}
}
