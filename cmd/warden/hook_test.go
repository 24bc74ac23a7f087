package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCallRefusedUnderIsolationHook: warden call seals requests itself,
// with no isolation frame to run the admin's hook in, so while a hook is
// in force it refuses, from a source directory and for an installed
// plugin, whatever policy of their own the user passes.
func TestCallRefusedUnderIsolationHook(t *testing.T) {
	dir := t.TempDir()
	prof := filepath.Join(dir, "profile")
	bundle := packHello(t, dir)
	mustWarden(t, "--profile", prof, "install", bundle, "--pub", filepath.Join(dir, "k.pub"), "--grant", "storage")
	admin := t.TempDir()
	writeManaged(t, admin, "hook.js", adminHookJS)
	writeManaged(t, admin, "policy.json", adminPolicy("hook.js", sha256Of([]byte(adminHookJS))))
	user := writePolicy(t, `{"policy_version": 1, "default": "allow"}`)
	for _, target := range []string{helloTiny(t), "dev.warden.hello"} {
		for _, pre := range [][]string{nil, {"--policy", user}} {
			args := append(append(pre, "--profile", prof, "call", target), "storage.set", `{"key": "k", "value": "v"}`)
			out, errOut, code := runCLI(t, args...)
			if code == 0 || out != "" || !strings.Contains(errOut, "the policy's isolation hook runs only in plugin windows: every request a plugin makes must pass "+filepath.Join(admin, "hook.js")) {
				t.Errorf("warden %v: exit %d\n%s%s", args, code, out, errOut)
			}
		}
	}
	// Without a hook, call works as before.
	if err := os.Remove(filepath.Join(admin, "policy.json")); err != nil {
		t.Fatal(err)
	}
	if out := mustWarden(t, "--profile", prof, "call", "dev.warden.hello", "storage.set", `{"key": "k", "value": "v"}`); strings.TrimSpace(out) != "null" {
		t.Errorf("call without a hook: %q", out)
	}
}
