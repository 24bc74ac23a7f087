// Command precompile compiles backends into a compilation cache directory
// the way the host does (host/backend's Engine), for tests: plugintest
// runs it, built without the race detector, on each backend it builds, so
// that race-built tests find the backend compiled instead of compiling it
// cold themselves, which takes them ten times as long.
//
//	go run ./internal/plugintest/precompile CACHEDIR WASM...
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/wardenhq/warden/host/backend"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: precompile CACHEDIR WASM...")
		os.Exit(2)
	}
	if err := run(context.Background(), os.Args[1], os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "precompile:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cache string, wasms []string) error {
	e, err := backend.NewEngine(ctx, cache)
	if err != nil {
		return err
	}
	defer e.Close(ctx)
	for _, path := range wasms {
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		m, err := e.Compile(ctx, backend.Config{PluginID: "dev.warden.precompile", Wasm: b, PoolSize: 1})
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		m.Close(ctx)
	}
	return nil
}
