package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestGrantRevokeAlwaysGranted: warden grant and revoke of log (which
// every plugin has) or of the plugin's own backend command say that it is
// always granted, rather than "not declared" or "not granted", and change
// nothing; the plugin's real permissions still grant and revoke.
func TestGrantRevokeAlwaysGranted(t *testing.T) {
	dir := t.TempDir()
	prof := filepath.Join(dir, "profile")
	bundle := filepath.Join(dir, "hello.wbundle")
	if _, _, err := runWarden(t, "pack", helloTiny(t), "-o", bundle); err != nil {
		t.Fatal(err)
	}
	if _, errOut, err := runWarden(t, "--profile", prof, "install", bundle, "--allow-unsigned", "--grant", "storage"); err != nil {
		t.Fatalf("install: %v\n%s", err, errOut)
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"grant", "dev.warden.hello", "log"}, "log: always granted to every plugin; there is nothing to grant"},
		{[]string{"revoke", "dev.warden.hello", "log"}, "log: always granted to every plugin, and cannot be revoked (warden disable dev.warden.hello stops the plugin)"},
		{[]string{"grant", "dev.warden.hello", "backend.greet"}, `backend.greet: always granted with the plugin's command "greet"; there is nothing to grant`},
		{[]string{"revoke", "dev.warden.hello", "backend.greet"}, `backend.greet: always granted with the plugin's command "greet", and cannot be revoked`},
	}
	for _, tt := range tests {
		_, _, err := runWarden(t, append([]string{"--profile", prof}, tt.args...)...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("warden %s: %v\nwant %q", strings.Join(tt.args, " "), err, tt.want)
		}
	}
	if out, _, err := runWarden(t, "--profile", prof, "revoke", "dev.warden.hello", "storage"); err != nil || !strings.Contains(out, "revoked storage from dev.warden.hello") {
		t.Fatalf("revoke storage: %v\n%s", err, out)
	}
	if out, _, err := runWarden(t, "--profile", prof, "grant", "dev.warden.hello", "storage"); err != nil || !strings.Contains(out, "granted storage to dev.warden.hello") {
		t.Fatalf("grant storage: %v\n%s", err, out)
	}
}
