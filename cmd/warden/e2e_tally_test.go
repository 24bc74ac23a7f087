package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/host"
)

// TestE2ETallyCounts runs the AssemblyScript example for real: its backend
// built by asc from the example's sources, its page clicked, its count kept
// in storage across a reopen.
func TestE2ETallyCounts(t *testing.T) {
	t.Parallel()
	needDisplay(t)
	dir := filepath.Join(t.TempDir(), "tally")
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("..", "..", "examples", "tally"))); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(filepath.Join(dir, "backend", "node_modules"))
	h := e2eHost(t, host.Options{})
	_, ui := openPlugin(t, h, dir, nil, uiOptions())
	var shown string
	eval(t, ui, `const shown = () => document.getElementById("count").textContent;
for (let i = 0; i < 500 && shown() === "…"; i++) await new Promise(r => setTimeout(r, 10));
for (const id of ["plus", "plus", "plus", "minus"]) {
  const before = document.getElementById("count").textContent;
  document.getElementById(id).click();
  for (let i = 0; i < 200 && document.getElementById("count").textContent === before; i++) await new Promise(r => setTimeout(r, 10));
}
return document.getElementById("count").textContent;`, &shown)
	if shown != "2" {
		t.Fatalf("after + + + − the page shows %q, want 2", shown)
	}
	// A fresh page asks the backend, which reads storage.
	eval(t, ui, `window.__oldPage = true; setTimeout(() => location.reload(), 0); return true`, new(bool))
	shown = ""
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		res, err := ui.Eval(ctx, `const c = document.getElementById("count"); return window.__oldPage || !c ? "" : c.textContent`)
		cancel()
		if err == nil && json.Unmarshal(res, &shown) == nil && shown != "" && shown != "…" {
			break
		}
	}
	if shown != "2" {
		t.Fatalf("after a reload the page shows %q, want the stored 2", shown)
	}
	var refused string
	eval(t, ui, `try { await warden.invoke("backend.add", 5000); return "added"; } catch (e) { return e.code + ": " + e.message; }`, &refused)
	if !strings.HasPrefix(refused, "backend_error: add takes a whole number from -1000 to 1000") {
		t.Errorf("an out-of-range add: %q", refused)
	}
}

// TestTallyCarriesTheSDK: the example carries sdk/assemblyscript/warden.ts
// (so that it builds where it is copied); the copy must be the SDK's.
func TestTallyCarriesTheSDK(t *testing.T) {
	sdk, err := os.ReadFile(filepath.Join("..", "..", "sdk", "assemblyscript", "warden.ts"))
	if err != nil {
		t.Fatal(err)
	}
	copied, err := os.ReadFile(filepath.Join("..", "..", "examples", "tally", "backend", "assembly", "warden.ts"))
	if err != nil || !bytes.Equal(sdk, copied) {
		t.Fatalf("examples/tally/backend/assembly/warden.ts differs from sdk/assemblyscript/warden.ts (%v): copy it again", err)
	}
}
