// Package scaffold writes new Warden plugins: a manifest, a small typed web
// UI and a backend in Go, AssemblyScript or JavaScript that builds with
// `warden build` and answers the page, so an author starts from something
// that runs.
//
// A Go backend is a module of its own with the guest SDK vendored
// (backend/vendor/), so it builds with no network and no published SDK
// release; an AssemblyScript backend is an npm project naming asc and
// @extism/as-pdk, with warden.ts, Warden's side of the ABI; a JavaScript
// backend is a project for Extism's extism-js compiler.
package scaffold

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"text/template"

	"github.com/wardenhq/warden/internal/atomicfile"
	"github.com/wardenhq/warden/manifest"
	"github.com/wardenhq/warden/sdk/assemblyscript"
	"github.com/wardenhq/warden/sdk/guest"
	"github.com/wardenhq/warden/sdk/js"
)

//go:embed all:templates
var templates embed.FS

// ErrExists reports a target directory that exists and is not empty.
var ErrExists = errors.New("directory exists and is not empty")

// Options say what to write. Zero fields get defaults from the directory's
// name.
type Options struct {
	// Backend is manifest.ToolchainGo (the default),
	// manifest.ToolchainAssemblyScript or manifest.ToolchainJS.
	Backend string
	// ID is the plugin's id; default "local.<name of the directory>".
	ID string
	// Name is the plugin's display name; default the directory's name.
	Name string
	// Publisher is the manifest's publisher; default "Me".
	Publisher string
	// HostVersion is the running Warden's version; the manifest's host
	// range starts there and stops before the next major version.
	HostVersion string
}

// New writes a plugin into dir, which must not exist or be empty. It is all
// or nothing: the files are written into a temporary directory beside dir
// and moved into place at the end. It returns the files written, relative
// to dir, with slashes. It costs a few dozen small files.
func New(dir string, opts Options) ([]string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("new %s: %w", dir, err)
	}
	data, err := opts.data(abs)
	if err != nil {
		return nil, fmt.Errorf("new %s: %w", dir, err)
	}
	if entries, err := os.ReadDir(abs); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("new %s: %w; choose a new directory", dir, ErrExists)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("new %s: %w", dir, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return nil, fmt.Errorf("new %s: %w", dir, err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(abs), "."+filepath.Base(abs)+".new-")
	if err != nil {
		return nil, fmt.Errorf("new %s: %w", dir, err)
	}
	defer os.RemoveAll(tmp)
	files, err := write(tmp, data)
	if err != nil {
		return nil, fmt.Errorf("new %s: %w", dir, err)
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return nil, fmt.Errorf("new %s: %w", dir, err)
	}
	// An empty dir is replaced; rename refuses a non-empty one, so a dir
	// filled meanwhile is not clobbered.
	os.Remove(abs)
	if err := atomicfile.Rename(tmp, abs); err != nil {
		return nil, fmt.Errorf("new %s: %w", dir, err)
	}
	return files, nil
}

// data is what the templates see.
type data struct {
	ID, Name, Publisher, HostRange    string
	Toolchain, Language, BackendNotes string
	Module, GoVersion, SDKVersion     string
	PackageName                       string
}

var notWord = regexp.MustCompile(`[^a-z0-9]+`)

func (o Options) data(abs string) (data, error) {
	base := filepath.Base(abs)
	slug := strings.Trim(notWord.ReplaceAllString(strings.ToLower(base), "-"), "-")
	if slug == "" || slug[0] < 'a' || slug[0] > 'z' {
		slug = "plugin-" + slug
		slug = strings.TrimRight(slug, "-")
	}
	d := data{ID: o.ID, Name: o.Name, Publisher: o.Publisher, Toolchain: o.Backend, PackageName: slug}
	if d.ID == "" {
		d.ID = "local." + slug
	}
	if d.Name == "" {
		d.Name = base
	}
	if d.Publisher == "" {
		d.Publisher = "Me"
	}
	if d.Toolchain == "" {
		d.Toolchain = manifest.ToolchainGo
	}
	hv := o.HostVersion
	if hv == "" {
		return data{}, errors.New("no host version given")
	}
	major := strings.SplitN(hv, ".", 2)[0]
	next := "1.0.0"
	if major != "0" {
		var n int
		fmt.Sscanf(major, "%d", &n)
		next = fmt.Sprintf("%d.0.0", n+1)
	}
	d.HostRange = fmt.Sprintf(">=%s <%s", hv, next)
	switch d.Toolchain {
	case manifest.ToolchainGo:
		d.Language = "Go"
		d.Module = d.ID + "/backend"
		d.GoVersion = "1.24"
		d.SDKVersion = guest.Version
		d.BackendNotes = "\nThe backend is a Go module (`backend/go.mod`) with Warden's guest SDK\n" +
			"vendored in `backend/vendor/`, so it builds with no network. Test its\n" +
			"logic with plain `go test` in `backend/`.\n"
	case manifest.ToolchainAssemblyScript:
		d.Language = "AssemblyScript"
		d.BackendNotes = "\nThe backend is an npm project (`backend/package.json`); the first\n" +
			"`warden build` runs `npm install` there. `backend/assembly/warden.ts` is\n" +
			"Warden's side of the ABI: input, output, fail and call.\n"
	case manifest.ToolchainJS:
		d.Language = "JavaScript"
		d.BackendNotes = "\nThe backend is compiled by Extism's `extism-js` (with binaryen's\n" +
			"`wasm-merge` and `wasm-opt`), which must be on PATH: it is published as a\n" +
			"binary at https://github.com/extism/js-pdk/releases.\n"
	default:
		return data{}, fmt.Errorf("unknown backend %q (known: go, assemblyscript, js)", d.Toolchain)
	}
	m := strings.NewReplacer(`"`, "", `\`, "", "\n", " ")
	d.Name, d.Publisher = m.Replace(d.Name), m.Replace(d.Publisher)
	return d, nil
}

// write renders the common and the backend's templates into root, adds the
// SDK files, and checks the manifest it wrote.
func write(root string, d data) ([]string, error) {
	var files []string
	dirs := map[string]bool{}
	emit := func(name string, body []byte) error {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		for d := filepath.Dir(p); d != root; d = filepath.Dir(d) {
			dirs[filepath.Dir(d)] = true
		}
		// Durable before the directory is renamed into place: a crash
		// never leaves a new plugin with empty files.
		if err := atomicfile.WriteNew(p, body, 0o644); err != nil {
			return err
		}
		files = append(files, name)
		return nil
	}
	for _, set := range []string{"common", d.Toolchain} {
		base := "templates/" + set
		err := fs.WalkDir(templates, base, func(p string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			name := strings.TrimSuffix(strings.TrimPrefix(p, base+"/"), ".tmpl")
			if name == "gitignore" {
				name = ".gitignore"
			}
			src, err := templates.ReadFile(p)
			if err != nil {
				return err
			}
			t, err := template.New(name).Option("missingkey=error").Parse(string(src))
			if err != nil {
				return err
			}
			var b bytes.Buffer
			if err := t.Execute(&b, d); err != nil {
				return err
			}
			return emit(name, b.Bytes())
		})
		if err != nil {
			return nil, err
		}
	}
	if err := emit("ui/warden.d.ts", []byte(js.Types)); err != nil {
		return nil, err
	}
	for _, size := range iconSizes {
		if err := emit(fmt.Sprintf("icons/%d.png", size), icon(size)); err != nil {
			return nil, err
		}
	}
	// warden build rewrites it when the manifest's commands change.
	if err := emit("ui/warden-backend.d.ts", js.BackendTypes(d.ID, []string{"greet"})); err != nil {
		return nil, err
	}
	switch d.Toolchain {
	case manifest.ToolchainGo:
		if err := vendorSDK(d, emit); err != nil {
			return nil, err
		}
	case manifest.ToolchainAssemblyScript:
		if err := emit("backend/assembly/warden.ts", assemblyscript.Source); err != nil {
			return nil, err
		}
	}
	if _, err := manifest.Load(root); err != nil {
		return nil, fmt.Errorf("the new manifest does not validate: %w", err)
	}
	// The files' own directories were synced as each file went in; their
	// parents' entries for them are synced here.
	for d := range dirs {
		if err := atomicfile.SyncDir(d); err != nil {
			return nil, err
		}
	}
	return files, nil
}

// vendorSDK writes the guest SDK into backend/vendor as `go mod vendor`
// would, so the backend module builds offline against it.
func vendorSDK(d data, emit func(string, []byte) error) error {
	const mod = "github.com/wardenhq/warden/sdk/guest"
	entries, err := fs.ReadDir(guest.Source, ".")
	if err != nil {
		return err
	}
	for _, e := range entries {
		n := e.Name()
		// Tests and the embedding of the sources themselves are of no use
		// to a plugin.
		if !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") || n == "source.go" {
			continue
		}
		b, err := fs.ReadFile(guest.Source, n)
		if err != nil {
			return err
		}
		if err := emit(path.Join("backend/vendor", mod, n), b); err != nil {
			return err
		}
	}
	txt := fmt.Sprintf("# %s v%s\n## explicit; go %s\n%s\n", mod, d.SDKVersion, sdkGoVersion(), mod)
	return emit("backend/vendor/modules.txt", []byte(txt))
}

// sdkGoVersion is the go line of the SDK's own go.mod.
func sdkGoVersion() string {
	b, _ := fs.ReadFile(guest.Source, "go.mod")
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "go "); ok {
			return v
		}
	}
	return "1.24"
}
