package policy

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const hookSrc = `window.__WARDEN_ISOLATION_HOOK__ = function (p) {
  if (p.cmd === 'storage.set') throw new Error('admin: no storage.set');
  return p;
};
`

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// withHook returns a policy that allows everything and names the hook at
// path with the pin sum.
func withHook(path, sum string) string {
	return `{"policy_version": 1, "default": "allow", "isolation_hook": {"path": "` + path + `", "sha256": "` + sum + `"}}`
}

// writeHook writes a hook script and a policy naming it (by the relative
// path "hook.js") into a fresh directory, and returns both paths.
func writeHook(t *testing.T, script []byte, pin string) (policyPath, hookPath string) {
	t.Helper()
	dir := t.TempDir()
	hookPath = filepath.Join(dir, "hook.js")
	if err := os.WriteFile(hookPath, script, 0o644); err != nil {
		t.Fatal(err)
	}
	policyPath = filepath.Join(dir, "policy.json")
	if err := os.WriteFile(policyPath, []byte(withHook("hook.js", pin)), 0o644); err != nil {
		t.Fatal(err)
	}
	return policyPath, hookPath
}

func TestParseIsolationHook(t *testing.T) {
	t.Parallel()
	sum := sha256Hex([]byte(hookSrc))
	p := mustParse(t, withHook("/etc/warden/hook.js", strings.ToUpper(sum)))
	hs := p.IsolationHooks()
	if len(hs) != 1 || hs[0].Path != "/etc/warden/hook.js" || hs[0].Pin() != sum || hs[0].User || hs[0].Policy != "inline" {
		t.Fatalf("hooks %+v", hs)
	}
	if got := mustParse(t, `{"policy_version": 1, "default": "allow"}`).IsolationHooks(); len(got) != 0 {
		t.Errorf("no isolation_hook: %+v", got)
	}
	var nilPolicy *Policy
	if nilPolicy.IsolationHooks() != nil {
		t.Error("the nil policy has a hook")
	}
}

// TestParseIsolationHookBadValues: the pin is required, and every problem
// names the field.
func TestParseIsolationHookBadValues(t *testing.T) {
	t.Parallel()
	sum := sha256Hex([]byte(hookSrc))
	tests := []struct {
		name, hook, field string
	}{
		{"no pin", `{"path": "/etc/warden/hook.js"}`, "isolation_hook.sha256"},
		{"empty pin", `{"path": "/etc/warden/hook.js", "sha256": ""}`, "isolation_hook.sha256"},
		{"short pin", `{"path": "/etc/warden/hook.js", "sha256": "` + sum[:63] + `"}`, "isolation_hook.sha256"},
		{"not hex", `{"path": "/etc/warden/hook.js", "sha256": "` + strings.Repeat("g", 64) + `"}`, "isolation_hook.sha256"},
		{"sha256: prefix", `{"path": "/etc/warden/hook.js", "sha256": "sha256:` + sum + `"}`, "isolation_hook.sha256"},
		{"no path", `{"sha256": "` + sum + `"}`, "isolation_hook.path"},
		{"control character", `{"path": "/etc/warden/hook\n.js", "sha256": "` + sum + `"}`, "isolation_hook.path"},
		{"null", `null`, "isolation_hook"},
		{"a string", `"/etc/warden/hook.js"`, "isolation_hook"},
		{"unknown field", `{"path": "/etc/warden/hook.js", "sha256": "` + sum + `", "optional": true}`, "isolation_hook.optional"},
		{"a list", `[{"path": "/etc/warden/hook.js", "sha256": "` + sum + `"}]`, "isolation_hook"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(`{"policy_version": 1, "default": "allow", "isolation_hook": ` + tt.hook + `}`))
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.field) {
				t.Errorf("err %v, want ErrInvalid naming %s", err, tt.field)
			}
		})
	}
}

// TestLoadResolvesHookPath: a relative path is taken from the policy
// file's directory, wherever the command runs; an absolute one is kept.
func TestLoadResolvesHookPath(t *testing.T) {
	pol, hook := writeHook(t, []byte(hookSrc), sha256Hex([]byte(hookSrc)))
	t.Chdir(t.TempDir())
	p, err := Load(pol)
	if err != nil {
		t.Fatal(err)
	}
	hs := p.IsolationHooks()
	if len(hs) != 1 || hs[0].Path != hook || hs[0].Policy != pol {
		t.Fatalf("hooks %+v, want %s named by %s", hs, hook, pol)
	}
	if _, err := hs[0].Read(); err != nil {
		t.Errorf("read: %v", err)
	}

	abs := filepath.Join(t.TempDir(), "policy.json")
	if err := os.WriteFile(abs, []byte(withHook("/etc/warden/../warden/hook.js", sha256Hex(nil))), 0o644); err != nil {
		t.Fatal(err)
	}
	if p, err = Load(abs); err != nil || p.IsolationHooks()[0].Path != "/etc/warden/hook.js" {
		t.Errorf("absolute path: %v %+v", err, p.IsolationHooks())
	}
}

// TestHookReadVerifiesThePin: the contents are returned only when their
// SHA-256 is the pin; a changed file is refused with both hashes, the file
// and what to do.
func TestHookReadVerifiesThePin(t *testing.T) {
	t.Parallel()
	pol, hook := writeHook(t, []byte(hookSrc), sha256Hex([]byte(hookSrc)))
	p, err := Load(pol)
	if err != nil {
		t.Fatal(err)
	}
	h := p.IsolationHooks()[0]
	got, err := h.Read()
	if err != nil || string(got) != hookSrc {
		t.Fatalf("read %q, %v", got, err)
	}

	// The attacker (or an update gone wrong) changes one byte.
	changed := strings.Replace(hookSrc, "throw", "void ", 1)
	if err := os.WriteFile(hook, []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err = h.Read()
	if !errors.Is(err, ErrHookMismatch) || got != nil {
		t.Fatalf("changed file: %q, %v; want ErrHookMismatch and no contents", got, err)
	}
	for _, want := range []string{hook, pol, sha256Hex([]byte(changed)), sha256Hex([]byte(hookSrc)), "sha256sum " + hook, "restore the file"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

// TestHookReadRefusesUnusableFiles: a hook that cannot be read, or could
// not reach the frame byte for byte, is refused; with a matching pin too.
func TestHookReadRefusesUnusableFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	large := make([]byte, MaxHookSize+1)
	for i := range large {
		large[i] = ' '
	}
	tests := []struct {
		name string
		data []byte // nil: no file
		path string // instead of a file with data
		want string
	}{
		{"missing", nil, filepath.Join(dir, "none.js"), "no such file"},
		{"a directory", nil, dir, "not a regular file"},
		{"a FIFO", nil, fifo, "not a regular file"},
		{"empty", []byte{}, "", "empty"},
		{"too large", large, "", "larger than"},
		{"NUL byte", []byte("window.__WARDEN_ISOLATION_HOOK__ = null;\x00 evil()"), "", "NUL"},
		{"not UTF-8", []byte("window.x = '\xff';"), "", "UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.path
			if path == "" {
				path = filepath.Join(t.TempDir(), "hook.js")
				if err := os.WriteFile(path, tt.data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			h := Hook{Path: path, SHA256: sha256.Sum256(tt.data), Policy: "policy.json"}
			got, err := h.Read()
			if !errors.Is(err, ErrHookUnreadable) || got != nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("%q, %v; want ErrHookUnreadable saying %q and naming the file", got, err, tt.want)
			}
		})
	}
	h := Hook{Path: filepath.Join(dir, "none.js")}
	if _, err := h.Read(); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v, want fs.ErrNotExist too", err)
	}
}

// TestCombineKeepsTheManagedHook is the user who controls their own policy
// file and wants the admin's hook gone: no hook, another hook at the same
// path, the admin's file with a wrong pin, a hook that does nothing. The
// managed hook stays, first and with the admin's authority; the user's
// hook, if any, is added after it and marked as the user's.
func TestCombineKeepsTheManagedHook(t *testing.T) {
	t.Parallel()
	sum := sha256Hex([]byte(hookSrc))
	managed := mustParse(t, withHook("/etc/warden/hook.js", sum))
	users := map[string]string{
		"no hook":                  `{"policy_version": 1, "default": "allow"}`,
		"same path, its own pin":   withHook("/etc/warden/hook.js", sha256Hex([]byte("window.__WARDEN_ISOLATION_HOOK__ = function (p) { return p; };"))),
		"a pass-through hook":      withHook("/home/mallory/pass.js", sha256Hex([]byte("window.__WARDEN_ISOLATION_HOOK__ = function (p) { return p; };"))),
		"the same hook, same pin":  withHook("/etc/warden/hook.js", sum),
		"a stricter default block": `{"policy_version": 1, "default": "block", "isolation_hook": {"path": "/tmp/x.js", "sha256": "` + sum + `"}}`,
	}
	for name, src := range users {
		t.Run(name, func(t *testing.T) {
			user := mustParse(t, src)
			hs := Combine(managed, user).IsolationHooks()
			if len(hs) == 0 || hs[0].User || hs[0].Path != "/etc/warden/hook.js" || hs[0].Pin() != sum {
				t.Fatalf("combined hooks %+v: the managed hook must come first, as the admin's", hs)
			}
			for _, h := range hs[1:] {
				if !h.User {
					t.Errorf("the user's hook %+v has the admin's authority", h)
				}
			}
			if want := 1 + len(user.IsolationHooks()); len(hs) != want {
				t.Errorf("%d hooks, want %d", len(hs), want)
			}
		})
	}
	// With no managed policy, a user's hook is still only the user's.
	user := mustParse(t, withHook("/home/u/hook.js", sum))
	if hs := Combine(nil, user).IsolationHooks(); len(hs) != 1 || !hs[0].User {
		t.Errorf("user hook alone: %+v", hs)
	}
	if hs := Combine(managed, nil).IsolationHooks(); len(hs) != 1 || hs[0].User {
		t.Errorf("managed hook alone: %+v", hs)
	}
	// The combination's hooks are a copy.
	c := Combine(managed, user)
	c.IsolationHooks()[0].Path = "/dev/null"
	if c.IsolationHooks()[0].Path != "/etc/warden/hook.js" {
		t.Error("IsolationHooks returns a shared slice")
	}
}

// TestWatchLayeredUserEditCannotDropHook: the user edits their file while
// warden runs, adding a hook and taking it away again: the managed hook
// stays in force throughout, and an admin's change to it applies.
func TestWatchLayeredUserEditCannotDropHook(t *testing.T) {
	dir := t.TempDir()
	managed := filepath.Join(dir, "managed.json")
	user := filepath.Join(dir, "user.json")
	sum := sha256Hex([]byte(hookSrc))
	writeInPlace(t, managed, withHook("/etc/warden/hook.js", sum))
	writeInPlace(t, user, `{"policy_version": 1, "default": "allow"}`)
	r := &recorder{}
	lw, err := WatchLayered(t.Context(), managed, user, r.apply)
	if err != nil {
		t.Fatal(err)
	}
	defer lw.Close()
	managedFirst := func(p *Policy) bool {
		hs := p.IsolationHooks()
		return len(hs) > 0 && !hs[0].User && hs[0].Path == "/etc/warden/hook.js" && hs[0].Pin() == sum
	}
	if !managedFirst(lw.Current()) {
		t.Fatalf("start: %+v", lw.Current().IsolationHooks())
	}
	writeInPlace(t, user, withHook("pass.js", sha256Hex(nil)))
	waitLayered(t, r, "user adds a hook", func(p *Policy) bool { return len(p.IsolationHooks()) == 2 })
	if !managedFirst(r.last()) || !r.last().IsolationHooks()[1].User || r.last().IsolationHooks()[1].Path != filepath.Join(dir, "pass.js") {
		t.Fatalf("user hook added: %+v", r.last().IsolationHooks())
	}
	writeInPlace(t, user, `{"policy_version": 1, "default": "allow", "isolation_hook": {"path": "/etc/warden/hook.js"}}`)
	time.Sleep(2 * maxDelay) // read and refused: the last good user file stays
	if !managedFirst(lw.Current()) {
		t.Fatalf("after a broken user edit: %+v", lw.Current().IsolationHooks())
	}
	writeInPlace(t, user, `{"policy_version": 1, "default": "allow"}`)
	waitLayered(t, r, "user drops their hook", func(p *Policy) bool { return len(p.IsolationHooks()) == 1 })
	if !managedFirst(r.last()) {
		t.Fatalf("user hook dropped: %+v", r.last().IsolationHooks())
	}
	other := sha256Hex([]byte("x"))
	writeInPlace(t, managed, withHook("/etc/warden/hook2.js", other))
	waitLayered(t, r, "admin changes the hook", func(p *Policy) bool {
		hs := p.IsolationHooks()
		return len(hs) == 1 && hs[0].Pin() == other && !hs[0].User
	})
}

// TestExplainShowsHooks: explain names the hooks in force, in the order
// they see a request, and says nothing about hooks when there is none.
func TestExplainShowsHooks(t *testing.T) {
	t.Parallel()
	sum := sha256Hex([]byte(hookSrc))
	managed := mustParse(t, withHook("/etc/warden/hook.js", sum))
	user := mustParse(t, withHook("/home/u/hook.js", sum))
	text := strings.Join(Combine(managed, user).Explain("com.example.notes"), "\n")
	want := "  isolation hooks: /home/u/hook.js (sha256 " + sum + "; the user's, sees each request first), then /etc/warden/hook.js (sha256 " + sum + "; the admin's, decides last)"
	if !strings.Contains(text, want) {
		t.Errorf("explain:\n%s\nwant a line starting %q", text, want)
	}
	if text := strings.Join(mustParse(t, withPlugins("allow")).Explain("x"), "\n"); strings.Contains(text, "isolation hook") {
		t.Errorf("no hook, yet:\n%s", text)
	}
}
