package host

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/wardenhq/warden/host/files"
	"github.com/wardenhq/warden/permissions"
)

// Bounds on what a plugin may put in a file dialog.
const (
	maxDialogTitle = 200
	maxFilters     = 16
	maxPatterns    = 16
	maxFilterText  = 100
	maxSuggested   = 255 // a file name's bytes on Linux (NAME_MAX)
)

// openArgs are the arguments of dialog.open.
type openArgs struct {
	Title   string       `json:"title,omitempty"`
	Filters []FileFilter `json:"filters,omitempty"`
}

// openResult is what dialog.open returns for the picked file.
type openResult struct {
	Name string `json:"name"`
	Size int    `json:"size"`
	Data []byte `json:"data"`
}

// saveArgs are the arguments of dialog.save.
type saveArgs struct {
	Title         string `json:"title,omitempty"`
	SuggestedName string `json:"suggested_name,omitempty"`
	Data          []byte `json:"data"`
}

// dialogOpen lets the user pick one file and returns its bytes. The pick
// grants that file for this one request: no path reaches the plugin and
// nothing is remembered, so a later fs.read of it is decided by the fs
// scopes as ever.
func (h *Host) dialogOpen(ctx context.Context, c *Call) ([]byte, error) {
	var a openArgs
	if len(c.Args) > 0 {
		if err := c.DecodeArgs(&a); err != nil {
			return nil, err
		}
	}
	title, err := dialogTitle(c, a.Title, "Open a file")
	if err != nil {
		return nil, err
	}
	if err := checkFilters(a.Filters); err != nil {
		return nil, Deny(CodeBadArgs, "dialog.open: "+err.Error())
	}
	d, err := c.desk()
	if err != nil {
		return nil, err
	}
	path, err := d.PickFile(ctx, FileDialog{Title: title, Folder: startFolder(c.Plugin.env), Filters: a.Filters})
	if err != nil || path == "" {
		return nullIfCanceled(err)
	}
	target, err := pickedPath(path)
	if err != nil {
		return nil, err
	}
	// Room for the name in the reply, JSON-escaped at worst.
	limit := max(min(h.limits.MaxFileRead, h.maxBinaryResult()-maxSuggested*6), 1)
	data, err := files.Read(ctx, target, limit)
	if err != nil {
		return nil, h.pickRefusal(c, target, limit, err)
	}
	if data == nil {
		data = []byte{}
	}
	return json.Marshal(openResult{Name: filepath.Base(target), Size: len(data), Data: data})
}

// dialogSave lets the user pick where the page's data goes and writes it
// there atomically (files.Write: a temporary file, fsync, rename), never
// through a symlink.
func (h *Host) dialogSave(ctx context.Context, c *Call) ([]byte, error) {
	var a saveArgs
	if err := c.DecodeArgs(&a); err != nil {
		return nil, err
	}
	if a.Data == nil {
		return nil, Deny(CodeBadArgs, `dialog.save needs "data", the file's bytes in base64 ("" for an empty file)`)
	}
	if int64(len(a.Data)) > h.limits.MaxFileWrite {
		return nil, Deny(CodeTooLarge, fmt.Sprintf("dialog.save: the data is %d bytes, at most %d are saved", len(a.Data), h.limits.MaxFileWrite))
	}
	if a.SuggestedName != "" {
		if err := checkBaseName(a.SuggestedName); err != nil {
			return nil, Deny(CodeBadArgs, "dialog.save: suggested_name "+err.Error())
		}
	}
	title, err := dialogTitle(c, a.Title, "Save a file")
	if err != nil {
		return nil, err
	}
	d, err := c.desk()
	if err != nil {
		return nil, err
	}
	path, err := d.PickFile(ctx, FileDialog{Save: true, Title: title, Folder: startFolder(c.Plugin.env), Name: a.SuggestedName})
	if err != nil || path == "" {
		return nullIfCanceled(err)
	}
	target, err := pickedPath(path)
	if err != nil {
		return nil, err
	}
	if err := files.Write(ctx, target, a.Data, h.limits.MaxFileWrite); err != nil {
		return nil, h.pickRefusal(c, target, h.limits.MaxFileWrite, err)
	}
	return json.Marshal(struct {
		Name string `json:"name"`
	}{filepath.Base(target)})
}

// nullIfCanceled turns a cancelled dialog (no error, no path) into the
// result null.
func nullIfCanceled(err error) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	return []byte("null"), nil
}

// dialogTitle is the dialog's title: the plugin's name first, so the user
// knows who asks, then the plugin's text (or def).
func dialogTitle(c *Call, text, def string) (string, error) {
	if text == "" {
		text = def
	}
	if err := plainText(text, maxDialogTitle); err != nil {
		return "", Deny(CodeBadArgs, c.Command+": title "+err.Error())
	}
	return c.Plugin.Manifest().Name + ": " + text, nil
}

// plainText checks that s is at most max bytes of UTF-8 without control
// characters.
func plainText(s string, max int) error {
	switch {
	case len(s) > max:
		return fmt.Errorf("is %d bytes, at most %d", len(s), max)
	case !utf8.ValidString(s):
		return fmt.Errorf("%q is not UTF-8", s)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return fmt.Errorf("%q has control characters", s)
	}
	return nil
}

// checkFilters bounds an open dialog's filters: names and patterns are
// plain text, patterns match base names (no "/").
func checkFilters(fs []FileFilter) error {
	if len(fs) > maxFilters {
		return fmt.Errorf("%d filters, at most %d", len(fs), maxFilters)
	}
	for i, f := range fs {
		if f.Name == "" {
			return fmt.Errorf("filters[%d] has no name", i)
		}
		if err := plainText(f.Name, maxFilterText); err != nil {
			return fmt.Errorf("filters[%d].name %w", i, err)
		}
		if len(f.Patterns) == 0 || len(f.Patterns) > maxPatterns {
			return fmt.Errorf("filters[%d] needs 1 to %d patterns such as \"*.txt\"", i, maxPatterns)
		}
		for j, p := range f.Patterns {
			if err := plainText(p, maxFilterText); err != nil {
				return fmt.Errorf("filters[%d].patterns[%d] %w", i, j, err)
			}
			if p == "" || strings.Contains(p, "/") {
				return fmt.Errorf("filters[%d].patterns[%d] %q must match file names, such as \"*.txt\", not paths", i, j, p)
			}
		}
	}
	return nil
}

// checkBaseName checks a file name a plugin suggests: one plain name, not
// hidden, no way up or into another folder.
func checkBaseName(name string) error {
	if err := plainText(name, maxSuggested); err != nil {
		return err
	}
	switch {
	case name == "":
		return errors.New("is empty")
	case strings.ContainsAny(name, `/\`):
		return fmt.Errorf("%q must be a file name, not a path", name)
	case strings.Contains(name, ".."):
		return fmt.Errorf("%q must not contain \"..\"", name)
	case strings.HasPrefix(name, "."):
		return fmt.Errorf("%q must not start with a dot (a hidden file)", name)
	case strings.TrimSpace(name) != name:
		return fmt.Errorf("%q must not start or end with spaces", name)
	}
	return nil
}

// startFolder is where a dialog opens: the user's Documents folder when it
// exists, else their home; the plugin has no say.
func startFolder(env permissions.Env) string {
	for _, v := range []string{permissions.VarDocuments, permissions.VarHome} {
		if dir := env[v]; dir != "" {
			if st, err := os.Stat(dir); err == nil && st.IsDir() {
				return dir
			}
		}
	}
	return ""
}

// pickedPath checks the path a window says the user picked and resolves
// the symlinks of its folder (the user went through them), keeping the
// final name as it is, so that a picked symlink is refused, not followed.
func pickedPath(path string) (string, error) {
	if !filepath.IsAbs(path) || filepath.Clean(path) != path || path == "/" {
		return "", errors.New("the window gave a path that is not absolute and clean")
	}
	dir, err := filepath.EvalSymlinks(filepath.Dir(path))
	if err != nil {
		return "", errors.New("the picked file's folder cannot be reached")
	}
	return filepath.Join(dir, filepath.Base(path)), nil
}

// pickRefusal explains why a picked file cannot be used, naming the file
// but not its folder: the plugin learns no path. Other failures go to the
// log in full.
func (h *Host) pickRefusal(c *Call, path string, limit int64, err error) error {
	name := filepath.Base(path)
	switch {
	case errors.Is(err, files.ErrSymlink):
		return Deny(CodeBadPath, fmt.Sprintf("%s: %q is a symbolic link, which Warden does not follow: pick the file itself", c.Command, name))
	case errors.Is(err, files.ErrNotRegular):
		return Deny(CodeBadPath, fmt.Sprintf("%s: %q is not a regular file (a folder, device, pipe or socket): pick a file", c.Command, name))
	case errors.Is(err, files.ErrTooLarge):
		return Deny(CodeTooLarge, fmt.Sprintf("%s: %q is over the %d bytes %s takes", c.Command, name, limit, c.Command))
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	}
	h.log.Warn("picked file", "plugin", c.Plugin.ID(), "command", c.Command, "err", err)
	return fmt.Errorf("%s: %q could not be used (the log says why)", c.Command, name)
}
