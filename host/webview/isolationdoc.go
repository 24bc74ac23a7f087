package webview

import (
	"net/http"
	"net/url"
	"strings"
)

// isolationDoc serves the one isolation document of a launch at
// isolation://<id>/, at most once per main-frame page: the page's own
// scripts load after the bridge has created the isolation frame, so any
// later request (a second iframe, a fetch) is the page trying to read the
// key and gets a 404. Its fields are used on the GTK thread only.
type isolationDoc struct {
	id      string
	doc     []byte
	served  bool
	refused func(uri string) // called for each refused request of the document
}

// isolationCSP is the policy of the isolation document. It loads nothing
// itself: WebKit injects the isolation scripts as user scripts in their
// own world, which the page's CSP does not govern.
func isolationCSP(id string) string {
	return "default-src 'none'; script-src 'none'; style-src 'none'; img-src 'none'; " +
		"base-uri 'none'; form-action 'none'; frame-ancestors plugin://" + id
}

func (d *isolationDoc) headers() http.Header {
	h := http.Header{}
	h.Set("Content-Security-Policy", isolationCSP(d.id))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	return h
}

// reset allows one more serving; call it when a new main-frame page commits.
func (d *isolationDoc) reset() { d.served = false }

// serve answers one isolation: request; it never returns nil.
func (d *isolationDoc) serve(r *Request) *Response {
	if d.isDocument(r.URI) && (r.Method == "" || r.Method == http.MethodGet) {
		if !d.served && d.doc != nil {
			d.served = true
			return &Response{Status: http.StatusOK, ContentType: "text/html; charset=utf-8", Headers: d.headers(), Body: d.doc}
		}
		if d.refused != nil {
			d.refused(r.URI)
		}
	}
	return &Response{Status: http.StatusNotFound, ContentType: "text/plain; charset=utf-8", Headers: d.headers(), Body: []byte("Not Found")}
}

// isDocument reports whether uri names this plugin's isolation document.
func (d *isolationDoc) isDocument(uri string) bool {
	u, err := url.Parse(uri)
	return err == nil && u.Scheme == "isolation" && strings.EqualFold(u.Host, d.id) &&
		u.User == nil && u.Port() == "" && (u.Path == "/" || u.Path == "") && u.RawQuery == ""
}
