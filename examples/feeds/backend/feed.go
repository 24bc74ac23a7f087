package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
)

// Bounds on what a feed may make the parser do. The host's http capability
// already caps the body it hands over; these keep the backend's memory and
// time small whatever the feed holds.
const (
	maxFeedBytes  = 2 << 20  // a larger document is refused
	maxItems      = 50       // items after the first 50 are not read
	maxDepth      = 32       // element nesting inside an item or entry
	maxChildren   = 256      // child elements kept per element; more are skipped
	maxFieldBytes = 64 << 10 // text kept per element; more is dropped
	maxTitle      = 300      // characters shown of a title
	maxSummary    = 600      // characters shown of a summary
	maxLink       = 2048     // bytes of a link; a longer one is dropped
)

// Namespaces the parser reads.
const (
	atomNS    = "http://www.w3.org/2005/Atom"
	contentNS = "http://purl.org/rss/1.0/modules/content/"
	dcNS      = "http://purl.org/dc/elements/1.1/"
)

// Errors callers branch on.
var (
	// ErrNotFeed means the document is well-formed XML but neither RSS 2.0
	// nor Atom.
	ErrNotFeed = errors.New("not an RSS 2.0 or Atom feed")
	// ErrTooLarge means the document is over maxFeedBytes.
	ErrTooLarge = fmt.Errorf("feed larger than %d bytes", maxFeedBytes)
	// ErrDTD means the document has a document type declaration (or another
	// <!...> directive): feeds do not need one, and entities it could declare
	// are a classic way to make a parser expand a small document into a
	// huge one.
	ErrDTD = errors.New("feed has a document type declaration (<!DOCTYPE ...>), which is refused")
	// ErrTooDeep means elements nest deeper than maxDepth.
	ErrTooDeep = fmt.Errorf("feed nests elements deeper than %d", maxDepth)
)

// Feed is a parsed feed: its title, its site, its kind and its first items.
type Feed struct {
	Title string `json:"title"`
	Link  string `json:"link,omitempty"` // the site, http(s) only
	Kind  string `json:"kind"`           // "rss" or "atom"
	Items []Item `json:"items"`
}

// Item is one entry of a feed, as text: nothing in it is markup.
type Item struct {
	Title   string `json:"title"`
	Link    string `json:"link,omitempty"`    // an absolute http(s) URL, or empty
	Date    string `json:"date,omitempty"`    // RFC 3339 in UTC, or empty when absent or unreadable
	Summary string `json:"summary,omitempty"` // plain text, markup removed
}

// ParseFeed parses an RSS 2.0 or Atom document. Relative links resolve
// against base (the feed's own URL); links that are not http or https are
// dropped. It reads at most maxItems items and refuses documents over
// maxFeedBytes, with a DTD, nesting deeper than maxDepth, or in an encoding
// other than UTF-8, US-ASCII or ISO-8859-1. It costs time linear in the
// document and memory bounded by the limits above.
func ParseFeed(body []byte, base *url.URL) (Feed, error) {
	if len(body) > maxFeedBytes {
		return Feed{}, ErrTooLarge
	}
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = true
	// HTML's named character references (&nbsp;, &eacute;), which feeds
	// use although XML does not define them: a fixed table, one character
	// each; nothing a document declares is ever expanded.
	d.Entity = xml.HTMLEntity
	d.CharsetReader = charsetReader
	r := reader{d: d}
	for {
		tok, err := r.next()
		if err == io.EOF {
			return Feed{}, fmt.Errorf("%w: the document is empty", ErrNotFeed)
		}
		if err != nil {
			return Feed{}, err
		}
		start, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch {
		case start.Name.Local == "rss" && start.Name.Space == "":
			return r.rss(base)
		case start.Name.Local == "feed" && start.Name.Space == atomNS:
			return r.atom(base)
		}
		return Feed{}, fmt.Errorf("%w: the document is <%s>", ErrNotFeed, clip(start.Name.Local, 64))
	}
}

// reader wraps the decoder so that every token passes the same checks.
type reader struct{ d *xml.Decoder }

// next returns the next token; a directive (<!DOCTYPE>, <!ENTITY>) is
// ErrDTD. Comments and processing instructions pass and are ignored.
func (r reader) next() (xml.Token, error) {
	tok, err := r.d.Token()
	if err != nil {
		if err != io.EOF {
			err = fmt.Errorf("parse feed: %w", err)
		}
		return nil, err
	}
	if _, ok := tok.(xml.Directive); ok {
		return nil, ErrDTD
	}
	return tok, nil
}

// node is an element read whole: its name, attributes, direct text (at
// most maxFieldBytes) and child elements (at most maxChildren), with where
// in the text each child stood.
type node struct {
	name     xml.Name
	attrs    []xml.Attr
	text     []byte
	children []*node
	at       []int // at[i] is len(text) when children[i] started
}

// element reads the element that start opened, up to its end.
func (r reader) element(start xml.StartElement, depth int) (*node, error) {
	if depth > maxDepth {
		return nil, ErrTooDeep
	}
	n := &node{name: start.Name, attrs: start.Attr}
	for {
		tok, err := r.next()
		if err == io.EOF {
			return nil, fmt.Errorf("parse feed: <%s> is not closed", clip(start.Name.Local, 64))
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.CharData:
			n.text = append(n.text, t[:min(len(t), maxFieldBytes-len(n.text))]...)
		case xml.StartElement:
			c, err := r.element(t, depth+1)
			if err != nil {
				return nil, err
			}
			if len(n.children) < maxChildren {
				n.children = append(n.children, c)
				n.at = append(n.at, len(n.text))
			}
		case xml.EndElement:
			return n, nil
		}
	}
}

// child returns n's first child named local in namespace space.
func (n *node) child(space, local string) *node {
	for _, c := range n.children {
		if c.name.Space == space && c.name.Local == local {
			return c
		}
	}
	return nil
}

// attr returns the value of n's attribute local (without namespace).
func (n *node) attr(local string) string {
	for _, a := range n.attrs {
		if a.Name.Space == "" && a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// allText is the text inside n, its descendants' included, in document
// order, at most maxFieldBytes. Elements separate words: "<p>a</p><p>b</p>"
// reads "a b".
func (n *node) allText() string {
	var b strings.Builder
	var walk func(*node)
	walk = func(n *node) {
		last := 0
		for i, c := range n.children {
			if b.Len() >= maxFieldBytes {
				return
			}
			b.Write(n.text[last:n.at[i]])
			b.WriteByte(' ')
			walk(c)
			b.WriteByte(' ')
			last = n.at[i]
		}
		b.Write(n.text[last:])
	}
	walk(n)
	return clip(b.String(), maxFieldBytes)
}

// rss reads the rest of an <rss> document: its <channel>'s title, link and
// items.
func (r reader) rss(base *url.URL) (Feed, error) {
	f := Feed{Kind: "rss", Items: []Item{}}
	depth := 1 // inside <rss>
	inChannel := false
	for {
		tok, err := r.next()
		if err == io.EOF {
			return Feed{}, fmt.Errorf("parse feed: <rss> is not closed")
		}
		if err != nil {
			return Feed{}, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if !inChannel {
				if depth == 1 && t.Name.Space == "" && t.Name.Local == "channel" {
					inChannel = true
					depth++
					continue
				}
				if _, err := r.element(t, depth); err != nil { // skip it
					return Feed{}, err
				}
				continue
			}
			n, err := r.element(t, 2)
			if err != nil {
				return Feed{}, err
			}
			switch {
			case t.Name.Space != "":
			case t.Name.Local == "title":
				f.Title = clip(collapse(string(n.text)), maxTitle)
			case t.Name.Local == "link":
				f.Link = safeLink(string(n.text), base)
			case t.Name.Local == "item":
				f.Items = append(f.Items, rssItem(n, base))
				if len(f.Items) == maxItems {
					return f, nil
				}
			}
		case xml.EndElement:
			if !inChannel {
				return Feed{}, fmt.Errorf("%w: <rss> has no <channel>", ErrNotFeed)
			}
			// </channel>: an RSS feed has one channel, and nothing after it
			// is read.
			return f, nil
		}
	}
}

func rssItem(n *node, base *url.URL) Item {
	var it Item
	if c := n.child("", "title"); c != nil {
		it.Title = clip(collapse(string(c.text)), maxTitle)
	}
	if c := n.child("", "link"); c != nil {
		it.Link = safeLink(string(c.text), base)
	}
	if c := n.child("", "guid"); it.Link == "" && c != nil && c.attr("isPermaLink") != "false" {
		it.Link = safeLink(string(c.text), base)
	}
	if c := n.child("", "pubDate"); c != nil {
		it.Date = parseDate(string(c.text))
	}
	if c := n.child(dcNS, "date"); it.Date == "" && c != nil {
		it.Date = parseDate(string(c.text))
	}
	if c := n.child("", "description"); c != nil {
		it.Summary = clip(htmlText(string(c.text)), maxSummary)
	}
	if c := n.child(contentNS, "encoded"); it.Summary == "" && c != nil {
		it.Summary = clip(htmlText(string(c.text)), maxSummary)
	}
	if it.Title == "" {
		it.Title = clip(it.Summary, 80)
	}
	return it
}

// atom reads the rest of an Atom <feed>: its title, its alternate link and
// its entries.
func (r reader) atom(base *url.URL) (Feed, error) {
	f := Feed{Kind: "atom", Items: []Item{}}
	for {
		tok, err := r.next()
		if err == io.EOF {
			return Feed{}, fmt.Errorf("parse feed: <feed> is not closed")
		}
		if err != nil {
			return Feed{}, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n, err := r.element(t, 1)
			if err != nil {
				return Feed{}, err
			}
			if t.Name.Space != atomNS {
				continue
			}
			switch t.Name.Local {
			case "title":
				f.Title = clip(atomText(n), maxTitle)
			case "link":
				if rel := n.attr("rel"); f.Link == "" && (rel == "" || rel == "alternate") {
					f.Link = safeLink(n.attr("href"), base)
				}
			case "entry":
				f.Items = append(f.Items, atomEntry(n, base))
				if len(f.Items) == maxItems {
					return f, nil
				}
			}
		case xml.EndElement:
			return f, nil
		}
	}
}

func atomEntry(n *node, base *url.URL) Item {
	var it Item
	if c := n.child(atomNS, "title"); c != nil {
		it.Title = clip(atomText(c), maxTitle)
	}
	for _, c := range n.children {
		if rel := c.attr("rel"); c.name.Space == atomNS && c.name.Local == "link" && (rel == "" || rel == "alternate") {
			if it.Link = safeLink(c.attr("href"), base); it.Link != "" {
				break
			}
		}
	}
	for _, name := range []string{"published", "updated"} {
		if c := n.child(atomNS, name); c != nil && it.Date == "" {
			it.Date = parseDate(string(c.text))
		}
	}
	for _, name := range []string{"summary", "content"} {
		if c := n.child(atomNS, name); c != nil && it.Summary == "" {
			it.Summary = clip(atomText(c), maxSummary)
		}
	}
	if it.Title == "" {
		it.Title = clip(it.Summary, 80)
	}
	return it
}

// atomText reads an Atom text construct: type="html" is escaped HTML,
// type="xhtml" is markup inside a <div>, anything else is text.
func atomText(n *node) string {
	switch n.attr("type") {
	case "html":
		return htmlText(string(n.text))
	case "xhtml":
		return collapse(n.allText())
	}
	return collapse(string(n.text))
}

// safeLink resolves raw against base and returns it when it is an http or
// https URL with a host and no user information, at most maxLink bytes;
// otherwise "" (a javascript:, data: or file: link is never passed on).
func safeLink(raw string, base *url.URL) string {
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > maxLink {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.Opaque != "" {
		return ""
	}
	s := u.String()
	if len(s) > maxLink {
		return ""
	}
	return s
}
