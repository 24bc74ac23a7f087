package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/helperproc"
	"github.com/wardenhq/warden/internal/plugintest"
	"github.com/wardenhq/warden/internal/proctree"
)

// The admin's isolation hooks of these tests. The first refuses
// storage.set for every plugin; the second, a later version, also refuses
// storage.list, so that a test can tell which one a window runs.
const (
	adminHookJS = `window.__WARDEN_ISOLATION_HOOK__ = function (p) {
  if (p.cmd === 'storage.set') throw new Error('admin: storage.set is not allowed');
  return p;
};
`
	adminHook2JS = `window.__WARDEN_ISOLATION_HOOK__ = function (p) {
  if (p.cmd === 'storage.set') throw new Error('admin v2: storage.set is not allowed');
  if (p.cmd === 'storage.list') throw new Error('admin v2: storage.list is not allowed');
  return p;
};
`
	// userAttackHookJS is the hook of a user who controls their own policy
	// file and wants storage.set back: it tries to redefine and delete the
	// admin's hook, take its slot, poison JSON.stringify so that what the
	// admin checks is not what is sealed, and replaces the hook with its own,
	// which refuses storage.list (the user's own restriction, which holds).
	userAttackHookJS = `try { Object.defineProperty(window, '__WARDEN_ISOLATION_HOOK__', {value: function (p) { return p; }}); } catch (e) {}
try { delete window.__WARDEN_ISOLATION_HOOK__; } catch (e) {}
try { __WARDEN_HOOK_CHAIN__.add(0, function () { window.__WARDEN_ISOLATION_HOOK__ = function (p) { return p; }; }); } catch (e) {}
var realStringify = JSON.stringify;
try { JSON.stringify = function (v) { return v === 'storage.get' ? '"storage.set"' : realStringify.apply(JSON, arguments); }; } catch (e) {}
window.__WARDEN_ISOLATION_HOOK__ = function (p) {
  if (p.cmd === 'storage.list') throw new Error('user: no listing');
  return p;
};
`
)

// probeIDs are the two plugins the hook tests install: copies of the
// hookprobe test plugin under their own ids.
var probeIDs = []string{"test.warden.hookprobe.one", "test.warden.hookprobe.two"}

func sha256Of(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// installProbes packs a copy of testdata/plugins/hookprobe under each id,
// signed with a new key, and installs it into prof with storage granted.
func installProbes(t *testing.T, dir, prof string, ids []string) {
	t.Helper()
	mustPlain(t, "keygen", "-o", filepath.Join(dir, "k.key"))
	src, err := filepath.Abs(testPlugin("hookprobe"))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		pdir := filepath.Join(dir, id)
		if err := os.CopyFS(pdir, os.DirFS(src)); err != nil {
			t.Fatal(err)
		}
		mf := filepath.Join(pdir, "manifest.json")
		m, err := os.ReadFile(mf)
		if err != nil {
			t.Fatal(err)
		}
		m = []byte(strings.Replace(string(m), `"test.warden.hookprobe"`, `"`+id+`"`, 1))
		if err := os.WriteFile(mf, m, 0o644); err != nil {
			t.Fatal(err)
		}
		bundle := filepath.Join(dir, id+".wbundle")
		mustPlain(t, "pack", pdir, "--key", filepath.Join(dir, "k.key"), "-o", bundle)
		mustWarden(t, "--profile", prof, "install", bundle, "--pub", filepath.Join(dir, "k.pub"), "--grant", "storage")
	}
}

// adminPolicy is the managed policy of the admin in dir: it names the hook
// script file (relative to dir, where the policy is) with the pin sum.
func adminPolicy(file, sum string) string {
	return `{"policy_version": 1, "default": "allow", "isolation_hook": {"path": "` + file + `", "sha256": "` + sum + `"}}`
}

// writeManaged writes a file of the admin's directory and, when it is the
// policy, makes it the managed policy of this test and of the warden
// processes it starts (as setManagedPolicy does); policy files are
// replaced by rename, the way configuration tools publish them.
func writeManaged(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path+".tmp", []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".tmp", path); err != nil {
		t.Fatal(err)
	}
	if name == "policy.json" && managedPolicyPath != path {
		old := managedPolicyPath
		managedPolicyPath = path
		t.Cleanup(func() { managedPolicyPath = old })
		t.Setenv(managedPolicyEnv, path)
	}
	return path
}

// runProc is a warden process started by startWarden (`warden run` by
// startRunAll).
type runProc struct {
	cmd *exec.Cmd
	mu  sync.Mutex
	log strings.Builder
}

// startRunAll starts `warden run` (every enabled plugin) on prof with the
// user's policy at userPolicy.
func startRunAll(t *testing.T, prof, userPolicy string) *runProc {
	t.Helper()
	return startWarden(t, "--profile", prof, "--policy", userPolicy, "run", "--all")
}

// startWarden starts warden with args, collecting its standard error; it
// is killed when the test ends if it is still running.
func startWarden(t *testing.T, args ...string) *runProc {
	t.Helper()
	r := &runProc{cmd: helperproc.Command(wardenRole, args...)}
	r.cmd.Env = helperproc.Env(os.Environ(), wardenRole)
	stderr, err := r.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.cmd.Process.Kill(); r.cmd.Wait() })
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			r.mu.Lock()
			r.log.WriteString(sc.Text() + "\n")
			r.mu.Unlock()
		}
	}()
	return r
}

func (r *runProc) text() string { r.mu.Lock(); defer r.mu.Unlock(); return r.log.String() }

// webviews returns the pids of the run's webview processes that show a
// page, sorted.
func (r *runProc) webviews() []int {
	var out []int
	for _, p := range proctree.Descendants(r.cmd.Process.Pid) {
		// A spare webview process (warden run keeps one) shows no page
		// yet: it has started none of WebKit's processes.
		if strings.Contains(cmdline(p), "webview") && alive(p) && len(proctree.Descendants(p)) > 0 {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

// stop interrupts the run, as Ctrl-C does, and waits for it to end, so
// that the profile can be read.
func (r *runProc) stop(t *testing.T) {
	t.Helper()
	r.cmd.Process.Signal(syscall.SIGINT)
	done := make(chan struct{})
	go func() { r.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("warden run did not end on SIGINT\n%s", r.text())
	}
}

// probes returns the hookprobe lines plugin id logged so far.
func (r *runProc) probes(id string) []string {
	var out []string
	for _, l := range strings.Split(r.text(), "\n") {
		if strings.Contains(l, "hookprobe ") && strings.Contains(l, "plugin="+id+" ") {
			out = append(out, l)
		}
	}
	return out
}

// waitProbe waits for plugin id's n-th probe line and returns it.
func (r *runProc) waitProbe(t *testing.T, id string, n int) string {
	t.Helper()
	waitLogged(t, id+"'s page reports its requests", 40*time.Second, r.text, func() bool { return len(r.probes(id)) >= n })
	return r.probes(id)[n-1]
}

// checkProbe fails unless line holds each of want.
func checkProbe(t *testing.T, id, line string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(line, w) {
			t.Errorf("%s reported %s\nwant %q", id, line, w)
		}
	}
}

// auditOf returns the commands and reasons of plugin id's audit entries,
// as "cmd" or "cmd reason" (profile not in use).
func auditOf(t *testing.T, prof, id string) []string {
	t.Helper()
	var es []struct {
		Cmd     string `json:"cmd"`
		Allowed bool   `json:"allowed"`
		Reason  string `json:"reason"`
		Detail  string `json:"detail"`
	}
	out := mustWarden(t, "--profile", prof, "audit", "--plugin", id, "--json", "--limit", "500")
	if err := json.Unmarshal([]byte(out), &es); err != nil {
		t.Fatalf("audit --json: %v\n%s", err, out)
	}
	var got []string
	for _, e := range es {
		got = append(got, strings.TrimSpace(e.Cmd+" "+e.Reason))
	}
	return got
}

// TestE2ERunAdminHookRefusesForEveryPlugin: the admin's policy names an
// isolation hook that refuses storage.set. Under `warden run`, both
// plugins' pages try it: each is refused in its isolation frame with the
// hook's message, and storage.get and storage.list still work. When the
// admin publishes a new version of the hook, both windows restart under
// it; when the hook file stops matching its pin, both close and the run
// says why. storage.set never reaches the core.
func TestE2ERunAdminHookRefusesForEveryPlugin(t *testing.T) {
	needDisplay(t)
	dir := t.TempDir()
	prof := filepath.Join(dir, "profile")
	admin := filepath.Join(dir, "etc-warden")
	if err := os.Mkdir(admin, 0o755); err != nil {
		t.Fatal(err)
	}
	writeManaged(t, admin, "hook.js", adminHookJS)
	writeManaged(t, admin, "policy.json", adminPolicy("hook.js", sha256Of([]byte(adminHookJS))))
	installProbes(t, dir, prof, probeIDs)

	r := startRunAll(t, prof, filepath.Join(dir, "no-user-policy.json"))
	for _, id := range probeIDs {
		checkProbe(t, id, r.waitProbe(t, id, 1),
			"storage.set: isolation: admin: storage.set is not allowed", "storage.get: ok", "storage.list: ok")
	}
	before := r.webviews()
	if len(before) != 2 {
		t.Fatalf("webview processes %v, want one per plugin\n%s", before, r.text())
	}

	// The admin publishes a new hook: a new file and a new pin.
	writeManaged(t, admin, "hook2.js", adminHook2JS)
	writeManaged(t, admin, "policy.json", adminPolicy("hook2.js", sha256Of([]byte(adminHook2JS))))
	for _, id := range probeIDs {
		checkProbe(t, id, r.waitProbe(t, id, 2),
			"storage.set: isolation: admin v2: storage.set is not allowed", "storage.get: ok", "storage.list: isolation: admin v2: storage.list is not allowed")
	}
	if after := r.webviews(); len(after) != 2 || slices.ContainsFunc(after, func(p int) bool { return slices.Contains(before, p) }) {
		t.Errorf("webview processes %v after the hook changed, %v before: want both restarted", after, before)
	}

	// The pinned file is replaced behind the policy's back, and the policy
	// is saved again: the windows close, saying why, and stay closed.
	writeManaged(t, admin, "hook2.js", strings.Replace(adminHook2JS, "throw", "void ", -1))
	writeManaged(t, admin, "policy.json", adminPolicy("./hook2.js", sha256Of([]byte(adminHook2JS))))
	waitLogged(t, "the windows close", 10*time.Second, r.text, func() bool { return len(r.webviews()) == 0 })
	waitLogged(t, "the run says why", 5*time.Second, r.text, func() bool {
		return strings.Contains(r.text(), "isolation hook does not match its sha256 pin: "+filepath.Join(admin, "hook2.js"))
	})
	time.Sleep(2 * time.Second)
	if w := r.webviews(); len(w) != 0 {
		t.Fatalf("webview processes %v run without their hook\n%s", w, r.text())
	}
	r.stop(t)

	for _, id := range probeIDs {
		got := auditOf(t, prof, id)
		if slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, "storage.set") }) {
			t.Errorf("%s: storage.set reached the core: %v", id, got)
		}
		if !slices.Contains(got, "storage.get") || !slices.Contains(got, "storage.list") {
			t.Errorf("%s: audit %v, want storage.get and storage.list allowed", id, got)
		}
		if !slices.Contains(got, "warden.isolation_hook isolation_hook_mismatch") {
			t.Errorf("%s: audit %v, want the refused window", id, got)
		}
	}
}

// TestE2ERunUserPolicyCannotDropAdminHook: a user who controls their own
// policy file names a hook of their own that tries everything to remove
// the admin's hook (see userAttackHookJS). Under `warden run`, storage.set
// is still refused with the admin's message in both plugins, and the
// user's own refusal of storage.list holds too: a user's hook adds
// restrictions, never removes one.
func TestE2ERunUserPolicyCannotDropAdminHook(t *testing.T) {
	needDisplay(t)
	dir := t.TempDir()
	prof := filepath.Join(dir, "profile")
	admin := filepath.Join(dir, "etc-warden")
	if err := os.Mkdir(admin, 0o755); err != nil {
		t.Fatal(err)
	}
	writeManaged(t, admin, "hook.js", adminHookJS)
	writeManaged(t, admin, "policy.json", adminPolicy("hook.js", sha256Of([]byte(adminHookJS))))
	installProbes(t, dir, prof, probeIDs)

	home := filepath.Join(dir, "home")
	if err := os.Mkdir(home, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, "mine.js"), []byte(userAttackHookJS), 0o644); err != nil {
		t.Fatal(err)
	}
	user := filepath.Join(home, "policy.json")
	if err := os.WriteFile(user, []byte(adminPolicy("mine.js", sha256Of([]byte(userAttackHookJS)))), 0o644); err != nil {
		t.Fatal(err)
	}

	r := startRunAll(t, prof, user)
	for _, id := range probeIDs {
		checkProbe(t, id, r.waitProbe(t, id, 1),
			"storage.set: isolation: admin: storage.set is not allowed", "storage.get: ok", "storage.list: isolation: user: no listing")
	}
	r.stop(t)
	for _, id := range probeIDs {
		if got := auditOf(t, prof, id); slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, "storage.set") }) || !slices.Contains(got, "storage.get") {
			t.Errorf("%s: audit %v: want storage.get and never storage.set", id, got)
		}
	}
	// info shows both hooks in force for the plugin, the admin's first.
	out := mustWarden(t, "--profile", prof, "--policy", user, "info", probeIDs[0])
	wantAdmin := "isolation hook: " + filepath.Join(admin, "hook.js") + " (sha256 " + sha256Of([]byte(adminHookJS)) + "): "
	wantUser := filepath.Join(home, "mine.js") + " (sha256 " + sha256Of([]byte(userAttackHookJS)) + ", the user's own): "
	if !strings.Contains(out, wantAdmin) || !strings.Contains(out, wantUser) {
		t.Errorf("info:\n%s\nwant lines starting %q and %q", out, wantAdmin, wantUser)
	}
}

// TestE2ERunHookMismatchStartsNothing: the admin's hook file does not match
// the pin in the policy (changed after it was pinned), or is missing.
// `warden run` opens no window, prints the reason (the file, both hashes,
// what to do) and audits the refusal for each plugin; `warden policy
// check` fails on the policy with the same reason, and `warden open`,
// `warden demo` and `warden call` refuse too.
func TestE2ERunHookMismatchStartsNothing(t *testing.T) {
	needDisplay(t)
	pinned := sha256Of([]byte(adminHookJS))
	changed := strings.Replace(adminHookJS, "throw", "void ", 1)
	for _, tt := range []struct {
		name   string
		script string // "" leaves no file
		want   []string
		reason string
	}{
		{"changed", changed, []string{"isolation hook does not match its sha256 pin", "has sha256 " + sha256Of([]byte(changed)), "the policy pins " + pinned, "sha256sum "}, "isolation_hook_mismatch"},
		{"missing", "", []string{"isolation hook cannot be used", "no such file or directory", "restore the file"}, "isolation_hook_unreadable"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			prof := filepath.Join(dir, "profile")
			installProbes(t, dir, prof, probeIDs)
			admin := t.TempDir()
			hook := filepath.Join(admin, "hook.js")
			if tt.script != "" {
				writeManaged(t, admin, "hook.js", tt.script)
			}
			pol := writeManaged(t, admin, "policy.json", adminPolicy("hook.js", pinned))
			want := append([]string{hook}, tt.want...)

			r := startRunAll(t, prof, filepath.Join(dir, "no-user-policy.json"))
			for _, id := range probeIDs {
				waitLogged(t, "warden run says why "+id+" does not start", 20*time.Second, r.text, func() bool {
					return strings.Contains(r.text(), "warden: run "+id+": "+tt.want[0])
				})
			}
			for _, w := range want {
				if !strings.Contains(r.text(), w) {
					t.Errorf("warden run's output lacks %q:\n%s", w, r.text())
				}
			}
			deadline := time.Now().Add(2 * time.Second)
			for time.Now().Before(deadline) {
				if w := r.webviews(); len(w) != 0 {
					t.Fatalf("webview processes %v started without the hook\n%s", w, r.text())
				}
				time.Sleep(50 * time.Millisecond)
			}
			r.stop(t)
			for _, id := range probeIDs {
				got := auditOf(t, prof, id)
				if !slices.Contains(got, "warden.isolation_hook "+tt.reason) || slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, "storage.") }) {
					t.Errorf("%s: audit %v, want the refusal (%s) and no request", id, got, tt.reason)
				}
			}

			out, errOut, code := runCLI(t, "policy", "check", pol)
			if code != 1 || !strings.Contains(errOut, "error: "+tt.want[0]) || !strings.Contains(out, "isolation hook:      "+hook+" (sha256 "+pinned+"): ") {
				t.Errorf("policy check: exit %d\n%s%s", code, out, errOut)
			}
			if _, errOut, code := runCLI(t, "--profile", t.TempDir(), "open", testPlugin("hookprobe")); code == 0 || !strings.Contains(errOut, tt.want[0]) {
				t.Errorf("open: exit %d: %s", code, errOut)
			}
			if _, errOut, code := runCLI(t, "demo", "--examples", plugintest.Examples(t, "hello", "notes")); code == 0 || !strings.Contains(errOut, tt.want[0]) {
				t.Errorf("demo: exit %d: %s", code, errOut)
			}
			if _, errOut, code := runCLI(t, "--profile", prof, "call", probeIDs[0], "storage.set", `{"key": "k", "value": "v"}`); code == 0 || !strings.Contains(errOut, "warden call cannot run") {
				t.Errorf("call: exit %d: %s", code, errOut)
			}
		})
	}
}
