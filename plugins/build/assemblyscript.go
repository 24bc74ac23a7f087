package build

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// ascEntry is the AssemblyScript backend's entry file, relative to its
// directory; asc reads the rest of its options from asconfig.json there.
const ascEntry = "assembly/index.ts"

// ascToolchain builds an AssemblyScript project (package.json naming
// assemblyscript and @extism/as-pdk) with its own asc. The first build runs
// `npm install` when node_modules has no asc.
type ascToolchain struct{}

func (ascToolchain) name() string { return "assemblyscript" }

func (ascToolchain) sources(src, wasm string) ([]string, error) {
	srcs, err := filesUnder(filepath.Join(src, "assembly"), ".ts")
	if err != nil {
		return nil, err
	}
	for _, f := range []string{"package.json", "package-lock.json", "asconfig.json"} {
		if p := filepath.Join(src, f); exists(p) {
			srcs = append(srcs, p)
		}
	}
	return srcs, nil
}

func (ascToolchain) build(ctx context.Context, j job) error {
	if !exists(filepath.Join(j.src, ascEntry)) {
		return fmt.Errorf("toolchain assemblyscript: %s is missing (the entry file of an AssemblyScript backend)", rel(j.root, filepath.Join(j.src, ascEntry)))
	}
	asc := filepath.Join(j.src, "node_modules", ".bin", "asc")
	if !exists(asc) {
		if err := npmInstall(ctx, j); err != nil {
			return err
		}
	}
	return produce(ctx, j, "asc", asc, []string{ascEntry, "--outFile"}, func(out string) []Diagnostic {
		return ascDiagnostics(out, j.src, j.root)
	})
}

// npmInstall installs the project's dependencies (asc and the PDK), from
// npm's cache when it can.
func npmInstall(ctx context.Context, j job) error {
	npm, err := exec.LookPath("npm")
	if err != nil {
		return fmt.Errorf("toolchain assemblyscript needs npm (Node.js) to install asc: %w; install Node.js (Debian: apt-get install nodejs npm) and build again", ErrToolMissing)
	}
	if !exists(filepath.Join(j.src, "package.json")) {
		return fmt.Errorf("toolchain assemblyscript: %s is missing; it names assemblyscript and @extism/as-pdk (warden new writes one)", rel(j.root, filepath.Join(j.src, "package.json")))
	}
	cmd := exec.CommandContext(ctx, npm, "install", "--no-audit", "--no-fund", "--prefer-offline")
	cmd.Dir = j.src
	cmd.Env = os.Environ()
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("npm install in %s: %w\n%s", rel(j.root, j.src), err, bytes.TrimSpace(out.Bytes()))
	}
	return nil
}
