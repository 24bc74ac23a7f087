package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/atomicfile"
	"github.com/wardenhq/warden/internal/helperproc"
	"github.com/wardenhq/warden/internal/proctree"
)

// TestE2EPolicyLiveStopsAndRestarts installs the hello example from a
// signed bundle, runs it with `warden run` under a policy file, and edits
// the policy: in place to block the plugin (its webview process must be
// gone within a second), then by rename-over to allow it again (its window
// must come back).
func TestE2EPolicyLiveStopsAndRestarts(t *testing.T) {
	needDisplay(t)
	dir := t.TempDir()
	prof := filepath.Join(dir, "profile")
	pol := filepath.Join(dir, "policy.json")
	writeFileAtomic := func(content string) {
		if err := atomicfile.WriteFile(pol, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const allow = `{"policy_version": 1, "default": "allow"}`
	const block = `{"policy_version": 1, "default": "allow", "plugins": [{"id": "dev.warden.hello", "allow": false, "reason": "under review"}]}`
	writeFileAtomic(allow)

	bundle := packHelloReal(t, dir)
	mustWarden(t, "--profile", prof, "--policy", pol, "install", bundle, "--pub", filepath.Join(dir, "k.pub"), "--grant", "storage")

	webview, logText := startRun(t, prof, pol)
	waitFor := func(what string, limit time.Duration, cond func() bool) time.Duration {
		t.Helper()
		return waitLogged(t, what, limit, logText, cond)
	}
	waitFor("the plugin's webview process starts", 30*time.Second, func() bool { return webview() != 0 })

	// In place: truncate and write the same file.
	edited := time.Now()
	if err := os.WriteFile(pol, []byte(block), 0o644); err != nil {
		t.Fatal(err)
	}
	took := waitFor("the blocked plugin's webview process is gone", 5*time.Second, func() bool { return webview() == 0 })
	t.Logf("blocked by an in-place edit: webview process gone after %v", took)
	if took > time.Second {
		t.Errorf("policy change applied after %v, want within 1s", time.Since(edited))
	}
	waitFor("warden run reports the policy's reason", 5*time.Second, func() bool { return strings.Contains(logText(), "under review") })

	// By rename: the way most editors save.
	writeFileAtomic(allow)
	took = waitFor("the allowed plugin's webview process is back", 30*time.Second, func() bool { return webview() != 0 })
	t.Logf("allowed again by a rename-over edit: webview process back after %v", took)

	// And blocked again by rename, to show both kinds of edit stop it.
	edited = time.Now()
	writeFileAtomic(block)
	took = waitFor("the blocked plugin's webview process is gone", 5*time.Second, func() bool { return webview() == 0 })
	if took > time.Second {
		t.Errorf("policy change by rename applied after %v, want within 1s", time.Since(edited))
	}
}

// packHello packs the hello example with a stand-in backend (helloTiny)
// into dir, signed with a new key whose public half is dir/k.pub, and
// returns the bundle's path: for tests that never call the backend.
func packHello(t *testing.T, dir string) string {
	t.Helper()
	return packSigned(t, dir, helloTiny(t))
}

// packHelloReal is packHello with the example's own backend.
func packHelloReal(t *testing.T, dir string) string {
	t.Helper()
	return packSigned(t, dir, example(t, "hello"))
}

// packSigned packs the plugin in src into dir/hello.wbundle, signed with a
// new key whose public half is dir/k.pub.
func packSigned(t *testing.T, dir, src string) string {
	t.Helper()
	mustPlain(t, "keygen", "-o", filepath.Join(dir, "k.key"))
	out := filepath.Join(dir, "hello.wbundle")
	mustPlain(t, "pack", src, "--key", filepath.Join(dir, "k.key"), "-o", out)
	return out
}

// startRun starts `warden run dev.warden.hello` on prof as a real process
// and returns a probe for its webview process (its pid, or 0) and its
// output so far.
func startRun(t *testing.T, prof, pol string) (webview func() int, logText func() string) {
	t.Helper()
	cmd := helperproc.Command(wardenRole, "--profile", prof, "--policy", pol, "run", "dev.warden.hello")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	var mu sync.Mutex
	var log strings.Builder
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			mu.Lock()
			log.WriteString(sc.Text() + "\n")
			mu.Unlock()
		}
	}()
	logText = func() string { mu.Lock(); defer mu.Unlock(); return log.String() }
	webview = func() int {
		for _, p := range proctree.Descendants(cmd.Process.Pid) {
			if strings.Contains(cmdline(p), "webview") && alive(p) {
				return p
			}
		}
		return 0
	}
	return webview, logText
}

// waitLogged waits for cond and fails with the run's output after limit.
func waitLogged(t *testing.T, what string, limit time.Duration, logText func() string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > limit {
			t.Fatalf("%s: not after %v\nwarden run said:\n%s", what, limit, logText())
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Since(start)
}

// TestE2EChangesReachRunningWarden changes a plugin from the command line
// while `warden run` holds the profile: disable closes its window, enable
// opens it again, and revoking a permission closes it, each carried out by
// the running process through its control socket.
func TestE2EChangesReachRunningWarden(t *testing.T) {
	t.Parallel()
	needDisplay(t)
	dir := t.TempDir()
	prof := filepath.Join(dir, "profile")
	pol := filepath.Join(dir, "policy.json")
	bundle := packHelloReal(t, dir)
	mustWarden(t, "--profile", prof, "--policy", pol, "install", bundle, "--pub", filepath.Join(dir, "k.pub"), "--grant", "storage")
	webview, logText := startRun(t, prof, pol)
	waitLogged(t, "the window opens", 30*time.Second, logText, func() bool { return webview() != 0 })

	for _, step := range []struct {
		args []string
		open bool
	}{
		{[]string{"disable", "dev.warden.hello"}, false},
		{[]string{"enable", "dev.warden.hello"}, true},
		{[]string{"revoke", "dev.warden.hello", "storage"}, false},
	} {
		out := mustWarden(t, append([]string{"--profile", prof, "--policy", pol}, step.args...)...)
		if !strings.Contains(out, "applied by the running warden") {
			t.Fatalf("warden %v did not go through the running warden:\n%s", step.args, out)
		}
		waitLogged(t, fmt.Sprintf("after %v the window is open=%v", step.args, step.open), 10*time.Second, logText,
			func() bool { return (webview() != 0) == step.open })
	}
	if _, errOut, code := runCLI(t, "--profile", prof, "--policy", pol, "grant", "dev.warden.hello", "clipboard.read"); code == 0 || !strings.Contains(errOut, "not declared") {
		t.Fatalf("an undeclared grant through the running warden: exit %d: %s", code, errOut)
	}
}
