package warden

import (
	"context"

	"github.com/wardenhq/warden/manifest"
	"github.com/wardenhq/warden/plugins/build"
)

// buildBackend builds the backend of the plugin in dir, whose manifest is
// m, when its sources are newer than its .wasm, and returns the .wasm's
// path. Every build of a source directory (open, call, dev) goes through
// here, so a change of toolchain is a change of this one call. A failed
// build's error carries the compiler's output, with file:line as the
// compiler gives them. m must have a backend.
func buildBackend(ctx context.Context, dir string, m *manifest.Manifest) (string, error) {
	return build.Backend(ctx, dir, m.Backend.Wasm)
}
