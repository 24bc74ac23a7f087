package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/wardenhq/warden/host"
	"github.com/wardenhq/warden/internal/plugintest"
)

// TestE2ENotesRendersMarkdown saves a note written in markdown, hostile
// parts included, through the notes page, and reads the DOM the page
// shows: the markdown's elements, the hostile parts as text, and no
// element or attribute outside the renderer's allow-list.
func TestE2ENotesRendersMarkdown(t *testing.T) {
	t.Parallel()
	needDisplay(t)
	h := e2eHost(t, host.Options{})
	_, ui := openPlugin(t, h, example(t, "notes"), nil, uiOptions())
	md := "# Shopping\n\n- *milk*\n- `eggs`\n\n[Go](https://go.dev/) [bad](javascript:window.pwned=1) <img src=x onerror=\"window.pwned=1\">\n\n<script>window.pwned=1</script>"
	var got struct {
		Tags    []string
		Attrs   []string
		Heading string
		Text    string
		Pwned   bool
	}
	eval(t, ui, `
		document.getElementById("text").value = `+jsLiteral(md)+`;
		document.getElementById("save").click();
		const list = document.getElementById("notes");
		for (let i = 0; i < 250 && !list.querySelector("li .note-body h1"); i++) await new Promise(r => setTimeout(r, 20));
		const body = list.querySelector("li .note-body");
		if (!body) return {};
		const els = Array.from(body.querySelectorAll("*"));
		await new Promise(r => setTimeout(r, 100));
		return {
			tags: els.map(e => e.localName),
			attrs: els.flatMap(e => Array.from(e.attributes).map(a => e.localName + " " + a.name + "=" + a.value)),
			heading: body.querySelector("h1").textContent,
			text: body.textContent,
			pwned: window.pwned === 1,
		};`, &got)
	if want := []string{"h1", "ul", "li", "em", "li", "code", "p", "a", "p"}; !slices.Equal(got.Tags, want) {
		t.Errorf("the note's elements are %q, want %q", got.Tags, want)
	}
	if want := []string{"a href=https://go.dev/"}; !slices.Equal(got.Attrs, want) {
		t.Errorf("the note's attributes are %q, want only %q", got.Attrs, want)
	}
	if got.Heading != "Shopping" {
		t.Errorf("heading %q", got.Heading)
	}
	for _, text := range []string{"bad", `<img src=x onerror="window.pwned=1">`, "<script>window.pwned=1</script>"} {
		if !strings.Contains(got.Text, text) {
			t.Errorf("the page does not show %q as text: %q", text, got.Text)
		}
	}
	if got.Pwned {
		t.Error("the note ran script")
	}
}

// Feeds the feeds test serves: hostile text and links in both.
const (
	e2eRSS = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
  <title>Loopback RSS</title>
  <item>
    <title>First &lt;b&gt;post&lt;/b&gt;</title>
    <link>/posts/1</link>
    <pubDate>Mon, 02 Jan 2006 15:04:05 -0700</pubDate>
    <description>&lt;p&gt;Hello &lt;img src=x onerror="window.pwned=1"&gt;&lt;b&gt;world&lt;/b&gt;&lt;/p&gt;</description>
  </item>
  <item>
    <title>Second</title>
    <link>javascript:window.pwned=1</link>
    <description>No link</description>
  </item>
</channel></rss>`
	e2eAtom = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Loopback Atom</title>
  <entry>
    <title type="html">&lt;script&gt;window.pwned=1&lt;/script&gt;Atom entry</title>
    <link href="https://go.dev/blog/"/>
    <updated>2024-05-01T10:00:00Z</updated>
    <summary>An Atom summary</summary>
  </entry>
</feed>`
)

// TestE2EFeedsReadsFeeds runs the feeds example against feed servers on
// 127.0.0.1. The copy's manifest names the first server in its http list:
// the page adds an RSS and an Atom feed from it and shows their items as
// text, and a feed from the second server, not in the list, is refused
// with out_of_scope before any request reaches it.
func TestE2EFeedsReadsFeeds(t *testing.T) {
	t.Parallel()
	needDisplay(t)
	mux := http.NewServeMux()
	mux.HandleFunc("/rss.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write([]byte(e2eRSS))
	})
	mux.HandleFunc("/atom.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/atom+xml")
		w.Write([]byte(e2eAtom))
	})
	allowed := httptest.NewServer(mux)
	defer allowed.Close()
	var offHits atomic.Int64
	off := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		offHits.Add(1)
		w.Write([]byte(e2eRSS))
	}))
	defer off.Close()

	dir := example(t, "feeds")
	plugintest.SetManifestField(t, dir, "http", []string{allowed.URL + "/*"})
	h := e2eHost(t, host.Options{})
	p, ui := openPlugin(t, h, dir, nil, uiOptions())

	type shown struct {
		Status string
		Error  bool
		Title  string
		Items  []struct{ Title, Href, Date, Summary string }
		Feeds  []string
		Markup []string // elements inside the items other than the page's own
		Pwned  bool
	}
	add := func(url string) shown {
		t.Helper()
		var s shown
		eval(t, ui, `
			const status = document.getElementById("status");
			for (let i = 0; i < 500 && status.textContent === ""; i++) await new Promise(r => setTimeout(r, 20));
			document.getElementById("url").value = `+jsLiteral(url)+`;
			status.textContent = "";
			document.getElementById("add").click();
			for (let i = 0; i < 500 && (status.textContent === "" || status.textContent === "Adding…"); i++) await new Promise(r => setTimeout(r, 20));
			await new Promise(r => setTimeout(r, 100));
			const items = document.getElementById("items");
			return {
				status: status.textContent,
				error: status.classList.contains("error"),
				title: document.getElementById("feed-title").textContent,
				items: Array.from(items.children).map(li => ({
					title: li.querySelector(".title").textContent,
					href: li.querySelector("a.title") ? li.querySelector("a.title").href : "",
					date: li.querySelector("time") ? li.querySelector("time").dateTime : "",
					summary: li.querySelector("p") ? li.querySelector("p").textContent : "",
				})),
				feeds: Array.from(document.querySelectorAll("#feeds .feed")).map(b => b.textContent),
				markup: Array.from(items.querySelectorAll("*")).map(e => e.localName).filter(n => !["li", "a", "strong", "time", "p"].includes(n)),
				pwned: window.pwned === 1,
			};`, &s)
		return s
	}

	rss := add(allowed.URL + "/rss.xml")
	if rss.Error || rss.Title != "Loopback RSS" || len(rss.Items) != 2 {
		t.Fatalf("after adding the RSS feed the page shows %+v", rss)
	}
	first, second := rss.Items[0], rss.Items[1]
	if first.Title != "First <b>post</b>" || first.Href != allowed.URL+"/posts/1" || first.Date != "2006-01-02T22:04:05Z" || first.Summary != "Hello world" {
		t.Errorf("first RSS item shown as %+v", first)
	}
	if second.Title != "Second" || second.Href != "" || second.Summary != "No link" {
		t.Errorf("second RSS item (javascript: link) shown as %+v", second)
	}

	atom := add(allowed.URL + "/atom.xml")
	if atom.Error || atom.Title != "Loopback Atom" || len(atom.Items) != 1 {
		t.Fatalf("after adding the Atom feed the page shows %+v", atom)
	}
	if it := atom.Items[0]; it.Title != "Atom entry" || it.Href != "https://go.dev/blog/" || it.Date != "2024-05-01T10:00:00Z" || it.Summary != "An Atom summary" {
		t.Errorf("Atom entry shown as %+v", it)
	}
	if !slices.Equal(atom.Feeds, []string{"Loopback RSS", "Loopback Atom"}) {
		t.Errorf("feed list %q", atom.Feeds)
	}

	denied := add(off.URL + "/rss.xml")
	if !denied.Error || !strings.Contains(denied.Status, "out_of_scope") || !strings.Contains(denied.Status, "is not among the hosts this plugin may read") {
		t.Errorf("a feed outside the http list: status %q (error %v)", denied.Status, denied.Error)
	}
	if !slices.Equal(denied.Feeds, []string{"Loopback RSS", "Loopback Atom"}) {
		t.Errorf("feed list after the refusal %q", denied.Feeds)
	}
	if n := offHits.Load(); n != 0 {
		t.Errorf("the server outside the http list saw %d requests", n)
	}
	for _, s := range []shown{rss, atom, denied} {
		if len(s.Markup) > 0 || s.Pwned {
			t.Errorf("feed text became markup %q (script ran: %v)", s.Markup, s.Pwned)
		}
	}

	// The core decided each fetch: allowed from the list, out_of_scope
	// for the other server, audited as the backend's host calls.
	es, err := h.Audit().Query(context.Background(), auditFilter(p.ID()))
	if err != nil {
		t.Fatal(err)
	}
	var allowedFetches, deniedFetches int
	for _, e := range es {
		if e.Cmd != "http.fetch" {
			continue
		}
		switch {
		case e.Allowed:
			allowedFetches++
		case e.Reason == "out_of_scope":
			deniedFetches++
		}
	}
	if allowedFetches != 2 || deniedFetches != 1 {
		t.Errorf("audit: %d allowed and %d out_of_scope http.fetch entries, want 2 and 1: %+v", allowedFetches, deniedFetches, es)
	}
}

// jsLiteral is s as a JavaScript string literal (JSON's string syntax,
// which escapes line endings, unlike jsString).
func jsLiteral(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
