package lint

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/wardenhq/warden/host"
	"github.com/wardenhq/warden/manifest"
)

// recommendedIconSizes are the sizes Warden's and most desktops' lists,
// menus and install prompts use, as Chrome recommends for extensions.
var recommendedIconSizes = []int{16, 48, 128}

// loadManifest loads dir's manifest as Warden does and reports its
// problems. When the manifest is valid JSON but breaks rules, it is still
// decoded (without the rules) so that the other checks can run; m is nil
// only when nothing could be read.
func loadManifest(fs *findings, dir string) (m *manifest.Manifest, data []byte) {
	m, err := manifest.Load(dir)
	data, _ = os.ReadFile(filepath.Join(dir, manifest.FileName))
	if err == nil {
		return m, data
	}
	if errors.Is(err, os.ErrNotExist) {
		fs.add(Error, RuleSchema, manifest.FileName, 0, 0, "the plugin has no %s; create one (see examples/hello/manifest.json and manifest.Schema())", manifest.FileName)
		return nil, nil
	}
	fieldFindings(fs, err, data)
	var loose manifest.Manifest
	if len(data) > manifest.MaxSize || json.Unmarshal(data, &loose) != nil {
		return nil, data
	}
	return &loose, data
}

// fieldFindings turns manifest errors (one, or several joined) into
// findings, each with the rule its field belongs to.
func fieldFindings(fs *findings, err error, data []byte) {
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, e := range errs {
		var fe *manifest.FieldError
		if !errors.As(e, &fe) {
			fs.add(Error, RuleSchema, manifest.FileName, 0, 0, "%v", e)
			continue
		}
		rule, msg := RuleSchema, fe.Msg
		switch {
		case fe.Field == "content_security_policy":
			rule = RuleCSPUnsafe
			msg = cspMessage(data, fe.Msg)
		case strings.HasPrefix(fe.Field, "icons["):
			rule = RuleIconsInvalid
		}
		if fe.Field != "" {
			msg = fe.Field + ": " + msg
		}
		fs.add(Error, rule, manifest.FileName, fe.Line, fe.Column, "%s", msg)
	}
}

// cspMessage explains a refused content_security_policy by what in it
// would weaken the default, or returns the manifest's own message.
func cspMessage(data []byte, fallback string) string {
	var raw struct {
		CSP string `json:"content_security_policy"`
	}
	if json.Unmarshal(data, &raw) != nil {
		return fallback
	}
	h := cspHazards(raw.CSP)
	if len(h) == 0 {
		return fallback
	}
	return fmt.Sprintf("it would weaken Warden's default policy: %s. Warden keeps its default policy in force anyway, so this only breaks the page; remove these sources (the manifest's policy may only tighten the default)", strings.Join(h, "; "))
}

// checkManifestFiles reports files the manifest names that are missing,
// outside the plugin, or (icons) not PNGs of their size. A backend .wasm
// not built yet is not missing when its sources are there (buildable):
// pack builds it.
func checkManifestFiles(fs *findings, m *manifest.Manifest, dir string, data []byte, buildable bool) {
	err := m.CheckFiles(dir)
	if err == nil {
		return
	}
	if buildable {
		if _, serr := os.Lstat(filepath.Join(dir, filepath.FromSlash(m.Backend.Wasm))); errors.Is(serr, os.ErrNotExist) {
			err = dropField(err, "backend.wasm")
			if err == nil {
				return
			}
		}
	}
	err = manifest.Locate(err, data)
	var before = len(*fs)
	fieldFindings(fs, err, data)
	for i := range (*fs)[before:] {
		if f := &(*fs)[before+i]; f.Rule == RuleSchema {
			f.Rule = RuleFiles
		}
	}
}

// checkHost reports a host range that this Warden's version is outside of.
func checkHost(fs *findings, m *manifest.Manifest, loc func(string) (int, int)) {
	err := m.CheckHost(host.Version)
	if err == nil || !errors.Is(err, manifest.ErrHostIncompatible) {
		return // an invalid range is a schema finding
	}
	line, col := loc("host")
	fs.add(Error, RuleHostRange, manifest.FileName, line, col, "host %q excludes this Warden (%s), so it would refuse to install or run the plugin; widen the range, such as \">=%s <1.0.0\"", m.Host, host.Version, host.Version)
}

// checkIcons reports a manifest without icons, or without the sizes
// Warden shows.
func checkIcons(fs *findings, m *manifest.Manifest, loc func(string) (int, int)) {
	if len(m.Icons) == 0 {
		fs.add(Warning, RuleIconsMissing, manifest.FileName, 1, 1, "the manifest declares no icons, so users see a generic one; add \"icons\": {\"16\": \"icons/16.png\", \"48\": \"icons/48.png\", \"128\": \"icons/128.png\"} with PNG files of those sizes")
		return
	}
	have := m.IconSizes()
	var missing []string
	for _, s := range recommendedIconSizes {
		if !slices.Contains(have, s) {
			missing = append(missing, fmt.Sprint(s))
		}
	}
	if len(missing) > 0 {
		line, col := loc("icons")
		fs.add(Warning, RuleIconsMissing, manifest.FileName, line, col, "no icon of size %s; add PNG files of those sizes to \"icons\" so that every place Warden shows the plugin has a sharp one", strings.Join(missing, ", "))
	}
}

// locator returns the line and column of a manifest field in data, or
// 0, 0.
func locator(data []byte) func(field string) (int, int) {
	return func(field string) (int, int) {
		fe := &manifest.FieldError{Field: field}
		if err := manifest.Locate(fe, data); err != nil {
			var out *manifest.FieldError
			if errors.As(err, &out) {
				return out.Line, out.Column
			}
		}
		return 0, 0
	}
}

// isDir reports whether path is a directory.
func isDir(path string) (bool, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return false, err
	}
	return fi.IsDir(), nil
}

// dropField returns err (one or several joined) without the FieldErrors
// about field, or nil when none is left.
func dropField(err error, field string) error {
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	var keep []error
	for _, e := range errs {
		var fe *manifest.FieldError
		if errors.As(e, &fe) && fe.Field == field {
			continue
		}
		keep = append(keep, e)
	}
	return errors.Join(keep...)
}
