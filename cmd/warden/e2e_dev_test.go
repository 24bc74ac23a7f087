package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/internal/helperproc"
	"github.com/wardenhq/warden/internal/plugintest"
)

// devSourcePlugin copies the hello example with its Go backend's source
// and a go.mod of its own that uses this checkout's guest SDK (a module of
// its own), so that warden dev can rebuild it where it is, outside the
// source tree.
func devSourcePlugin(t *testing.T) string {
	t.Helper()
	dir := example(t, "hello")
	root := plugintest.Root()
	src, err := os.ReadFile(filepath.Join(root, "examples", "hello", "backend", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "backend", "main.go"), string(src))
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	goLine := regexp.MustCompile(`(?m)^go \S+$`).Find(mod)
	writeFile(t, filepath.Join(dir, "go.mod"), "module example.com/devhello\n\n"+string(goLine)+
		"\n\nrequire github.com/wardenhq/warden/sdk/guest v0.1.0\n\nreplace github.com/wardenhq/warden/sdk/guest => "+filepath.Join(root, "sdk", "guest")+"\n")
	return dir
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// editFile replaces old with new in path, which must contain old.
func editFile(t *testing.T, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(old)) {
		t.Fatalf("%s has no %q", path, old)
	}
	writeFile(t, path, strings.Replace(string(b), old, new, 1))
}

// TestE2EDevFollowsEdits runs warden dev on a copy of the hello example
// and edits it: a UI edit reloads the page, a backend edit is served with
// the same window (same webview process) once rebuilt, a backend that does
// not compile is reported with file:line and the previous one keeps
// answering, an invalid manifest is refused, and one that asks for more
// reopens the window. The page's storage is the source run's own.
func TestE2EDevFollowsEdits(t *testing.T) {
	t.Parallel()
	needDisplay(t)
	dir := devSourcePlugin(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w, err := warden.Open(ctx, warden.Config{Profile: t.TempDir(), CacheDir: os.Getenv(cacheDirEnv), Logger: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close(context.Background())
	out := &helperproc.Output{}
	opts := uiOptions()
	devDone := make(chan error, 1)
	go func() { devDone <- w.Dev(ctx, dir, warden.DevOptions{Out: out, Window: &opts}) }()
	defer func() {
		cancel()
		if err := <-devDone; err != nil {
			t.Errorf("Dev: %v", err)
		}
		if t.Failed() {
			t.Logf("warden dev output:\n%s", out.String())
		}
	}()

	const id = "dev.warden.hello"
	waitUntil(t, "warden dev is watching", 90*time.Second, func() bool {
		return strings.Contains(out.String(), "watching for changes")
	})
	win := w.Windows().Window(id)
	wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
	defer wcancel()
	if err := win.WaitReady(wctx); err != nil {
		t.Fatal(err)
	}
	pid := win.PID()
	greet := func() string {
		t.Helper()
		var s string
		eval(t, win, `try { return await warden.invoke("backend.greet", "Ada"); } catch (e) { return "error: " + e.message; }`, &s)
		return s
	}
	if got := greet(); got != "Hello, Ada!" {
		t.Fatalf("before any edit: %q", got)
	}

	// The page's storage is the source run's, not the installed plugin's.
	var ok bool
	eval(t, win, `await warden.invoke("storage.set", {key: "where", value: "dev"}); return true;`, &ok)
	if v, found, err := w.Host().Storage().Get("dev/"+id, "where"); err != nil || !found || string(v) != "dev" {
		t.Fatalf("the dev run's value is not under dev/%s: %q %v %v", id, v, found, err)
	}
	if _, found, _ := w.Host().Storage().Get(id, "where"); found {
		t.Fatal("the dev run wrote to the installed plugin's storage")
	}

	// A UI edit reloads the page in the same window.
	eval(t, win, `window.oldPage = true; return true;`, &ok)
	app := filepath.Join(dir, "ui", "app.js")
	b, _ := os.ReadFile(app)
	writeFile(t, app, string(b)+"\nwindow.edited = true;\nconsole.log(\"edited page\", 2);\n")
	waitUntil(t, "the page is reloaded with the edit", 10*time.Second, func() bool {
		c, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		res, err := win.Eval(c, `return window.edited === true && !window.oldPage;`)
		return err == nil && string(res) == "true"
	})
	waitUntil(t, "the page's console.log reaches the output", 10*time.Second, func() bool {
		return regexp.MustCompile(`(?m)^\[dev\.warden\.hello\] log ui/app\.js:\d+:\d+: edited page 2$`).MatchString(out.String())
	})

	// A backend edit is served by the next invoke, the page and its
	// process untouched.
	eval(t, win, `window.beforeSwap = true; return true;`, &ok)
	mainGo := filepath.Join(dir, "backend", "main.go")
	edited := time.Now()
	editFile(t, mainGo, `"Hello, " + name`, `"Howdy, " + name`)
	for greet() != "Howdy, Ada!" {
		// The rebuild's time is logged, not asserted: a loaded machine
		// takes longer to compile, and that is not what the test is about.
		if time.Since(edited) > time.Minute {
			t.Fatalf("the edited backend was not served a minute after the save: %q", greet())
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("backend edit served %v after the save", time.Since(edited).Round(time.Millisecond))
	eval(t, win, `return window.beforeSwap === true;`, &ok)
	if !ok || win.PID() != pid || w.Windows().Window(id) != win {
		t.Fatalf("the backend swap disturbed the window: same page %v, pid %d then %d", ok, pid, win.PID())
	}

	// A backend that does not compile: the error names the file and line,
	// and the previous backend keeps answering.
	editFile(t, mainGo, "func main() {}", "func main() {\n\tthis is not Go\n}")
	waitUntil(t, "the build error is reported", 20*time.Second, func() bool {
		return regexp.MustCompile(`(?m)backend not updated; the previous backend keeps running:\n(?:    .*\n)*    backend/main\.go:\d+:\d+: .*syntax error`).MatchString(out.String())
	})
	if got := greet(); got != "Howdy, Ada!" {
		t.Fatalf("after the failed build the backend answers %q", got)
	}

	// An invalid manifest is refused and the plugin keeps running.
	manifestPath := filepath.Join(dir, "manifest.json")
	good, _ := os.ReadFile(manifestPath)
	writeFile(t, manifestPath, strings.Replace(string(good), `"version": "1.0.0"`, `"version": "one"`, 1))
	waitUntil(t, "the invalid manifest is reported", 10*time.Second, func() bool {
		return strings.Contains(out.String(), "manifest.json not applied") && strings.Contains(out.String(), "version")
	})
	if w.Windows().Window(id) != win || win.PID() != pid {
		t.Fatal("an invalid manifest closed the window")
	}

	// A valid manifest asking for more: named, granted, window reopened.
	editFile(t, mainGo, "func main() {\n\tthis is not Go\n}", "func main() {}")
	var m map[string]any
	json.Unmarshal(good, &m)
	m["commands"] = []string{"greet", "shout"}
	nb, _ := json.MarshalIndent(m, "", "  ")
	writeFile(t, manifestPath, string(nb))
	waitUntil(t, "the window reopens with the new manifest", 60*time.Second, func() bool {
		nw := w.Windows().Window(id)
		return nw != nil && nw != win && strings.Contains(out.String(), "window reopened")
	})
	if !strings.Contains(out.String(), "the manifest now asks for backend.shout: granted") {
		t.Fatal("the new permission was not named")
	}
	nw := w.Windows().Window(id)
	if err := nw.WaitReady(wctx); err != nil {
		t.Fatal(err)
	}
	var reply string
	eval(t, nw, `return await warden.invoke("backend.greet", "Bo");`, &reply)
	if reply != "Howdy, Bo!" {
		t.Fatalf("after the reopen: %q", reply)
	}
}

// TestE2EDevCommandPrintsConsole runs the real `warden dev` command: the
// page's console.log and an uncaught error reach its output, prefixed
// with the plugin's id, the error with its file and line.
func TestE2EDevCommandPrintsConsole(t *testing.T) {
	t.Parallel()
	needDisplay(t)
	dir := example(t, "hello")
	app := filepath.Join(dir, "ui", "app.js")
	b, _ := os.ReadFile(app)
	writeFile(t, app, string(b)+"\nconsole.log(\"hello from\", \"the page\");\nsetTimeout(() => { throw new Error(\"dev boom\"); }, 0);\n")
	r := startWarden(t, "--profile", t.TempDir(), "dev", dir)
	waitUntil(t, "the page's console in the command's output", 60*time.Second, func() bool {
		s := r.text()
		return strings.Contains(s, "[dev.warden.hello] log ui/app.js:") && strings.Contains(s, "hello from the page") &&
			regexp.MustCompile(`\[dev\.warden\.hello\] error ui/app\.js:\d+:\d+: uncaught Error: dev boom`).MatchString(s)
	})
	r.cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- r.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("warden dev ended with %v after SIGINT\n%s", err, r.text())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("warden dev did not end on SIGINT\n%s", r.text())
	}
}

// TestSourceRunDataIsApart: a plugin run from its source directory and
// the installed plugin with the same id do not see each other's storage.
func TestSourceRunDataIsApart(t *testing.T) {
	t.Parallel()
	dir, prof := t.TempDir(), t.TempDir()
	bundle := packHello(t, dir)
	mustWarden(t, "--profile", prof, "install", bundle, "--pub", filepath.Join(dir, "k.pub"), "--grant", "storage")
	src := helloTiny(t)
	const id = "dev.warden.hello"
	call := func(target, cmd, args string) string {
		t.Helper()
		return strings.TrimSpace(mustWarden(t, "--profile", prof, "call", target, cmd, args))
	}
	call(id, "storage.set", `{"key":"k","value":"installed"}`)
	if got := call(src, "storage.get", `{"key":"k"}`); got != `{"value":null,"found":false}` {
		t.Fatalf("the source run sees the installed plugin's value: %s", got)
	}
	call(src, "storage.set", `{"key":"k","value":"source"}`)
	if got := call(id, "storage.get", `{"key":"k"}`); got != `{"value":"installed","found":true}` {
		t.Fatalf("the installed plugin's value after the source run wrote: %s", got)
	}
	if got := call(src, "storage.get", `{"key":"k"}`); got != `{"value":"source","found":true}` {
		t.Fatalf("the source run's own value: %s", got)
	}
	if _, err := os.Stat(filepath.Join(prof, "dev", id, "data")); err != nil {
		t.Fatalf("the source run's data directory: %v", err)
	}
}
