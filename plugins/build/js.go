package build

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
)

// jsEntry and jsTypes are a JavaScript backend's entry file and the
// declarations of its exports and imports, relative to its directory.
const (
	jsEntry = "src/index.js"
	jsTypes = "src/index.d.ts"
)

// jsToolchain builds a JavaScript backend with Extism's JS PDK compiler,
// extism-js, which embeds a JavaScript engine in the module. extism-js is
// published only as a binary on GitHub; Warden cannot install it.
type jsToolchain struct{}

func (jsToolchain) name() string { return "js" }

func (jsToolchain) sources(src, wasm string) ([]string, error) {
	return filesUnder(filepath.Join(src, "src"), "")
}

func (jsToolchain) build(ctx context.Context, j job) error {
	for _, f := range []string{jsEntry, jsTypes} {
		if !exists(filepath.Join(j.src, f)) {
			return fmt.Errorf("toolchain js: %s is missing", rel(j.root, filepath.Join(j.src, f)))
		}
	}
	tool, err := exec.LookPath("extism-js")
	if err != nil {
		return fmt.Errorf("toolchain js needs extism-js, Extism's JavaScript compiler, on PATH: %w; "+
			"it is published as a binary at https://github.com/extism/js-pdk/releases (with binaryen's wasm-merge and wasm-opt); install it and build again", ErrToolMissing)
	}
	return produce(ctx, j, "extism-js", tool, []string{jsEntry, "-i", jsTypes, "-o"}, nil)
}
