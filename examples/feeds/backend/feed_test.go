package main

import (
	"encoding/xml"
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

var testBase, _ = url.Parse("https://news.example.org/feeds/main.xml")

const rssDoc = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>Example  News</title>
  <link>https://news.example.org/</link>
  <description>All the news</description>
  <item>
    <title>First &lt;b&gt;post&lt;/b&gt;</title>
    <link>https://news.example.org/first</link>
    <pubDate>Mon, 02 Jan 2006 15:04:05 -0700</pubDate>
    <description>&lt;p&gt;Hello &lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;world&lt;/b&gt;&amp;nbsp;!&lt;/p&gt;</description>
  </item>
  <item>
    <title>Relative</title>
    <link>/second?a=1</link>
    <pubDate>3 Feb 2020 01:02:03 GMT</pubDate>
    <content:encoded><![CDATA[<p>Encoded <i>content</i></p>]]></content:encoded>
  </item>
  <item>
    <title>Hostile link</title>
    <link>javascript:alert(1)</link>
    <guid isPermaLink="false">javascript:alert(2)</guid>
    <dc:date>2021-06-07T08:09:10+02:00</dc:date>
  </item>
  <item>
    <guid>https://news.example.org/guid</guid>
    <description>No title here</description>
    <pubDate>not a date</pubDate>
  </item>
</channel>
</rss>`

const atomDoc = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="html">Atom &amp;amp; more</title>
  <link rel="self" href="https://blog.example.com/feed.atom"/>
  <link href="https://blog.example.com/"/>
  <entry>
    <title>Entry one</title>
    <link rel="edit" href="https://blog.example.com/edit/1"/>
    <link rel="alternate" type="text/html" href="/posts/1"/>
    <updated>2024-05-01T10:00:00Z</updated>
    <published>2024-04-30T09:00:00.5+01:00</published>
    <summary>Plain   summary</summary>
  </entry>
  <entry>
    <title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">X<b>HTML</b> title</div></title>
    <link href="data:text/html,hi"/>
    <updated>2024-05-02T10:00:00Z</updated>
    <content type="html">&lt;img src=x onerror=alert(1)&gt;Content &lt;em&gt;here&lt;/em&gt;</content>
  </entry>
</feed>`

func TestParseRSS(t *testing.T) {
	f, err := ParseFeed([]byte(rssDoc), testBase)
	if err != nil {
		t.Fatal(err)
	}
	want := Feed{Title: "Example News", Link: "https://news.example.org/", Kind: "rss", Items: []Item{
		{Title: "First <b>post</b>", Link: "https://news.example.org/first", Date: "2006-01-02T22:04:05Z", Summary: "Hello world !"},
		{Title: "Relative", Link: "https://news.example.org/second?a=1", Date: "2020-02-03T01:02:03Z", Summary: "Encoded content"},
		{Title: "Hostile link", Date: "2021-06-07T06:09:10Z"},
		{Title: "No title here", Link: "https://news.example.org/guid", Summary: "No title here"},
	}}
	if !reflect.DeepEqual(f, want) {
		t.Errorf("ParseFeed(rss)\n got %+v\nwant %+v", f, want)
	}
}

func TestParseAtom(t *testing.T) {
	f, err := ParseFeed([]byte(atomDoc), testBase)
	if err != nil {
		t.Fatal(err)
	}
	want := Feed{Title: "Atom & more", Link: "https://blog.example.com/", Kind: "atom", Items: []Item{
		{Title: "Entry one", Link: "https://news.example.org/posts/1", Date: "2024-04-30T08:00:00Z", Summary: "Plain summary"},
		{Title: "X HTML title", Date: "2024-05-02T10:00:00Z", Summary: "Content here"},
	}}
	if !reflect.DeepEqual(f, want) {
		t.Errorf("ParseFeed(atom)\n got %+v\nwant %+v", f, want)
	}
}

func TestParseFeedRefuses(t *testing.T) {
	tests := []struct {
		name, doc string
		want      error  // when set, errors.Is must hold
		msg       string // else the error must contain this
	}{
		{"doctype", `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaa">]><rss><channel><title>&a;</title></channel></rss>`, ErrDTD, ""},
		{"billion laughs", `<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><rss><channel><title>&lol2;</title></channel></rss>`, ErrDTD, ""},
		{"external entity", `<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><rss><channel><title>&xxe;</title></channel></rss>`, ErrDTD, ""},
		{"undeclared entity", `<rss><channel><title>&xxe;</title></channel></rss>`, nil, "invalid character entity &xxe;"},
		{"html page", `<html><body>hi</body></html>`, ErrNotFeed, ""},
		{"atom without namespace", `<feed><title>x</title></feed>`, ErrNotFeed, ""},
		{"rss 1.0", `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"></rdf:RDF>`, ErrNotFeed, ""},
		{"empty", ``, ErrNotFeed, ""},
		{"not xml", `{"items": []}`, ErrNotFeed, ""},
		{"unclosed", `<rss><channel><item><title>x</title>`, nil, "unexpected EOF"},
		{"mismatched", `<rss><channel><item></channel></item></rss>`, nil, "parse feed"},
		{"too deep", `<rss><channel><item>` + strings.Repeat("<x>", maxDepth+1) + strings.Repeat("</x>", maxDepth+1) + `</item></channel></rss>`, ErrTooDeep, ""},
		{"too large", `<rss><channel><title>` + strings.Repeat("a", maxFeedBytes) + `</title></channel></rss>`, ErrTooLarge, ""},
		{"unknown encoding", `<?xml version="1.0" encoding="EBCDIC"?><rss/>`, nil, `feed encoding "EBCDIC" is not supported`},
		{"rss without channel", `<rss version="2.0"></rss>`, nil, "no <channel>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseFeed([]byte(tt.doc), testBase)
			switch {
			case err == nil:
				t.Fatal("parsed, want an error")
			case tt.want != nil && !errors.Is(err, tt.want):
				t.Fatalf("error %v, want %v", err, tt.want)
			case tt.want == nil && !strings.Contains(err.Error(), tt.msg):
				t.Fatalf("error %v, want one containing %q", err, tt.msg)
			}
		})
	}
}

func TestParseFeedBounds(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<rss><channel><title>` + strings.Repeat("t", 5000) + `</title>`)
	for i := range 3 * maxItems {
		b.WriteString(`<item><title>item</title><description>` + strings.Repeat("word ", 2000) + `</description><link>https://x.org/` + strings.Repeat("a", i*20) + `</link></item>`)
	}
	b.WriteString(`</channel></rss>`)
	f, err := ParseFeed([]byte(b.String()), testBase)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Items) != maxItems {
		t.Errorf("%d items, want the first %d", len(f.Items), maxItems)
	}
	if n := utf8.RuneCountInString(f.Title); n != maxTitle || !strings.HasSuffix(f.Title, "…") {
		t.Errorf("title of %d characters, want %d ending in …", n, maxTitle)
	}
	for _, it := range f.Items {
		if n := utf8.RuneCountInString(it.Summary); n > maxSummary {
			t.Errorf("summary of %d characters, want at most %d", n, maxSummary)
		}
		if len(it.Link) > maxLink {
			t.Errorf("link of %d bytes kept", len(it.Link))
		}
	}
	// Items past the first maxItems are not read at all: a broken tail
	// does not matter.
	doc := strings.Repeat(`<item><title>x</title></item>`, maxItems)
	if f, err := ParseFeed([]byte(`<rss><channel>`+doc+`<item><<<`), testBase); err != nil || len(f.Items) != maxItems {
		t.Errorf("feed with a broken tail after %d items: %d items, %v", maxItems, len(f.Items), err)
	}
}

// TestElementBounds: an element keeps at most maxFieldBytes of text and
// maxChildren children, however much the document holds.
func TestElementBounds(t *testing.T) {
	doc := "<item><description>" + strings.Repeat("a", 3*maxFieldBytes) + "</description>" + strings.Repeat("<x/>", 2*maxChildren) + "</item>"
	r := reader{d: xml.NewDecoder(strings.NewReader(doc))}
	tok, err := r.next()
	if err != nil {
		t.Fatal(err)
	}
	n, err := r.element(tok.(xml.StartElement), 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(n.children) != maxChildren {
		t.Errorf("%d children kept, want %d", len(n.children), maxChildren)
	}
	if d := n.child("", "description"); d == nil || len(d.text) != maxFieldBytes {
		t.Errorf("description text not capped at %d bytes", maxFieldBytes)
	}
}

func TestParseLatin1(t *testing.T) {
	doc := "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss><channel><title>Caf\xe9 \xbd</title></channel></rss>"
	f, err := ParseFeed([]byte(doc), testBase)
	if err != nil || f.Title != "Café ½" {
		t.Fatalf("title %q, %v", f.Title, err)
	}
}

func TestSafeLink(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://a.org/x", "https://a.org/x"},
		{"  HTTP://A.org/x  ", "http://A.org/x"},
		{"/rel/x?y=1#z", "https://news.example.org/rel/x?y=1#z"},
		{"//other.org/x", "https://other.org/x"},
		{"javascript:alert(1)", ""},
		{"JavaScript:alert(1)", ""},
		{"data:text/html,x", ""},
		{"file:///etc/passwd", ""},
		{"mailto:a@b.org", ""},
		{"https://user:pw@a.org/", ""},
		{"https://a.org/\x00", ""},
		{"https://" + strings.Repeat("a", maxLink), ""},
	}
	for _, tt := range tests {
		if got := safeLink(tt.in, testBase); got != tt.want {
			t.Errorf("safeLink(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzParseFeed checks what ParseFeed promises for any document: no panic,
// at most maxItems items, text within its bounds and free of control
// characters, and links that are absolute http(s) URLs or empty.
func FuzzParseFeed(f *testing.F) {
	for _, s := range []string{rssDoc, atomDoc,
		`<!DOCTYPE x><rss/>`,
		`<rss><channel><item><link>javascript:x</link><description>&lt;script&gt;</description></item></channel></rss>`,
		`<feed xmlns="http://www.w3.org/2005/Atom"><entry><title type="xhtml"><div><b>x</b></div></title><link href="//h/p"/></entry></feed>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		feed, err := ParseFeed(doc, testBase)
		if err != nil {
			return
		}
		if len(feed.Items) > maxItems {
			t.Fatalf("%d items", len(feed.Items))
		}
		checkText(t, "feed title", feed.Title, maxTitle)
		checkLink(t, feed.Link)
		for _, it := range feed.Items {
			checkText(t, "title", it.Title, maxTitle)
			checkText(t, "summary", it.Summary, maxSummary)
			checkLink(t, it.Link)
			if it.Date != "" && parseDate(it.Date) != it.Date {
				t.Fatalf("date %q is not RFC 3339 UTC", it.Date)
			}
		}
	})
}

func checkText(t *testing.T, what, s string, limit int) {
	t.Helper()
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > limit {
		t.Fatalf("%s %q: not UTF-8 or over %d characters", what, s, limit)
	}
	if strings.IndexFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f }) >= 0 {
		t.Fatalf("%s %q has a control character", what, s)
	}
}

func checkLink(t *testing.T, link string) {
	t.Helper()
	if link == "" {
		return
	}
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(link) > maxLink {
		t.Fatalf("link %q is not an absolute http(s) URL within %d bytes", link, maxLink)
	}
}
