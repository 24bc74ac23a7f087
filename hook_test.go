package warden

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/wardenhq/warden/host/audit"
	"github.com/wardenhq/warden/plugins/policy"
)

const testHook = `window.__WARDEN_ISOLATION_HOOK__ = function (p) { return p; };`

// hookPolicy writes testHook next to a policy that pins sum for it, and
// loads the policy.
func hookPolicy(t *testing.T, sum string) *policy.Policy {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "hook.js"), []byte(testHook), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "policy.json")
	src := `{"policy_version": 1, "default": "allow", "isolation_hook": {"path": "hook.js", "sha256": "` + sum + `"}}`
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := policy.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestOpenWindowRefusesUnverifiedHook: under a policy whose hook file does
// not match its pin, no window opens; the refusal says why and is audited.
// With a matching pin, every window gets the hook's chain.
func TestOpenWindowRefusesUnverifiedHook(t *testing.T) {
	ctx := context.Background()
	sum := sha256.Sum256([]byte(testHook))
	wrong := hookPolicy(t, hex.EncodeToString(make([]byte, 32)))
	w, err := Open(ctx, Config{Profile: t.TempDir(), Policy: wrong})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close(ctx)
	if !errors.Is(w.HookError(), policy.ErrHookMismatch) {
		t.Fatalf("HookError() = %v, want ErrHookMismatch", w.HookError())
	}
	p, err := w.LoadSource(ctx, filepath.Join("testdata", "plugins", "hookprobe"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if win, err := w.OpenWindow(ctx, p, nil); !errors.Is(err, policy.ErrHookMismatch) || win != nil {
		t.Fatalf("OpenWindow = %v, %v; want no window and ErrHookMismatch", win, err)
	}
	if err := w.Host().Audit().Flush(ctx); err != nil {
		t.Fatal(err)
	}
	es, err := w.Host().Audit().Query(ctx, audit.Filter{Plugin: p.ID()})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(es, func(e audit.Entry) bool { return e.Cmd == HookAuditCmd && e.Reason == ReasonHookMismatch && !e.Allowed }) {
		t.Errorf("audit %+v, want the refusal", es)
	}

	// The admin fixes the pin: the hooks are read again for the new policy.
	good := hookPolicy(t, hex.EncodeToString(sum[:]))
	if err := w.SetPolicy(ctx, good); err != nil {
		t.Fatal(err)
	}
	opts, err := w.windowOptions(w.window)
	if err != nil || w.HookError() != nil || len(opts.IsolationJS) != 3 {
		t.Fatalf("after the fix: %v, %v, %d scripts; want the chain, the hook and its end", err, w.HookError(), len(opts.IsolationJS))
	}
}
