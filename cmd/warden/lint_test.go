package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// editManifest replaces old with new in dir's manifest.json.
func editManifest(t *testing.T, dir, old, new string) {
	t.Helper()
	mf := filepath.Join(dir, "manifest.json")
	b, err := os.ReadFile(mf)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("manifest has no %q", old)
	}
	if err := os.WriteFile(mf, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestLintCommand: warden lint prints file:line: severity: message [rule]
// and a summary, exits 1 on an error and 0 with warnings only, and has
// --json.
func TestLintCommand(t *testing.T) {
	t.Parallel()
	hello := helloTiny(t)
	out, _, err := runWarden(t, "lint", hello)
	if err != nil {
		t.Fatalf("lint of the hello example: %v\n%s", err, out)
	}
	// The copy's backend is a stand-in .wasm without sources.
	if !strings.Contains(out, filepath.Join(hello, "manifest.json")+":14:24: warning: lint cannot tell which capabilities backend/hello.wasm uses") ||
		!strings.HasSuffix(out, hello+": 0 errors, 1 warning\n") {
		t.Errorf("lint output:\n%s", out)
	}

	if err := os.WriteFile(filepath.Join(hello, "ui", "extra.js"), []byte("\n\nwarden.invoke(\"backend.shutdown\");\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, err = runWarden(t, "lint", hello)
	var ex *exitError
	if !errors.As(err, &ex) || ex.code != 1 {
		t.Fatalf("lint with an error: err %v, want exit 1\n%s", err, out)
	}
	want := filepath.Join(hello, "ui", "extra.js") + `:3:1: error: the page invokes "backend.shutdown", but "shutdown" is not in the manifest's "commands"; add it there (and export it from the backend), or fix the name [command.undeclared]`
	if !strings.Contains(out, want+"\n") || !strings.HasSuffix(out, ": 1 error, 1 warning\n") {
		t.Errorf("lint output:\n%s\nwant the line\n%s", out, want)
	}

	out, _, err = runWarden(t, "lint", "--json", hello)
	if !errors.As(err, &ex) {
		t.Fatalf("lint --json: %v", err)
	}
	var j struct {
		Errors, Warnings int
		Findings         []struct{ Severity, Rule, File string }
	}
	if err := json.Unmarshal([]byte(out), &j); err != nil {
		t.Fatalf("lint --json: %v\n%s", err, out)
	}
	if j.Errors != 1 || j.Warnings != 1 || len(j.Findings) != 2 {
		t.Errorf("lint --json = %+v", j)
	}
}

// TestPackRefusesLintErrors: pack prints lint's findings and writes no
// bundle when one is an error; warnings alone do not stop it.
func TestPackRefusesLintErrors(t *testing.T) {
	t.Parallel()
	hello := helloTiny(t)
	editManifest(t, hello, `"commands": ["greet"]`, `"commands": ["hello"]`)
	out := filepath.Join(t.TempDir(), "hello.wbundle")
	stdout, stderr, err := runWarden(t, "pack", hello, "-o", out)
	if err == nil || !strings.Contains(err.Error(), "not packed: lint found 1 error") {
		t.Fatalf("pack = %v, want a refusal\n%s%s", err, stdout, stderr)
	}
	if !strings.Contains(stderr, `error: the page invokes "backend.greet", but "greet" is not in the manifest's "commands"`) {
		t.Errorf("pack did not print the finding:\n%s", stderr)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("pack wrote %s despite the lint error", out)
	}

	editManifest(t, hello, `"commands": ["hello"]`, `"commands": ["greet"]`)
	stdout, stderr, err = runWarden(t, "pack", hello, "-o", out)
	if err != nil || !strings.Contains(stdout, "packed dev.warden.hello 1.0.0") || !strings.Contains(stderr, "warning: lint cannot tell which capabilities") {
		t.Fatalf("pack with warnings only = %v\n%s%s", err, stdout, stderr)
	}
}

// TestAuthorReasonsAndDevScopes packs a plugin whose manifest has reasons
// and dev_scopes: the bundle carries no dev_scopes, and install and info
// show the reasons as the author's words.
func TestAuthorReasonsAndDevScopes(t *testing.T) {
	t.Parallel()
	hello := helloTiny(t)
	const reason = `Counts your "greetings" — nothing else.`
	editManifest(t, hello, `"permissions": ["storage"]`, `"permissions": ["storage"],
  "reasons": {"storage": "Counts your \"greetings\" — nothing else."},
  "dev_scopes": {"http": ["http://localhost:8080/*"]}`)
	dir := t.TempDir()
	out := filepath.Join(dir, "hello.wbundle")
	mustWarden(t, "pack", hello, "-o", out)
	entries := mustWarden(t, "verify", out)
	if !strings.Contains(entries, "plugin:    dev.warden.hello 1.0.0") {
		t.Fatalf("verify:\n%s", entries)
	}
	prof := filepath.Join(dir, "profile")
	stdout := mustWarden(t, "--profile", prof, "install", out, "--allow-unsigned", "--grant", "storage")
	if want := "  - Store its own data on this computer (storage)\n      the author says: \"" + reason + "\"\n"; !strings.Contains(stdout, want) {
		t.Errorf("install output:\n%s\nwant:\n%s", stdout, want)
	}
	info := mustWarden(t, "--profile", prof, "info", "dev.warden.hello")
	if want := "    the author says: \"" + reason + "\"\n"; !strings.Contains(info, want) {
		t.Errorf("info output:\n%s\nwant:\n%s", info, want)
	}
	files := mustWarden(t, "--profile", prof, "info", "--json", "dev.warden.hello")
	var j struct {
		Dir     string
		Reasons map[string]string
	}
	if err := json.Unmarshal([]byte(files), &j); err != nil || j.Reasons["storage"] != reason {
		t.Fatalf("info --json: %v\n%s", err, files)
	}
	installed, err := os.ReadFile(filepath.Join(j.Dir, "manifest.json"))
	if err != nil || strings.Contains(string(installed), "dev_scopes") || strings.Contains(string(installed), "localhost") {
		t.Errorf("installed manifest (%v):\n%s", err, installed)
	}
}
