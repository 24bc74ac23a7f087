package webview

/*
#include "webview.h"
*/
import "C"

import (
	"net/http"
	"runtime/cgo"
	"strings"
	"unsafe"
)

// Request is one request to a custom URI scheme.
type Request struct {
	URI     string
	Method  string
	Headers http.Header
}

// Response answers a Request. Status 0 means 200; ContentType "" means
// application/octet-stream. Headers are sent as given (each value of a key
// as its own header line); values holding CR or LF are dropped.
type Response struct {
	Status      int
	ContentType string
	Headers     http.Header
	Body        []byte
}

type schemeHandler struct {
	fn func(*Request) *Response
}

// RegisterScheme serves every request for scheme:... in this window's web
// context with h, called on the GTK thread (keep it quick: the UI waits).
// A nil Response is answered 404. Register schemes before the first
// Navigate. Custom schemes are secure contexts in WebKitGTK 2.50.
func (w *Window) RegisterScheme(scheme string, h func(r *Request) *Response) {
	if !w.alive() {
		return
	}
	s := C.CString(scheme)
	defer C.free(unsafe.Pointer(s))
	C.wv_register_scheme(w.c, s, C.uintptr_t(cgo.NewHandle(&schemeHandler{fn: h})))
}

// serveScheme runs on the GTK thread for each request.
func serveScheme(h *schemeHandler, req *C.WebKitURISchemeRequest) {
	r := &Request{
		URI:     C.GoString(C.wv_request_uri(req)),
		Method:  C.GoString(C.wv_request_method(req)),
		Headers: http.Header{},
	}
	raw := C.wv_request_headers(req)
	for _, line := range strings.Split(C.GoString(raw), "\n") {
		if k, v, ok := strings.Cut(line, ": "); ok {
			r.Headers.Add(k, v)
		}
	}
	C.g_free(C.gpointer(raw))
	resp := h.fn(r)
	if resp == nil {
		resp = &Response{Status: http.StatusNotFound, ContentType: "text/plain"}
	}
	status := resp.Status
	if status == 0 {
		status = http.StatusOK
	}
	ct := resp.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	cct := C.CString(ct)
	defer C.free(unsafe.Pointer(cct))
	// WebKit takes the MIME type from the headers once they are set, and
	// nosniff makes a missing type fatal for scripts: always send it.
	hdrs := resp.Headers.Clone()
	if hdrs == nil {
		hdrs = http.Header{}
	}
	hdrs.Set("Content-Type", ct)
	hdr := C.CString(flattenHeaders(hdrs))
	defer C.free(unsafe.Pointer(hdr))
	var body unsafe.Pointer
	if len(resp.Body) > 0 {
		// C copies the body before returning, so passing Go memory is fine.
		body = unsafe.Pointer(&resp.Body[0])
	}
	C.wv_request_finish(req, C.int(status), cct, hdr, body, C.size_t(len(resp.Body)))
}

// flattenHeaders renders h as "Name: value\n" lines for the C side,
// dropping anything that would break the framing.
func flattenHeaders(h http.Header) string {
	var b strings.Builder
	for k, vs := range h {
		if k == "" || strings.ContainsAny(k, ":\r\n\x00") {
			continue
		}
		for _, v := range vs {
			if strings.ContainsAny(v, "\r\n\x00") {
				continue
			}
			b.WriteString(k)
			b.WriteString(": ")
			b.WriteString(v)
			b.WriteByte('\n')
		}
	}
	return b.String()
}
