package fetch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

var errDenied = errors.New("host not granted")

// allowHosts permits exactly the given host:port pairs.
func allowHosts(hosts ...string) func(*url.URL) error {
	return func(u *url.URL) error {
		for _, h := range hosts {
			if u.Host == h {
				return nil
			}
		}
		return fmt.Errorf("%s: %w", u.Host, errDenied)
	}
}

// counter is a server that counts the requests reaching it.
type counter struct {
	*httptest.Server
	hits atomic.Int64
}

func newCounter(t *testing.T, h http.HandlerFunc) *counter {
	t.Helper()
	c := &counter{}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.hits.Add(1)
		if h != nil {
			h(w, r)
		}
	}))
	t.Cleanup(c.Close)
	return c
}

func host(s *httptest.Server) string { return strings.TrimPrefix(s.URL, "http://") }

func TestGetAndPost(t *testing.T) {
	t.Parallel()
	srv := newCounter(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Method", r.Method)
		w.Header().Add("X-Multi", "a")
		w.Header().Add("X-Multi", "b")
		w.Header().Set("Set-Cookie", "s=1")
		fmt.Fprintf(w, "%s %s token=%s cookie=%q ua=%s body=%s",
			r.Method, r.URL.Path, r.Header.Get("Authorization"), r.Header.Get("Cookie"), r.UserAgent(), body)
	})
	c := New(Options{Allow: allowHosts(host(srv.Server))})
	ctx := context.Background()

	resp, err := c.Do(ctx, Request{URL: srv.URL + "/a", Headers: map[string]string{"authorization": "Bearer t"}})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != 200 || string(resp.Body) != `GET /a token=Bearer t cookie="" ua=Warden body=` {
		t.Fatalf("GET = %d %q", resp.Status, resp.Body)
	}
	if resp.Headers["X-Method"] != "GET" || resp.Headers["X-Multi"] != "a, b" || resp.URL != srv.URL+"/a" {
		t.Fatalf("GET headers %v url %s", resp.Headers, resp.URL)
	}

	// A second request must not carry the first response's cookie: no jar.
	resp, err = c.Do(ctx, Request{Method: "post", URL: srv.URL + "/b", Body: []byte("hello")})
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != `POST /b token= cookie="" ua=Warden body=hello` {
		t.Fatalf("POST = %q", resp.Body)
	}

	resp, err = c.Do(ctx, Request{Method: "HEAD", URL: srv.URL})
	if err != nil || resp.Status != 200 || len(resp.Body) != 0 {
		t.Fatalf("HEAD = %+v, %v", resp, err)
	}
}

func TestDeniedFirstURL(t *testing.T) {
	t.Parallel()
	srv := newCounter(t, nil)
	c := New(Options{Allow: allowHosts("example.invalid:1")})
	_, err := c.Do(context.Background(), Request{URL: srv.URL})
	if !errors.Is(err, errDenied) {
		t.Fatalf("err = %v, want the Allow sentinel", err)
	}
	if n := srv.hits.Load(); n != 0 {
		t.Fatalf("denied server got %d requests", n)
	}
}

func TestNoAllowRefuses(t *testing.T) {
	t.Parallel()
	srv := newCounter(t, nil)
	if _, err := New(Options{}).Do(context.Background(), Request{URL: srv.URL}); !errors.Is(err, ErrNoAllow) {
		t.Fatalf("err = %v, want ErrNoAllow", err)
	}
	if srv.hits.Load() != 0 {
		t.Fatal("request sent without an allow check")
	}
}

func TestDeniedRedirect(t *testing.T) {
	t.Parallel()
	target := newCounter(t, nil)
	origin := newCounter(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/secret", http.StatusFound)
	})
	c := New(Options{})
	_, err := c.DoWith(context.Background(), Request{URL: origin.URL}, allowHosts(host(origin.Server)))
	if !errors.Is(err, errDenied) {
		t.Fatalf("err = %v, want the Allow sentinel", err)
	}
	if origin.hits.Load() != 1 {
		t.Fatalf("origin hits = %d, want 1", origin.hits.Load())
	}
	if n := target.hits.Load(); n != 0 {
		t.Fatalf("forbidden redirect target got %d requests", n)
	}
}

func TestAllowedRedirect(t *testing.T) {
	t.Parallel()
	var gotAuth, gotBody, gotReferer atomic.Value
	target := newCounter(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		gotAuth.Store(r.Header.Get("Authorization"))
		gotReferer.Store(r.Header.Get("Referer"))
		gotBody.Store(string(b))
		io.WriteString(w, "landed")
	})
	origin := newCounter(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/end", http.StatusTemporaryRedirect)
	})
	var asked []string
	allow := func(u *url.URL) error {
		asked = append(asked, u.Host)
		return nil
	}
	resp, err := New(Options{}).DoWith(context.Background(), Request{
		Method: "PUT", URL: origin.URL, Body: []byte("data"),
		Headers: map[string]string{"Authorization": "Bearer t"},
	}, allow)
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != "landed" || resp.URL != target.URL+"/end" {
		t.Fatalf("resp = %q from %s", resp.Body, resp.URL)
	}
	if len(asked) != 2 || asked[1] != host(target.Server) {
		t.Fatalf("allow asked for %v, want both hops", asked)
	}
	// 307 replays the body; a different host:port must not get the credentials.
	if gotBody.Load() != "data" || gotAuth.Load() != "" || gotReferer.Load() != "" {
		t.Fatalf("target saw body %q auth %q referer %q", gotBody.Load(), gotAuth.Load(), gotReferer.Load())
	}
}

func TestTooManyRedirects(t *testing.T) {
	t.Parallel()
	srv := newCounter(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/again", http.StatusFound)
	})
	c := New(Options{Allow: allowHosts(host(srv.Server)), MaxRedirects: 3})
	_, err := c.Do(context.Background(), Request{URL: srv.URL})
	if !errors.Is(err, ErrTooManyRedirects) {
		t.Fatalf("err = %v, want ErrTooManyRedirects", err)
	}
	if n := srv.hits.Load(); n != 4 {
		t.Fatalf("server hits = %d, want 4 (first + 3 redirects)", n)
	}
}

func TestRedirectsNotFollowed(t *testing.T) {
	t.Parallel()
	srv := newCounter(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	})
	c := New(Options{Allow: allowHosts(host(srv.Server)), MaxRedirects: -1})
	resp, err := c.Do(context.Background(), Request{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != http.StatusFound || resp.Headers["Location"] != "/elsewhere" || srv.hits.Load() != 1 {
		t.Fatalf("resp = %d %v after %d hits", resp.Status, resp.Headers, srv.hits.Load())
	}
}

func TestRedirectToOtherScheme(t *testing.T) {
	t.Parallel()
	srv := newCounter(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "file:///etc/passwd")
		w.WriteHeader(http.StatusFound)
	})
	c := New(Options{Allow: func(*url.URL) error { return nil }})
	if _, err := c.Do(context.Background(), Request{URL: srv.URL}); !errors.Is(err, ErrScheme) {
		t.Fatalf("err = %v, want ErrScheme", err)
	}
}

func TestBodyLimits(t *testing.T) {
	t.Parallel()
	big := bytes.Repeat([]byte("x"), 2048)
	srv := newCounter(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("chunked") != "" {
			w.(http.Flusher).Flush() // no Content-Length
		}
		w.Write(big)
	})
	c := New(Options{Allow: allowHosts(host(srv.Server)), MaxBody: 1024, MaxRequest: 10})
	ctx := context.Background()
	tests := []struct {
		name string
		req  Request
	}{
		{"content-length", Request{URL: srv.URL}},
		{"chunked", Request{URL: srv.URL + "?chunked=1"}},
	}
	for _, tt := range tests {
		if _, err := c.Do(ctx, tt.req); !errors.Is(err, ErrTooLarge) {
			t.Errorf("%s: err = %v, want ErrTooLarge", tt.name, err)
		}
	}
	before := srv.hits.Load()
	if _, err := c.Do(ctx, Request{Method: "POST", URL: srv.URL, Body: make([]byte, 11)}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("request body: err = %v, want ErrTooLarge", err)
	}
	if srv.hits.Load() != before {
		t.Error("oversized request was sent")
	}
	exact := New(Options{Allow: allowHosts(host(srv.Server)), MaxBody: 2048})
	if resp, err := exact.Do(ctx, Request{URL: srv.URL}); err != nil || len(resp.Body) != 2048 {
		t.Errorf("body exactly at the cap: %d bytes, %v", len(resp.Body), err)
	}
}

func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	srv := newCounter(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slowbody" {
			w.Write([]byte("start"))
			w.(http.Flusher).Flush()
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	c := New(Options{Allow: allowHosts(host(srv.Server)), Timeout: 100 * time.Millisecond})
	for _, path := range []string{"/slowheaders", "/slowbody"} {
		start := time.Now()
		_, err := c.Do(context.Background(), Request{URL: srv.URL + path})
		if !errors.Is(err, ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: err = %v, want ErrTimeout", path, err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%s: took %v", path, d)
		}
	}
}

func TestContextCancel(t *testing.T) {
	srv := newCounter(t, func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	c := New(Options{Allow: allowHosts(host(srv.Server))})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.Do(ctx, Request{URL: srv.URL})
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("cancel took %v", d)
	}
}

func TestEnvProxyIgnored(t *testing.T) {
	proxy := newCounter(t, nil)
	srv := newCounter(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "direct") })
	t.Setenv("HTTP_PROXY", proxy.URL)
	t.Setenv("http_proxy", proxy.URL)
	t.Setenv("NO_PROXY", "")
	resp, err := New(Options{Allow: allowHosts(host(srv.Server))}).Do(context.Background(), Request{URL: srv.URL})
	if err != nil || string(resp.Body) != "direct" || proxy.hits.Load() != 0 {
		t.Fatalf("resp %q err %v proxy hits %d", resp.Body, err, proxy.hits.Load())
	}
}

func TestBadRequests(t *testing.T) {
	t.Parallel()
	srv := newCounter(t, nil)
	c := New(Options{Allow: func(*url.URL) error { return nil }})
	tests := []struct {
		name string
		req  Request
		want error
	}{
		{"ftp", Request{URL: "ftp://example.com/"}, ErrScheme},
		{"file", Request{URL: "file:///etc/passwd"}, ErrScheme},
		{"relative", Request{URL: "/path"}, ErrScheme},
		{"no host", Request{URL: "http:///x"}, ErrBadRequest},
		{"opaque", Request{URL: "http:example.com"}, ErrBadRequest},
		{"userinfo", Request{URL: "http://user:pw@" + host(srv.Server)}, ErrBadRequest},
		{"method", Request{Method: "CONNECT", URL: srv.URL}, ErrBadRequest},
		{"trace", Request{Method: "TRACE", URL: srv.URL}, ErrBadRequest},
		{"host header", Request{URL: srv.URL, Headers: map[string]string{"host": "evil"}}, ErrBadRequest},
		{"proxy header", Request{URL: srv.URL, Headers: map[string]string{"Proxy-Authorization": "x"}}, ErrBadRequest},
		{"content-length", Request{URL: srv.URL, Headers: map[string]string{"Content-Length": "1"}}, ErrBadRequest},
		{"transfer-encoding", Request{URL: srv.URL, Headers: map[string]string{"transfer-encoding": "chunked"}}, ErrBadRequest},
		{"connection", Request{URL: srv.URL, Headers: map[string]string{"Connection": "close"}}, ErrBadRequest},
		{"cookie", Request{URL: srv.URL, Headers: map[string]string{"Cookie": "a=b"}}, ErrBadRequest},
		{"crlf", Request{URL: srv.URL, Headers: map[string]string{"X-A": "a\r\nHost: evil"}}, ErrBadRequest},
		{"bad name", Request{URL: srv.URL, Headers: map[string]string{"X A": "v"}}, ErrBadRequest},
		{"long url", Request{URL: srv.URL + "/" + strings.Repeat("a", MaxURL)}, ErrBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := c.Do(context.Background(), tt.req); !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
	if n := srv.hits.Load(); n != 0 {
		t.Fatalf("refused requests reached the server %d times", n)
	}
}

func TestSharedClientPerCallAllow(t *testing.T) {
	t.Parallel()
	a := newCounter(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "a") })
	b := newCounter(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "b") })
	c := New(Options{})
	ctx := context.Background()
	if _, err := c.DoWith(ctx, Request{URL: a.URL}, allowHosts(host(a.Server))); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DoWith(ctx, Request{URL: a.URL}, allowHosts(host(b.Server))); !errors.Is(err, errDenied) {
		t.Fatalf("plugin b reached a: %v", err)
	}
	if a.hits.Load() != 1 {
		t.Fatalf("a hits = %d", a.hits.Load())
	}
}

func TestSameOriginRedirectKeepsAuthorization(t *testing.T) {
	t.Parallel()
	srv := newCounter(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/start" {
			http.Redirect(w, r, "/end", http.StatusFound)
			return
		}
		io.WriteString(w, r.Header.Get("Authorization"))
	})
	c := New(Options{Allow: allowHosts(host(srv.Server))})
	resp, err := c.Do(context.Background(), Request{URL: srv.URL + "/start", Headers: map[string]string{"Authorization": "Bearer t"}})
	if err != nil || string(resp.Body) != "Bearer t" {
		t.Fatalf("resp %q err %v", resp.Body, err)
	}
}
