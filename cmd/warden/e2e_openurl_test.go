package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestE2EOpenURL: a page's open_url starts the user's browser ($BROWSER,
// here a script that writes down what it was given) with an https URL;
// other schemes and plugins without the permission start nothing.
func TestE2EOpenURL(t *testing.T) {
	t.Parallel()
	needDisplay(t)
	dir := t.TempDir()
	log := filepath.Join(dir, "opened")
	script := filepath.Join(dir, "browser")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nprintf '%s\\n' \"$@\" >> '"+log+"'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "BROWSER="+script)
	page := `const tries = ["javascript:alert(1)", "file:///etc/passwd", "https://example.com/docs?q=1"];
(async () => {
  for (const url of tries) {
    try { await warden.invoke("open_url", {url}); console.log("opened " + url); }
    catch (e) { console.log("refused " + url + ": " + e.code); }
  }
  console.log("all tried");
})();`
	errOut, exited := runUntil(t, env, "all tried", "-v", "--profile", t.TempDir(), "open", "--debug", pagePlugin(t, "Linker", []string{"open_url"}, page))
	if exited {
		t.Fatalf("warden open ended early:\n%s", errOut)
	}
	for _, want := range []string{"refused javascript:alert(1): bad_args", "refused file:///etc/passwd: bad_args", "opened https://example.com/docs?q=1"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("the page did not log %q:\n%s", want, errOut)
		}
	}
	// The browser is started, not waited for: give it a moment to write.
	var b []byte
	var err error
	for range 50 {
		if b, err = os.ReadFile(log); err == nil && len(b) > 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil || string(b) != "https://example.com/docs?q=1\n" {
		t.Errorf("the browser was given %q (%v)", b, err)
	}

	errOut, exited = runUntil(t, env, "all tried", "-v", "--profile", t.TempDir(), "open", "--debug", pagePlugin(t, "Nolinks", []string{}, page))
	if exited || !strings.Contains(errOut, "refused https://example.com/docs?q=1: not_declared") {
		t.Errorf("without the permission (exited %v):\n%s", exited, errOut)
	}
	if b, _ := os.ReadFile(log); strings.Count(string(b), "\n") != 1 {
		t.Errorf("the browser ran again: %q", b)
	}
}
