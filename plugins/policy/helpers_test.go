package policy

import (
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
)

// TestMain keeps the watcher's logs out of the test output; tests that
// check the logs install their own handler.
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	os.Exit(m.Run())
}

// Two public keys made by minisign -G, with the ids minisign printed in
// their "untrusted comment" lines.
const (
	keyA   = "RWTAzLo8VT6V8JxwqrXAyetiTevzgqMzcCAxPzKkpc8xhf5weLgZPczz"
	keyAID = "F0953E553CBACCC0"
	keyB   = "RWTb+mGiqxoAaRbfsyPU+VTtEbHRzzOePYHmaTI/9k6ztE3U5f7i9/cn"
	keyBID = "69001AABA261FADB"
)

// mustParse parses a policy written in a test, failing the test on error.
func mustParse(t *testing.T, src string) *Policy {
	t.Helper()
	p, err := Parse([]byte(src))
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, src)
	}
	return p
}

// withPlugins returns a policy with default def and the given entries
// (JSON objects joined with commas).
func withPlugins(def string, entries ...string) string {
	return `{"policy_version": 1, "default": "` + def + `", "plugins": [` + strings.Join(entries, ",") + `]}`
}
