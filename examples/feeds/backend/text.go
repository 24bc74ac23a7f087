package main

import (
	"fmt"
	"html"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// htmlText turns the escaped HTML of a summary into plain text: tags are
// removed (with the content of script and style elements), character
// references decoded, whitespace collapsed. The result is shown with
// textContent, so this is about readability, not safety.
func htmlText(s string) string {
	var b strings.Builder
	for len(s) > 0 {
		lt := strings.IndexByte(s, '<')
		if lt < 0 {
			b.WriteString(html.UnescapeString(s))
			break
		}
		b.WriteString(html.UnescapeString(s[:lt]))
		s = s[lt:]
		gt := strings.IndexByte(s, '>')
		if gt < 0 {
			break // an unclosed tag: the rest is markup
		}
		tag := s[1:gt]
		s = s[gt+1:]
		if name := tagName(tag); (name == "script" || name == "style") && !strings.HasPrefix(tag, "/") {
			// Drop the element's content up to its end tag, or everything.
			end := indexEndTag(s, tagName(tag))
			if end < 0 {
				break
			}
			s = s[end:]
			continue
		}
		b.WriteByte(' ') // tags separate words: "<p>a</p><p>b</p>" is "a b"
	}
	return collapse(b.String())
}

// indexEndTag returns the index of the first "</name" in s, the name in
// any case, or -1. It is linear in s.
func indexEndTag(s, name string) int {
	for i := 0; ; {
		j := strings.Index(s[i:], "</")
		if j < 0 {
			return -1
		}
		i += j
		if len(s)-i >= 2+len(name) && strings.EqualFold(s[i+2:i+2+len(name)], name) {
			return i
		}
		i += 2
	}
}

// tagName returns the lower-case name of the tag whose text (between "<"
// and ">") is t.
func tagName(t string) string {
	t = strings.TrimPrefix(t, "/")
	end := strings.IndexFunc(t, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if end >= 0 {
		t = t[:end]
	}
	return strings.ToLower(t)
}

// collapse trims s and turns each run of whitespace into one space, and
// drops control characters.
func collapse(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
		case unicode.IsControl(r):
		default:
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// clip shortens s to at most n characters, ending with "…" when it cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i, count := 0, 0
	for i = range s {
		if count == n-1 {
			break
		}
		count++
	}
	return strings.TrimRight(s[:i], " ") + "…"
}

// dateLayouts are the date forms feeds use: RFC 822 in RSS (with or
// without the weekday, two- or one-digit days, numeric or named zones) and
// RFC 3339 in Atom.
var dateLayouts = []string{
	time.RFC1123Z,
	time.RFC1123,
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"Mon, 2 Jan 2006 15:04 -0700",
	"Mon, 2 Jan 2006 15:04 MST",
	"2 Jan 2006 15:04:05 -0700",
	"2 Jan 2006 15:04:05 MST",
	time.RFC3339,
	"2006-01-02T15:04:05",
	"2006-01-02",
}

// parseDate returns s as RFC 3339 in UTC, or "" when it has none of the
// forms in dateLayouts.
func parseDate(s string) string {
	s = collapse(s)
	if s == "" || len(s) > 64 {
		return ""
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC().Format(time.RFC3339)
		}
	}
	return ""
}

// charsetReader lets encoding/xml read the encodings feeds declare besides
// UTF-8: US-ASCII (a subset) and ISO-8859-1 (each byte is its code point).
// Any other encoding is an error that names it.
func charsetReader(charset string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(charset) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return in, nil
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1":
		return latin1Reader{in}, nil
	}
	return nil, fmt.Errorf("feed encoding %q is not supported: serve it as UTF-8", clip(charset, 32))
}

// latin1Reader decodes ISO-8859-1 to UTF-8.
type latin1Reader struct{ r io.Reader }

func (l latin1Reader) Read(p []byte) (int, error) {
	// Each byte becomes at most two: read half of p, expand in place from
	// the end.
	if len(p) < 2 {
		return 0, io.ErrShortBuffer
	}
	n, err := l.r.Read(p[:len(p)/2])
	wide := 0
	for _, c := range p[:n] {
		if c >= 0x80 {
			wide++
		}
	}
	j := n + wide
	for i := n - 1; i >= 0; i-- {
		c := p[i]
		if c < 0x80 {
			j--
			p[j] = c
			continue
		}
		j -= 2
		utf8.EncodeRune(p[j:j+2], rune(c))
	}
	return n + wide, err
}
