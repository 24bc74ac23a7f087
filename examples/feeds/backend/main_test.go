//go:build !wasip1

package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/wardenhq/warden/sdk/guest"
)

// fakeHost is a NativeHost with map storage and an http.fetch that serves
// docs by URL, refusing any other URL as the host refuses one outside the
// manifest's http list.
type fakeHost struct {
	*guest.NativeHost
	data    map[string]string
	docs    map[string]string
	fetched []string
}

func newFakeHost(t *testing.T, docs map[string]string) *fakeHost {
	t.Helper()
	f := &fakeHost{data: map[string]string{}, docs: docs}
	f.NativeHost = &guest.NativeHost{Call: f.call}
	prev := guest.UseNativeHost(f.NativeHost)
	t.Cleanup(func() { guest.UseNativeHost(prev) })
	return f
}

func (f *fakeHost) call(cmd string, args []byte) ([]byte, error) {
	var a struct {
		Key, Value, Prefix, URL, Method string
		Headers                         map[string]string
	}
	if err := json.Unmarshal(args, &a); err != nil {
		return nil, err
	}
	switch cmd {
	case "storage.set":
		f.data[a.Key] = a.Value
		return nil, nil
	case "storage.get":
		v, ok := f.data[a.Key]
		return json.Marshal(map[string]any{"value": v, "found": ok})
	case "storage.delete":
		delete(f.data, a.Key)
		return nil, nil
	case "storage.list":
		keys := []string{}
		for k := range f.data {
			if strings.HasPrefix(k, a.Prefix) {
				keys = append(keys, k)
			}
		}
		return json.Marshal(map[string]any{"keys": keys})
	case "http.fetch":
		doc, ok := f.docs[a.URL]
		if !ok {
			return nil, &guest.HostError{Code: "out_of_scope", Message: `permission "http" denied: ` + a.URL + " is outside its scopes"}
		}
		if a.Method != "GET" || !strings.Contains(a.Headers["Accept"], "application/rss+xml") {
			return nil, &guest.HostError{Code: "bad_args", Message: "unexpected request"}
		}
		f.fetched = append(f.fetched, a.URL)
		return json.Marshal(map[string]any{"status": 200, "headers": map[string]string{}, "body": []byte(doc)})
	}
	return nil, &guest.HostError{Code: "unknown_command", Message: cmd}
}

// run calls export with input (marshalled to JSON) and decodes its output
// into out; it returns the export's error message.
func (f *fakeHost) run(t *testing.T, export func() int32, input, out any) string {
	t.Helper()
	in, err := json.Marshal(input)
	if err != nil {
		t.Fatal(err)
	}
	f.In, f.Out, f.Err = in, nil, ""
	if export() != 0 {
		return f.Err
	}
	if out != nil {
		if err := json.Unmarshal(f.Out, out); err != nil {
			t.Fatalf("output %s: %v", f.Out, err)
		}
	}
	return ""
}

func TestAddReadRemove(t *testing.T) {
	const rssURL, atomURL = "https://news.example.org/feeds/main.xml", "https://blog.example.com/feed.atom"
	f := newFakeHost(t, map[string]string{rssURL: rssDoc, atomURL: atomDoc})

	var r Reading
	if msg := f.run(t, add, URLInput{URL: rssURL}, &r); msg != "" {
		t.Fatal(msg)
	}
	if r.Feed.URL != rssURL || r.Feed.Title != "Example News" || len(r.Items) != 4 || r.Items[0].Title != "First <b>post</b>" {
		t.Fatalf("add rss = %+v", r)
	}
	if msg := f.run(t, add, URLInput{URL: atomURL + "#frag"}, &r); msg != "" {
		t.Fatal(msg)
	}
	if r.Feed.URL != atomURL || r.Feed.Title != "Atom & more" || len(r.Items) != 2 {
		t.Fatalf("add atom = %+v", r)
	}

	var subs []Subscription
	if msg := f.run(t, feeds, struct{}{}, &subs); msg != "" || len(subs) != 2 {
		t.Fatalf("feeds = %+v %q", subs, msg)
	}
	// Relative links resolve against the feed's own URL.
	if msg := f.run(t, read, URLInput{URL: atomURL}, &r); msg != "" || r.Items[0].Link != "https://blog.example.com/posts/1" {
		t.Fatalf("read = %+v %q", r, msg)
	}

	// A URL outside the manifest's http list: the host's refusal reaches
	// the page with its code, and nothing is stored.
	msg := f.run(t, add, URLInput{URL: "https://elsewhere.example.net/rss"}, nil)
	if !strings.Contains(msg, "out_of_scope") || !strings.Contains(msg, "elsewhere.example.net is not among the hosts") {
		t.Errorf("add out of scope: %q", msg)
	}
	for _, bad := range []string{"", "go.dev/blog", "javascript:alert(1)", "file:///etc/passwd", "https://user:pw@go.dev/", "ftp://go.dev/x"} {
		if msg := f.run(t, add, URLInput{URL: bad}, nil); !strings.Contains(msg, "absolute http or https URL") {
			t.Errorf("add %q: %q", bad, msg)
		}
	}
	if msg := f.run(t, read, URLInput{URL: "https://news.example.org/other"}, nil); !strings.Contains(msg, "not added") {
		t.Errorf("read of a feed not added: %q", msg)
	}

	if msg := f.run(t, remove, URLInput{URL: rssURL}, nil); msg != "" {
		t.Fatal(msg)
	}
	if msg := f.run(t, feeds, struct{}{}, &subs); msg != "" || len(subs) != 1 || subs[0].URL != atomURL {
		t.Fatalf("feeds after remove = %+v %q", subs, msg)
	}
	if len(f.fetched) != 3 {
		t.Errorf("fetched %v: want add, add, read", f.fetched)
	}
}

func TestAddRefusesNonFeeds(t *testing.T) {
	f := newFakeHost(t, map[string]string{"https://go.dev/": "<html><body>Go</body></html>"})
	if msg := f.run(t, add, URLInput{URL: "https://go.dev/"}, nil); !strings.Contains(msg, "not an RSS 2.0 or Atom feed") {
		t.Errorf("add of a web page: %q", msg)
	}
	if len(f.data) != 0 {
		t.Errorf("stored %v for a page that is not a feed", f.data)
	}
}
