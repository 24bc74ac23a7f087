package webext

import (
	"context"
	"debug/elf"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestBuild compiles the extension and checks the entry point WebKit looks
// up is exported. It needs cc, pkg-config and libwebkit2gtk-4.1-dev, like
// the cgo binding beside it: it fails, not skips, without them.
func TestBuild(t *testing.T) {
	dir := t.TempDir()
	p, err := Build(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	f, err := elf.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	syms, err := f.DynamicSymbols()
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, s := range syms {
		found = found || (s.Name == "webkit_web_extension_initialize_with_user_data" && s.Section != elf.SHN_UNDEF)
	}
	if !found {
		t.Fatal("the built extension does not export webkit_web_extension_initialize_with_user_data")
	}
	// Only the extension is left in the directory: WebKit loads every
	// shared object it finds there.
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 || es[0].Name() != FileName {
		t.Fatalf("directory holds %v, want only %s", es, FileName)
	}
}

func TestDir(t *testing.T) {
	t.Setenv(EnvDir, "") // restored after the test, which unsets it
	exeDir := t.TempDir()
	exe := filepath.Join(exeDir, "warden")
	installed := filepath.Join(exeDir, "webext")
	other := t.TempDir()
	for _, d := range []string{installed, other} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, FileName), []byte("not really"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		env  string
		set  bool
		want string
		err  bool
	}{
		{want: installed},
		{env: other, set: true, want: other},
		{env: "off", set: true, err: true},
		{env: t.TempDir(), set: true, err: true}, // no extension there
	}
	for _, tc := range cases {
		if tc.set {
			t.Setenv(EnvDir, tc.env)
		} else {
			os.Unsetenv(EnvDir)
		}
		got, err := Dir(exe)
		if tc.err {
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("%s=%q: %q, %v; want ErrNotFound", EnvDir, tc.env, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s=%q: %q, %v; want %q", EnvDir, tc.env, got, err, tc.want)
		}
	}
	os.Unsetenv(EnvDir)
	if _, err := Dir(filepath.Join(t.TempDir(), "warden")); !errors.Is(err, ErrNotFound) {
		t.Errorf("nothing installed: %v, want ErrNotFound", err)
	}
}
