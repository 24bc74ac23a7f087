package js

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/wardenhq/warden/isolation"
)

// adminRefusesSet is an admin's isolation hook that refuses storage.set
// for every plugin.
const adminRefusesSet = `window.__WARDEN_ISOLATION_HOOK__ = function (p) {
  if (p.cmd === 'storage.set') throw new Error('admin: storage.set is not allowed');
  return p;
};`

// callResult is one warden.invoke outcome the chain harness reports.
type callResult struct {
	OK      bool            `json:"ok"`
	Code    string          `json:"code"`
	Message string          `json:"message"`
	Value   json.RawMessage `json:"value"`
}

// runHooks sends calls through the whole chain with hooks loaded as the
// webview process loads them (isolation.HookScripts after the isolation
// app) and returns each call's outcome and what the core opened.
func runHooks(t *testing.T, hooks []isolation.Hook, calls ...string) ([]callResult, *fakeCore, []string) {
	t.Helper()
	const plugin = "test.warden.hooks"
	key, err := isolation.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := isolation.Document(key, plugin, "launch-1")
	if err != nil {
		t.Fatal(err)
	}
	var cs []map[string]any
	for _, c := range calls {
		cs = append(cs, map[string]any{"cmd": c, "args": map[string]any{"key": "k", "value": "v"}})
	}
	core := &fakeCore{opener: isolation.NewOpener(key, plugin, "launch-1", 0)}
	raw := runChain(t, map[string]any{
		"mode": "chain", "plugin": plugin, "bridge": Bridge, "channel": Channel,
		"isolation": isolationJS(t), "hooks": isolation.HookScripts(hooks),
		"document": string(doc), "handler": true, "direct": true, "calls": cs,
	}, core)
	var got struct {
		Results    []callResult `json:"results"`
		HookErrors []string     `json:"hookErrors"`
		Harness    string       `json:"harnessError"`
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	if got.Harness != "" || len(got.Results) != len(calls) {
		t.Fatalf("harness: %s", raw)
	}
	return got.Results, core, got.HookErrors
}

// cmds lists the commands the core opened.
func (c *fakeCore) cmds() []string {
	var out []string
	for _, r := range c.seen {
		out = append(out, r.Cmd)
	}
	return out
}

// TestHookChainAdminHookRefuses: the admin's hook, loaded through the
// chain, refuses its command with its own message before the core sees it,
// and lets everything else through.
func TestHookChainAdminHookRefuses(t *testing.T) {
	res, core, loadErrs := runHooks(t, []isolation.Hook{{Name: "/etc/warden/hook.js", Script: adminRefusesSet}},
		"storage.set", "storage.get", "storage.list")
	if r := res[0]; r.OK || r.Code != "isolation" || r.Message != "admin: storage.set is not allowed" {
		t.Errorf("storage.set = %+v, want the hook's refusal", r)
	}
	if !res[1].OK || !res[2].OK {
		t.Errorf("other commands: %+v", res[1:])
	}
	if got := strings.Join(core.cmds(), " "); got != "storage.get storage.list" {
		t.Errorf("core saw %q", got)
	}
	if len(loadErrs) != 0 {
		t.Errorf("scripts failed to load: %v", loadErrs)
	}
}

// TestHookChainUserHookRunsToo: a user's hook runs as well, before the
// admin's, which decides last: the user's refusal holds, and a user hook
// that rewrites an allowed command into the refused one is refused.
func TestHookChainUserHookRunsToo(t *testing.T) {
	user := `window.__WARDEN_ISOLATION_HOOK__ = function (p) {
  if (p.cmd === 'storage.list') throw new Error('user: no listing');
  if (p.cmd === 'storage.keys') return {cmd: 'storage.set', args: p.args};
  return p;
};`
	res, core, _ := runHooks(t, []isolation.Hook{
		{Name: "/home/u/hook.js", Script: user, User: true},
		{Name: "/etc/warden/hook.js", Script: adminRefusesSet},
	}, "storage.set", "storage.list", "storage.keys", "storage.get")
	if r := res[0]; r.OK || r.Message != "admin: storage.set is not allowed" {
		t.Errorf("storage.set = %+v", r)
	}
	if r := res[1]; r.OK || r.Message != "user: no listing" {
		t.Errorf("storage.list = %+v", r)
	}
	if r := res[2]; r.OK || r.Message != "admin: storage.set is not allowed" {
		t.Errorf("storage.keys rewritten into storage.set = %+v", r)
	}
	if got := strings.Join(core.cmds(), " "); got != "storage.get" {
		t.Errorf("core saw %q, want storage.get only", got)
	}
}

// TestHookChainUserCannotDropAdminHook is what a user who controls their
// own policy file does to get rid of the admin's hook: their hook script
// replaces, redefines or deletes the hook, registers itself in the admin's
// place, rewrites the request behind the admin's back, poisons the
// built-ins the chain and the sealer use, or shadows them. storage.set
// must never reach the core. Attacks that do not throw leave the chain
// working, which shows the refusal is the admin hook's and not a broken
// frame; attacks that throw make the user's hook fail, and then every
// request is refused.
func TestHookChainUserCannotDropAdminHook(t *testing.T) {
	attacks := []struct {
		name, script string
		breaksAll    bool
	}{
		{"replaces the hook", `window.__WARDEN_ISOLATION_HOOK__ = function (p) { return p; };`, false},
		{"sets WardenIsolation.hook", `WardenIsolation.hook = function (p) { return p; };`, false},
		{"redefines the global", `Object.defineProperty(window, '__WARDEN_ISOLATION_HOOK__', {value: function (p) { return p; }});`, true},
		{"redefines it quietly", `try { Object.defineProperty(window, '__WARDEN_ISOLATION_HOOK__', {value: function (p) { return p; }}); } catch (e) {}
try { delete window.__WARDEN_ISOLATION_HOOK__; } catch (e) {}
try { Object.defineProperty(WardenIsolation, 'hook', {value: null}); } catch (e) {}
window.__WARDEN_ISOLATION_HOOK__ = function (p) { return p; };`, false},
		{"takes the admin's slot", `__WARDEN_HOOK_CHAIN__.add(0, function () { window.__WARDEN_ISOLATION_HOOK__ = function (p) { return p; }; });
__WARDEN_HOOK_CHAIN__.lock(); __WARDEN_HOOK_CHAIN__.done();
window.__WARDEN_ISOLATION_HOOK__ = function (p) { return p; };`, false},
		{"changes cmd after the admin read it", `window.__WARDEN_ISOLATION_HOOK__ = function (p) {
  if (p.cmd !== 'storage.get') return p;
  var reads = 0;
  return {get cmd() { reads++; return reads === 1 ? 'storage.get' : 'storage.set'; }, args: p.args};
};`, false},
		{"poisons JSON.stringify", `var real = JSON.stringify;
try { JSON.stringify = function (v) { return v === 'storage.get' ? '"storage.set"' : real.apply(JSON, arguments); }; } catch (e) {}
window.__WARDEN_ISOLATION_HOOK__ = function (p) { return p; };`, false},
		{"replaces the JSON global", `try { window.JSON = {stringify: function (v) { return v === 'storage.get' ? '"storage.set"' : '{}'; }, parse: function (t) { return t; }}; } catch (e) {}
window.__WARDEN_ISOLATION_HOOK__ = function (p) { return p; };`, false},
		{"shadows JSON with a top-level const", `});
const JSON = {stringify: function (v) { return v === 'storage.get' ? '"storage.set"' : '{}'; }, parse: function (t) { return t; }};
(function () {`, true},
		{"poisons Function.prototype.call", `try { Function.prototype.call = function () { return undefined; }; } catch (e) {}
window.__WARDEN_ISOLATION_HOOK__ = function (p) { return p; };`, false},
		{"makes every object a thenable", `try { Object.defineProperty(Object.prototype, 'then', {value: function (ok) { ok({cmd: 'storage.set'}); }}); } catch (e) {}
window.__WARDEN_ISOLATION_HOOK__ = function (p) { return p; };`, false},
		{"fixes the nonces", `try { Object.defineProperty(window, 'crypto', {value: {getRandomValues: function (a) { return a.fill(7); }}}); } catch (e) {}
try { crypto.getRandomValues = function (a) { return a.fill(7); }; } catch (e) {}
try { Object.getPrototypeOf(crypto).getRandomValues = function (a) { return a.fill(7); }; } catch (e) {}
window.__WARDEN_ISOLATION_HOOK__ = function (p) { return p; };`, false},
		{"throws while loading", `throw new Error('no hooks for me');`, true},
		{"sets no hook", `var nothing = 1;`, true},
	}
	for _, a := range attacks {
		t.Run(a.name, func(t *testing.T) {
			res, core, loadErrs := runHooks(t, []isolation.Hook{
				{Name: "/etc/warden/hook.js", Script: adminRefusesSet},
				{Name: "/home/mallory/hook.js", Script: a.script, User: true},
			}, "storage.set", "storage.get", "storage.get")
			if slices.Contains(core.cmds(), "storage.set") {
				t.Fatalf("storage.set reached the core: %v", core.cmds())
			}
			if r := res[0]; r.OK || r.Code != "isolation" {
				t.Errorf("storage.set = %+v, want refused in the isolation frame", r)
			}
			if a.breaksAll {
				if len(core.seen) != 0 || res[1].OK || !strings.Contains(res[1].Message, "/home/mallory/hook.js") {
					t.Errorf("a user hook that failed to load: core saw %v, storage.get = %+v; want every request refused naming the hook", core.cmds(), res[1])
				}
				return
			}
			if res[0].Message != "admin: storage.set is not allowed" {
				t.Errorf("storage.set refused with %q, want the admin hook's message", res[0].Message)
			}
			if got := strings.Join(core.cmds(), " "); got != "storage.get storage.get" || !res[1].OK || !res[2].OK {
				t.Errorf("core saw %q, results %+v: the chain must keep working", got, res[1:])
			}
			// Fresh nonces for every envelope, whatever the hook did to crypto.
			if n0, n1 := nonceOf(t, core, 0), nonceOf(t, core, 1); n0 == n1 || n0 == "BwcHBwcHBwcHBwcH" {
				t.Errorf("nonces %s and %s", n0, n1)
			}
			if len(loadErrs) != 0 {
				t.Errorf("scripts failed to load: %v", loadErrs)
			}
		})
	}
}

// nonceOf returns the nonce field of the i-th envelope the core opened.
func nonceOf(t *testing.T, c *fakeCore, i int) string {
	t.Helper()
	if i >= len(c.envelopes) {
		t.Fatalf("no envelope %d", i)
	}
	return strings.Split(c.envelopes[i], ".")[3]
}

// TestHookChainFailsClosed: an admin hook that does not parse, throws
// while loading or sets no function makes every request fail, naming the
// hook; nothing reaches the core.
func TestHookChainFailsClosed(t *testing.T) {
	for name, script := range map[string]string{
		"syntax error": `window.__WARDEN_ISOLATION_HOOK__ = function (p) { return p; ;`,
		"throws":       `throw new Error('broken');`,
		"sets nothing": `window.somethingElse = function (p) { return p; };`,
		"sets late":    `setTimeout(function () { window.__WARDEN_ISOLATION_HOOK__ = function (p) { return p; }; }, 0);`,
	} {
		t.Run(name, func(t *testing.T) {
			res, core, _ := runHooks(t, []isolation.Hook{{Name: "/etc/warden/hook.js", Script: script}}, "storage.get", "echo")
			if len(core.seen) != 0 {
				t.Fatalf("core saw %v", core.cmds())
			}
			for _, r := range res {
				if r.OK || r.Code != "isolation" || !strings.Contains(r.Message, "isolation hook /etc/warden/hook.js") {
					t.Errorf("%+v, want a refusal naming the hook", r)
				}
			}
		})
	}
}

// TestHookScriptsNone: no hooks, no scripts: the frame runs as before.
func TestHookScriptsNone(t *testing.T) {
	if s := isolation.HookScripts(nil); s != nil {
		t.Errorf("HookScripts(nil) = %d scripts", len(s))
	}
	hook, err := os.ReadFile(hookPath)
	if err != nil {
		t.Fatal(err)
	}
	if s := isolation.HookScripts([]isolation.Hook{{Name: "h", Script: string(hook)}}); len(s) != 3 {
		t.Errorf("one admin hook: %d scripts, want chain, hook, done", len(s))
	}
}
