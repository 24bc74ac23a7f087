package backend

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/wardenhq/warden/plugins/build"
)

// Guest binaries, built from source once per test binary.
var (
	helloWasm     []byte
	notesWasm     []byte
	misbehaveWasm []byte
	// sharedCache is a compilation cache dir reused by the tests' engines, so each guest
	// is compiled cold once per test binary.
	sharedCache string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "warden-backend-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	sharedCache = filepath.Join(dir, "cache")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	for _, g := range []struct {
		pkg string
		dst *[]byte
	}{
		{filepath.Join(root, "examples", "hello", "backend"), &helloWasm},
		{filepath.Join(root, "examples", "notes", "backend"), &notesWasm},
		{filepath.Join(root, "host", "backend", "testdata", "misbehave"), &misbehaveWasm},
	} {
		out := filepath.Join(dir, filepath.Base(filepath.Dir(g.pkg))+"-"+filepath.Base(g.pkg)+".wasm")
		if err := build.Package(ctx, g.pkg, out); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if *g.dst, err = os.ReadFile(out); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return m.Run()
}
