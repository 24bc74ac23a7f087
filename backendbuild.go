package warden

import (
	"context"

	"github.com/wardenhq/warden/manifest"
	"github.com/wardenhq/warden/plugins/build"
)

// buildBackend builds the backend of the plugin in dir, whose manifest is
// m, when its sources are newer than its .wasm, and returns the .wasm's
// path. Every build of a source directory (open, call, dev) goes through
// here, with the toolchain the manifest names. A failed build's error is a
// *build.Error whose diagnostics name file:line:col relative to dir. m must
// have a backend.
func buildBackend(ctx context.Context, dir string, m *manifest.Manifest) (string, error) {
	res, err := build.Backend(ctx, dir, m.Backend)
	return res.Wasm, err
}
