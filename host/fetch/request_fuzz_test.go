package fetch

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
)

func FuzzRequest(f *testing.F) {
	seeds := []string{
		`{"url":"https://api.example.com/v1?q=1"}`,
		`{"method":"post","url":"http://127.0.0.1:8080/","headers":{"Content-Type":"application/json"},"body":"aGVsbG8="}`,
		`{"url":"http://user:pw@example.com/"}`,
		`{"url":"file:///etc/passwd"}`,
		`{"url":"http://[::1]:80/","headers":{"Proxy-Authorization":"x","Host":"y"}}`,
		`{"url":"http://example.com/","headers":{"X":"a\r\nb"}}`,
		`{"method":"CONNECT","url":"http:example.com"}`,
		`{"url":"http://%zz/"}`,
		`{}`, `null`, `[]`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var r Request
		if json.Unmarshal(data, &r) != nil {
			return
		}
		u, err := r.Validate()
		if err != nil {
			if !errors.Is(err, ErrBadRequest) && !errors.Is(err, ErrScheme) {
				t.Fatalf("Validate error outside the sentinels: %v", err)
			}
			return
		}
		// What passes must be safe to hand to net/http as is.
		if u.Scheme != "http" && u.Scheme != "https" || u.User != nil || u.Hostname() == "" {
			t.Fatalf("accepted url %q", r.URL)
		}
		if !methods[r.Method] {
			t.Fatalf("accepted method %q", r.Method)
		}
		req, err := http.NewRequest(r.Method, u.String(), nil)
		if err != nil {
			t.Fatalf("accepted request net/http refuses: %v", err)
		}
		for name, value := range r.Headers {
			c := http.CanonicalHeaderKey(name)
			if c == "Host" || strings.HasPrefix(c, "Proxy-") || strings.ContainsAny(value, "\r\n\x00") {
				t.Fatalf("accepted header %q: %q", name, value)
			}
			req.Header[c] = []string{value}
		}
	})
}
