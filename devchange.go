package warden

import (
	"path"
	"strings"

	"github.com/wardenhq/warden/manifest"
)

// devChange says what a batch of edits to a plugin's source directory
// touched, and so what warden dev must do: reopen the plugin with its new
// manifest, swap its backend, or reload its page.
type devChange uint8

const (
	changeUI devChange = 1 << iota
	changeBackend
	changeManifest
)

// classify sorts the changed paths (slash-separated, relative to the
// plugin directory) of the plugin whose manifest is m.
func classify(m *manifest.Manifest, paths []string) devChange {
	var c devChange
	for _, p := range paths {
		switch {
		case p == manifest.FileName:
			c |= changeManifest
		case backendSource(m, p):
			c |= changeBackend
		default:
			c |= changeUI
		}
	}
	return c
}

// backendSource reports whether the file rel is a source of m's backend:
// anything in the directory of its .wasm (the Go package the build
// compiles, when that directory is not the plugin's own), and Go files and
// the Go module's files anywhere.
func backendSource(m *manifest.Manifest, rel string) bool {
	if m.Backend == nil {
		return false
	}
	if dir := path.Dir(m.Backend.Wasm); dir != "." && strings.HasPrefix(rel, dir+"/") {
		return true
	}
	base := path.Base(rel)
	return strings.HasSuffix(base, ".go") || base == "go.mod" || base == "go.sum" || base == "go.work"
}
