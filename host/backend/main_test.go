package backend

import (
	"fmt"
	"os"
	"testing"

	"github.com/wardenhq/warden/internal/plugintest"
)

// Guest binaries, built from source once per test run (outside the source tree).
var (
	helloWasm     []byte
	notesWasm     []byte
	misbehaveWasm []byte
	// sharedCache is the compilation cache dir the run's engines share, so each
	// guest is compiled cold once per run.
	sharedCache string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	var err error
	if sharedCache, err = plugintest.CompileCacheDir(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	for _, g := range []struct {
		pkg string
		dst *[]byte
	}{
		{"examples/hello/backend", &helloWasm},
		{"examples/notes/backend", &notesWasm},
		{"host/backend/testdata/misbehave", &misbehaveWasm},
	} {
		if *g.dst, err = plugintest.Backend(g.pkg); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return m.Run()
}
