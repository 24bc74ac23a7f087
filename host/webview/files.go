package webview

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// maxFile bounds one served plugin file: a response is built in memory.
const maxFile = 64 << 20

// ErrOutside reports a request path that leaves the plugin directory.
var ErrOutside = errors.New("path outside the plugin directory")

// pluginFiles serves plugin://<id>/<path> from one plugin directory.
type pluginFiles struct {
	id  string
	dir string // absolute, symlinks resolved
	csp []string
}

// newPluginFiles resolves dir once, so each request compares against the
// real directory.
func newPluginFiles(id, dir string, csp []string) (*pluginFiles, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("plugin dir: %w", err)
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, fmt.Errorf("plugin dir: %w", err)
	}
	return &pluginFiles{id: id, dir: real, csp: csp}, nil
}

// headers are sent with every plugin: response, errors included, so that a
// 404 page cannot run with a weaker policy than the plugin's pages.
func (p *pluginFiles) headers() http.Header {
	h := http.Header{}
	for _, c := range p.csp {
		h.Add("Content-Security-Policy", c)
	}
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	return h
}

func (p *pluginFiles) status(code int) *Response {
	return &Response{Status: code, ContentType: "text/plain; charset=utf-8", Headers: p.headers(), Body: []byte(http.StatusText(code))}
}

// serve answers one request; it never returns nil.
func (p *pluginFiles) serve(r *Request) *Response {
	if r.Method != "" && r.Method != http.MethodGet && r.Method != http.MethodHead {
		return p.status(http.StatusMethodNotAllowed)
	}
	name, err := p.resolve(r.URI)
	if err != nil {
		return p.status(http.StatusNotFound)
	}
	f, err := os.Open(name)
	if err != nil {
		return p.status(http.StatusNotFound)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return p.status(http.StatusNotFound)
	}
	if st.Size() > maxFile {
		return p.status(http.StatusRequestEntityTooLarge)
	}
	body := make([]byte, st.Size())
	if _, err := io.ReadFull(f, body); err != nil {
		return p.status(http.StatusInternalServerError)
	}
	return &Response{Status: http.StatusOK, ContentType: contentType(name), Headers: p.headers(), Body: body}
}

// resolve maps a plugin: URI to a file inside the plugin directory. The
// URI comes from untrusted page content: the host must be this plugin,
// the path is cleaned, and the real path (symlinks resolved) must stay
// inside the directory.
func (p *pluginFiles) resolve(uri string) (string, error) {
	u, err := url.Parse(uri)
	if err != nil {
		return "", fmt.Errorf("parse uri: %w", err)
	}
	if u.Scheme != "plugin" || !strings.EqualFold(u.Host, p.id) || u.User != nil {
		return "", fmt.Errorf("%w: %q is not this plugin's", fs.ErrNotExist, uri)
	}
	if strings.ContainsAny(u.Path, "\x00\\") {
		return "", fmt.Errorf("%w: bad character in %q", fs.ErrNotExist, u.Path)
	}
	// Cleaning a rooted path drops every leading "..".
	rel := strings.TrimPrefix(path.Clean("/"+u.Path), "/")
	if rel == "" {
		return "", fmt.Errorf("%w: directory", fs.ErrNotExist)
	}
	real, err := filepath.EvalSymlinks(filepath.Join(p.dir, filepath.FromSlash(rel)))
	if err != nil {
		return "", fmt.Errorf("resolve %q: %w", rel, err)
	}
	if !within(p.dir, real) {
		return "", fmt.Errorf("%w: %q", ErrOutside, rel)
	}
	return real, nil
}

// within reports whether name is dir or below it (both cleaned, absolute).
func within(dir, name string) bool {
	if name == dir {
		return true
	}
	return strings.HasPrefix(name, strings.TrimSuffix(dir, string(filepath.Separator))+string(filepath.Separator))
}

// mimeTypes fixes the types of web files so that pages do not depend on
// the system's mime.types (X-Content-Type-Options: nosniff makes a wrong
// type fatal for scripts and styles).
var mimeTypes = map[string]string{
	".html":  "text/html; charset=utf-8",
	".htm":   "text/html; charset=utf-8",
	".js":    "text/javascript; charset=utf-8",
	".mjs":   "text/javascript; charset=utf-8",
	".css":   "text/css; charset=utf-8",
	".json":  "application/json",
	".map":   "application/json",
	".svg":   "image/svg+xml",
	".png":   "image/png",
	".jpg":   "image/jpeg",
	".jpeg":  "image/jpeg",
	".gif":   "image/gif",
	".webp":  "image/webp",
	".avif":  "image/avif",
	".ico":   "image/x-icon",
	".wasm":  "application/wasm",
	".woff":  "font/woff",
	".woff2": "font/woff2",
	".ttf":   "font/ttf",
	".otf":   "font/otf",
	".txt":   "text/plain; charset=utf-8",
	".md":    "text/markdown; charset=utf-8",
	".xml":   "application/xml",
	".webm":  "video/webm",
	".mp4":   "video/mp4",
	".mp3":   "audio/mpeg",
	".ogg":   "audio/ogg",
	".wav":   "audio/wav",
}

// contentType returns the MIME type for name by its extension.
func contentType(name string) string {
	ext := strings.ToLower(filepath.Ext(name))
	if t, ok := mimeTypes[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}
