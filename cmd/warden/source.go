package main

import (
	"context"
	"fmt"

	"github.com/wardenhq/warden/manifest"
	"github.com/wardenhq/warden/plugins/build"
)

// loadSource reads the manifest of the plugin in dir and builds its Go
// backend when the sources are newer than the .wasm (development use:
// running a plugin from its own source directory).
func loadSource(ctx context.Context, dir string) (*manifest.Manifest, error) {
	m, err := manifest.Load(dir)
	if err != nil {
		return nil, err
	}
	if m.Backend != nil {
		if _, err := build.Backend(ctx, dir, m.Backend.Wasm); err != nil {
			return nil, fmt.Errorf("build backend of %s: %w", m.ID, err)
		}
	}
	return m, nil
}
