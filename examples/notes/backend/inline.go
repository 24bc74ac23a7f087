package main

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxTitle bounds a link's title (which is parsed and dropped): the look-ahead
// of each link is bounded, so many unclosed links cost linear time.
const maxTitle = 256

// maxParens bounds nested parentheses in a link's URL.
const maxParens = 32

// renderInline writes src, the text of a paragraph or heading, as HTML:
// text escaped, code spans, emphasis, links and autolinks.
func renderInline(b *strings.Builder, src string) {
	p := newInlineParser(src)
	b.WriteString(p.render(0, len(src), true))
}

// tokKind says what a token is.
type tokKind int

const (
	tokText  tokKind = iota // literal text, escaped when written
	tokHTML                 // markup the renderer built itself from escaped parts
	tokDelim                // a run of "*" or "_"
)

// token is one piece of inline content.
type token struct {
	kind tokKind
	text string
	// Delimiter runs: the character, how many are left unmatched, whether
	// the run may open or close emphasis, and the markup of the tags it
	// opens and closes (the first matched is the innermost).
	ch                byte
	canOpen, canClose bool
	count             int
	opens, closes     string
}

// codeSpan is a code span found by the pre-pass: the opening run's length
// and where the closing run starts.
type codeSpan struct{ width, closeAt int }

// inlineParser holds what one pass over the whole text found, shared by the
// text of links inside it: code spans by start, and each "[" with its
// matching "]".
type inlineParser struct {
	src     string
	code    map[int]codeSpan
	bracket map[int]int
}

func newInlineParser(src string) *inlineParser {
	p := &inlineParser{src: src, code: map[int]codeSpan{}, bracket: map[int]int{}}
	p.findCodeSpans()
	p.matchBrackets()
	return p
}

func isASCIIPunct(c byte) bool {
	return c >= '!' && c <= '/' || c >= ':' && c <= '@' || c >= '[' && c <= '`' || c >= '{' && c <= '~'
}

// runLen returns the length of the run of c starting at i, up to hi.
func runLen(s string, i, hi int, c byte) int {
	n := 0
	for i+n < hi && s[i+n] == c {
		n++
	}
	return n
}

// findCodeSpans finds code spans left to right: a run of backticks opens
// one when a later run of exactly the same length closes it (backslashes
// are literal inside). It is one pass: the runs of each length are visited
// in order with a cursor that only moves forward.
func (p *inlineParser) findCodeSpans() {
	s := p.src
	runs := map[int][]int{} // length -> starts of maximal backtick runs
	for i := 0; i < len(s); {
		if s[i] != '`' {
			i++
			continue
		}
		n := runLen(s, i, len(s), '`')
		runs[n] = append(runs[n], i)
		i += n
	}
	if len(runs) == 0 {
		return
	}
	cursor := map[int]int{}
	for i := 0; i < len(s); {
		switch {
		case s[i] == '\\' && i+1 < len(s) && isASCIIPunct(s[i+1]):
			i += 2
		case s[i] == '`':
			n := runLen(s, i, len(s), '`')
			starts, c := runs[n], cursor[n]
			for c < len(starts) && starts[c] < i+n {
				c++
			}
			cursor[n] = c
			if c == len(starts) {
				i += n // no closer: the run is literal
				continue
			}
			p.code[i] = codeSpan{width: n, closeAt: starts[c]}
			i = starts[c] + n
		default:
			i++
		}
	}
}

// matchBrackets pairs "[" with "]", skipping escaped ones and code spans.
func (p *inlineParser) matchBrackets() {
	s := p.src
	var open []int
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s) && isASCIIPunct(s[i+1]):
			i += 2
			continue
		case c == '`':
			if sp, ok := p.code[i]; ok {
				i = sp.closeAt + sp.width
				continue
			}
			i += runLen(s, i, len(s), '`')
			continue
		case c == '[':
			open = append(open, i)
		case c == ']' && len(open) > 0:
			p.bracket[open[len(open)-1]] = i
			open = open[:len(open)-1]
		}
		i++
	}
}

// render parses src[lo:hi] and returns its HTML. links is false inside a
// link's text: a link never holds another, so "[" and "<" there are text.
func (p *inlineParser) render(lo, hi int, links bool) string {
	toks := p.tokens(lo, hi, links)
	processEmphasis(toks)
	var b strings.Builder
	for _, t := range toks {
		switch t.kind {
		case tokText:
			b.WriteString(html.EscapeString(t.text))
		case tokHTML:
			b.WriteString(t.text)
		case tokDelim:
			b.WriteString(t.closes)
			b.WriteString(strings.Repeat(string(t.ch), t.count))
			b.WriteString(t.opens)
		}
	}
	return b.String()
}

// tokens splits src[lo:hi] into tokens.
func (p *inlineParser) tokens(lo, hi int, links bool) []token {
	s := p.src
	toks := make([]token, 0, (hi-lo)/8+1)
	start := lo // of the pending text
	flush := func(end int) {
		if end > start {
			toks = append(toks, token{kind: tokText, text: s[start:end]})
		}
	}
	for i := lo; i < hi; {
		c := s[i]
		switch {
		case c == '\\' && i+1 < hi && isASCIIPunct(s[i+1]):
			flush(i)
			toks = append(toks, token{kind: tokText, text: s[i+1 : i+2]})
			i += 2
			start = i
		case c == '`':
			sp, ok := p.code[i]
			if !ok || sp.closeAt+sp.width > hi {
				i += runLen(s, i, hi, '`')
				continue
			}
			flush(i)
			toks = append(toks, token{kind: tokHTML, text: "<code>" + html.EscapeString(codeText(s[i+sp.width:sp.closeAt])) + "</code>"})
			i = sp.closeAt + sp.width
			start = i
		case c == '<' && links:
			end, ok := p.autolink(i, hi)
			if !ok {
				i++
				continue
			}
			flush(i)
			url := s[i+1 : end-1]
			toks = append(toks, token{kind: tokHTML, text: `<a href="` + html.EscapeString(url) + `">` + html.EscapeString(url) + "</a>"})
			i = end
			start = i
		case c == '[' && links:
			out, end, ok := p.link(i, hi)
			if !ok {
				i++
				continue
			}
			flush(i)
			toks = append(toks, token{kind: tokHTML, text: out})
			i = end
			start = i
		case c == '*' || c == '_':
			flush(i)
			n := runLen(s, i, hi, c)
			toks = append(toks, delimiter(s, i, i+n, c))
			i += n
			start = i
		default:
			i++
		}
	}
	flush(hi)
	return toks
}

// codeText is a code span's content: line endings become spaces, and one
// space is stripped from each end when both have one (so "“ `x` “" is
// "`x`"), unless the content is only spaces.
func codeText(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) >= 2 && s[0] == ' ' && s[len(s)-1] == ' ' && strings.Trim(s, " ") != "" {
		s = s[1 : len(s)-1]
	}
	return s
}

// autolink parses "<scheme:...>" at i and returns the index after ">". Only
// URLs safeHref accepts are links; anything else, such as "<script>", is
// text.
func (p *inlineParser) autolink(i, hi int) (end int, ok bool) {
	s := p.src
	j := i + 1
	for j < hi && j-i <= maxHref && s[j] > ' ' && s[j] != '<' && s[j] != '>' && s[j] != 0x7f {
		j++
	}
	if j >= hi || s[j] != '>' || !safeHref(s[i+1:j]) {
		return 0, false
	}
	return j + 1, true
}

// link parses "[text](url)" or "[text](url "title")" at i and returns its
// HTML and the index after it. A URL that safeHref refuses leaves the text
// alone, without a link. The title is dropped: the only attribute written
// is href.
func (p *inlineParser) link(i, hi int) (string, int, bool) {
	s := p.src
	closeAt, ok := p.bracket[i]
	if !ok || closeAt+1 >= hi || s[closeAt+1] != '(' {
		return "", 0, false
	}
	dest, end, ok := p.linkTail(closeAt+2, hi)
	if !ok {
		return "", 0, false
	}
	text := p.render(i+1, closeAt, false)
	if !safeHref(dest) {
		return text, end, true
	}
	return `<a href="` + html.EscapeString(dest) + `">` + text + "</a>", end, true
}

// linkTail parses what follows "](": the URL, an optional title and ")",
// each bounded in length. It returns the URL with backslash escapes
// removed.
func (p *inlineParser) linkTail(j, hi int) (dest string, end int, ok bool) {
	s := p.src
	j = skipSpace(s, j, hi)
	if j < hi && s[j] == '<' {
		k := j + 1
		for k < hi && k-j <= maxHref && s[k] != '>' && s[k] != '<' && s[k] != '\n' {
			if s[k] == '\\' && k+1 < hi && isASCIIPunct(s[k+1]) {
				k++
			}
			k++
		}
		if k >= hi || s[k] != '>' {
			return "", 0, false
		}
		dest = strings.ReplaceAll(unescape(s[j+1:k]), " ", "%20")
		j = k + 1
	} else {
		k, depth := j, 0
	scan:
		for k < hi && k-j <= maxHref {
			switch c := s[k]; {
			case c == '\\' && k+1 < hi && isASCIIPunct(s[k+1]):
				k += 2
				continue
			case c <= ' ' || c == 0x7f:
				break scan
			case c == '(':
				if depth++; depth > maxParens {
					return "", 0, false
				}
			case c == ')':
				if depth == 0 {
					break scan
				}
				depth--
			}
			k++
		}
		if k-j > maxHref || depth != 0 {
			return "", 0, false
		}
		dest = unescape(s[j:k])
		j = k
	}
	if t := skipSpace(s, j, hi); t > j && t < hi && (s[t] == '"' || s[t] == '\'' || s[t] == '(') {
		closer := s[t]
		if closer == '(' {
			closer = ')'
		}
		k := t + 1
		for k < hi && k-t <= maxTitle && s[k] != closer {
			if s[k] == '\\' && k+1 < hi {
				k++
			}
			k++
		}
		if k >= hi || s[k] != closer {
			return "", 0, false
		}
		j = k + 1
	}
	j = skipSpace(s, j, hi)
	if j >= hi || s[j] != ')' {
		return "", 0, false
	}
	return dest, j + 1, true
}

// skipSpace skips spaces and tabs, and at most one line ending.
func skipSpace(s string, j, hi int) int {
	newline := false
	for j < hi {
		switch s[j] {
		case ' ', '\t':
		case '\n':
			if newline {
				return j
			}
			newline = true
		default:
			return j
		}
		j++
	}
	return j
}

// unescape removes the backslash of each backslash escape.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && isASCIIPunct(s[i+1]) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// delimiter makes the token for the run s[i:end] of c, with CommonMark's
// flanking rules deciding whether it can open or close emphasis; "_"
// inside a word is literal, so snake_case stays as typed.
func delimiter(s string, i, end int, c byte) token {
	before, after := ' ', ' '
	if i > 0 {
		before, _ = utf8.DecodeLastRuneInString(s[:i])
	}
	if end < len(s) {
		after, _ = utf8.DecodeRuneInString(s[end:])
	}
	space := func(r rune) bool { return unicode.IsSpace(r) }
	punct := func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSymbol(r) }
	left := !space(after) && (!punct(after) || space(before) || punct(before))
	right := !space(before) && (!punct(before) || space(after) || punct(after))
	t := token{kind: tokDelim, ch: c, count: end - i, canOpen: left, canClose: right}
	if c == '_' {
		t.canOpen = left && (!right || punct(before))
		t.canClose = right && (!left || punct(after))
	}
	return t
}

// processEmphasis matches delimiter runs into <em> and <strong>, as
// CommonMark's algorithm does (without its "multiple of 3" rule): each
// closer takes the nearest opener of its character; runs of the other
// character between them can no longer match and stay text, which keeps
// the tags nested. Each character has its own stack of openers, so the
// pass is linear.
func processEmphasis(toks []token) {
	var stars, underscores []int // openers, by index in toks
	for i := range toks {
		t := &toks[i]
		if t.kind != tokDelim {
			continue
		}
		same, other := &stars, &underscores
		if t.ch == '_' {
			same, other = other, same
		}
		for t.canClose && t.count > 0 && len(*same) > 0 {
			j := (*same)[len(*same)-1]
			o := &toks[j]
			use, tag := 1, "em"
			if o.count >= 2 && t.count >= 2 {
				use, tag = 2, "strong"
			}
			o.count -= use
			t.count -= use
			o.opens = "<" + tag + ">" + o.opens
			t.closes += "</" + tag + ">"
			for len(*other) > 0 && (*other)[len(*other)-1] > j {
				*other = (*other)[:len(*other)-1]
			}
			if o.count == 0 {
				*same = (*same)[:len(*same)-1]
			}
		}
		if t.canOpen && t.count > 0 {
			*same = append(*same, i)
		}
	}
}
