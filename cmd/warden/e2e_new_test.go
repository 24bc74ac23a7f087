package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestE2ENewPluginEveryLanguage is a new author's first ten minutes: in a
// directory outside Warden's tree, `warden new` for each backend language,
// then build, lint, pack (signed), install, call the installed plugin, and open
// the source in a real window whose page shows the backend's reply, with
// no edits. The JavaScript backend needs extism-js, which is published only
// as a GitHub binary: where it is missing, build must say so and how to get
// it.
func TestE2ENewPluginEveryLanguage(t *testing.T) {
	t.Parallel()
	needDisplay(t)
	keys := t.TempDir()
	mustPlain(t, "keygen", "-o", filepath.Join(keys, "k.key"))
	for _, tc := range []struct {
		backend, reply string
	}{
		{"go", "Hello, world! The Go backend has greeted 1 time(s)."},
		{"assemblyscript", "Hello, world! This is the AssemblyScript backend."},
		{"js", "Hello, world! This is the JavaScript backend."},
	} {
		t.Run(tc.backend, func(t *testing.T) {
			t.Parallel()
			work := t.TempDir()
			dir := filepath.Join(work, "my-"+tc.backend)
			id := "local.my-" + tc.backend
			prof := filepath.Join(work, "profile")
			if out := mustWarden(t, "new", dir, "--backend", tc.backend); !strings.Contains(out, "created "+dir) {
				t.Errorf("new said:\n%s", out)
			}
			out, errOut, code := runCLI(t, "build", dir)
			if tc.backend == "js" {
				if _, err := exec.LookPath("extism-js"); err != nil {
					if code == 0 || !strings.Contains(errOut, "needs extism-js") || !strings.Contains(errOut, "https://github.com/extism/js-pdk/releases") {
						t.Fatalf("build of a js backend without extism-js: exit %d\n%s%s", code, out, errOut)
					}
					t.Log("extism-js is not installed: the js scaffold's build refused, saying why and where to get it")
					return
				}
			}
			if code != 0 || !strings.Contains(out, "built "+id+" ("+tc.backend+"): backend/plugin.wasm") {
				t.Fatalf("build: exit %d\n%s%s", code, out, errOut)
			}
			if out, errOut, code := runCLI(t, "lint", dir); code != 0 || strings.Contains(out+errOut, "error:") {
				t.Fatalf("lint of the new plugin: exit %d\n%s%s", code, out, errOut)
			}
			// dist/ does not exist yet: pack makes it.
			bundle := filepath.Join(work, "dist", id+".wbundle")
			mustPlain(t, "pack", dir, "--key", filepath.Join(keys, "k.key"), "-o", bundle)
			mustWarden(t, "--profile", prof, "install", bundle, "--pub", filepath.Join(keys, "k.pub"), "--grant", "storage")
			if got := mustWarden(t, "--profile", prof, "call", id, "backend.greet", `"Ada"`); !strings.Contains(got, "Hello, Ada!") {
				t.Errorf("call of the installed plugin = %q", got)
			}
			errOut, exited := runUntil(t, os.Environ(), "backend replied: "+tc.reply,
				"-v", "--profile", t.TempDir(), "open", "--debug", dir)
			if exited {
				t.Fatalf("warden open ended before the page showed the reply:\n%s", errOut)
			}
		})
	}
}
