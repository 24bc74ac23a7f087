package main

import (
	"html"
	"strings"
)

// renderMarkdown turns a note's markdown into HTML for the page to show. It
// is a small renderer of a CommonMark subset: ATX headings, paragraphs,
// emphasis, code spans, fenced and indented code blocks, bullet and ordered
// lists, block quotes, thematic breaks and links.
//
// The output is safe to insert as HTML because the renderer never passes
// anything through: every character the author typed reaches the output
// escaped as text, and the only markup is what the renderer writes itself,
// from a fixed list of tags (see allowedTags) with no attribute but a link's
// href, which is written only for http, https and mailto URLs (safeHref).
// Raw HTML in the note is shown as text; a link to any other URL is shown as
// its text alone; an image ("![alt](url)") is shown as "!" and a link.
//
// It costs time linear in the input (bounded look-ahead for links, one pass
// for code spans and brackets) and nesting is capped at maxDepth, so a
// hostile note cannot make it slow or deep.
func renderMarkdown(src string) string {
	var b strings.Builder
	b.Grow(len(src) + len(src)/4)
	renderBlocks(&b, parseBlocks(splitLines(src), 0), false)
	return b.String()
}

// allowedTags are the only elements renderMarkdown writes. "a" carries an
// href; no element carries any other attribute. "hr" is empty.
var allowedTags = []string{
	"a", "blockquote", "code", "em", "h1", "h2", "h3", "h4", "h5", "h6",
	"hr", "li", "ol", "p", "pre", "strong", "ul",
}

// maxDepth caps the nesting of block quotes and lists; deeper markers are
// shown as text.
const maxDepth = 8

// tabWidth is the width of a tab in leading indentation.
const tabWidth = 4

type blockKind int

const (
	blockParagraph blockKind = iota
	blockHeading
	blockCode
	blockQuote
	blockList
	blockRule
)

// block is one parsed block of a note.
type block struct {
	kind     blockKind
	level    int       // heading level, 1 to 6
	text     string    // inline source of a paragraph or heading; a code block's content
	ordered  bool      // list
	loose    bool      // list: items are separated by blank lines, so their paragraphs get <p>
	items    [][]block // list items
	children []block   // quote
}

// splitLines normalises line endings, invalid UTF-8 and NUL bytes, expands
// tabs in each line's indentation, and splits src into lines.
func splitLines(src string) []string {
	src = strings.ToValidUTF8(src, "\uFFFD")
	src = strings.ReplaceAll(src, "\x00", "\uFFFD")
	src = strings.ReplaceAll(src, "\r\n", "\n")
	src = strings.ReplaceAll(src, "\r", "\n")
	lines := strings.Split(strings.TrimSuffix(src, "\n"), "\n")
	for i, l := range lines {
		lines[i] = expandIndent(l)
	}
	return lines
}

// expandIndent replaces tabs in the leading whitespace of line by spaces.
func expandIndent(line string) string {
	if !strings.Contains(line, "\t") {
		return line
	}
	col, i := 0, 0
	for ; i < len(line) && (line[i] == ' ' || line[i] == '\t'); i++ {
		if line[i] == '\t' {
			col += tabWidth - col%tabWidth
		} else {
			col++
		}
	}
	return strings.Repeat(" ", col) + line[i:]
}

func isBlank(line string) bool { return strings.TrimLeft(line, " \t") == "" }

// indentOf returns the number of leading spaces of line and the rest.
func indentOf(line string) (int, string) {
	rest := strings.TrimLeft(line, " ")
	return len(line) - len(rest), rest
}

// dedent removes up to n leading spaces from line.
func dedent(line string, n int) string {
	i := 0
	for i < n && i < len(line) && line[i] == ' ' {
		i++
	}
	return line[i:]
}

// parseBlocks parses lines (one container's content) into blocks. depth is
// the container's nesting.
func parseBlocks(lines []string, depth int) []block {
	var blocks []block
	for i := 0; i < len(lines); {
		line := lines[i]
		if isBlank(line) {
			i++
			continue
		}
		indent, rest := indentOf(line)
		if indent >= 4 {
			b, n := parseIndentedCode(lines[i:])
			blocks = append(blocks, b)
			i += n
			continue
		}
		if ch, width, ok := openFence(rest); ok {
			b, n := parseFence(lines[i:], indent, ch, width)
			blocks = append(blocks, b)
			i += n
			continue
		}
		if level, text, ok := atxHeading(rest); ok {
			blocks = append(blocks, block{kind: blockHeading, level: level, text: text})
			i++
			continue
		}
		if isRule(rest) {
			blocks = append(blocks, block{kind: blockRule})
			i++
			continue
		}
		if depth < maxDepth && strings.HasPrefix(rest, ">") {
			b, n := parseQuote(lines[i:], depth)
			blocks = append(blocks, b)
			i += n
			continue
		}
		if m, ok := listMarkerOf(line); ok && depth < maxDepth {
			b, n := parseList(lines[i:], m, depth)
			blocks = append(blocks, b)
			i += n
			continue
		}
		b, n := parseParagraph(lines[i:], depth)
		blocks = append(blocks, b)
		i += n
	}
	return blocks
}

// interrupts reports whether line starts a block that ends a paragraph.
func interrupts(line string, depth int) bool {
	if isBlank(line) {
		return true
	}
	indent, rest := indentOf(line)
	if indent >= 4 {
		return false // indented code cannot interrupt a paragraph
	}
	if _, _, ok := openFence(rest); ok {
		return true
	}
	if _, _, ok := atxHeading(rest); ok {
		return true
	}
	if isRule(rest) {
		return true
	}
	if depth >= maxDepth {
		return false
	}
	if strings.HasPrefix(rest, ">") {
		return true
	}
	// As in CommonMark, an ordered list interrupts a paragraph only when it
	// starts at 1, so a line that begins "2020. " stays text; an empty item
	// never does.
	m, ok := listMarkerOf(line)
	return ok && !m.empty && (!m.ordered || m.start == 1)
}

func parseParagraph(lines []string, depth int) (block, int) {
	n := 1
	for n < len(lines) && !interrupts(lines[n], depth) {
		n++
	}
	text := make([]string, n)
	for i, l := range lines[:n] {
		text[i] = strings.TrimSpace(l)
	}
	return block{kind: blockParagraph, text: strings.Join(text, "\n")}, n
}

func parseIndentedCode(lines []string) (block, int) {
	n, last := 0, 0
	for n < len(lines) {
		if isBlank(lines[n]) {
			n++
			continue
		}
		if indent, _ := indentOf(lines[n]); indent < 4 {
			break
		}
		n++
		last = n
	}
	// Trailing blank lines belong to what follows.
	body := make([]string, last)
	for i, l := range lines[:last] {
		body[i] = dedent(l, 4)
	}
	return block{kind: blockCode, text: strings.Join(body, "\n") + "\n"}, last
}

// openFence reports whether rest (a line without its indentation) opens a
// fenced code block: three or more backticks or tildes. A backtick fence's
// info string may not contain a backtick; the info string is not used.
func openFence(rest string) (ch byte, width int, ok bool) {
	if len(rest) < 3 || (rest[0] != '`' && rest[0] != '~') {
		return 0, 0, false
	}
	ch = rest[0]
	for width < len(rest) && rest[width] == ch {
		width++
	}
	if width < 3 || (ch == '`' && strings.IndexByte(rest[width:], '`') >= 0) {
		return 0, 0, false
	}
	return ch, width, true
}

// parseFence reads a fenced code block. An unclosed fence runs to the end
// of its container.
func parseFence(lines []string, indent int, ch byte, width int) (block, int) {
	var body []string
	n := 1
	for ; n < len(lines); n++ {
		in, rest := indentOf(lines[n])
		if in < 4 && closesFence(rest, ch, width) {
			n++
			break
		}
		body = append(body, dedent(lines[n], indent))
	}
	text := strings.Join(body, "\n")
	if len(body) > 0 {
		text += "\n"
	}
	return block{kind: blockCode, text: text}, n
}

func closesFence(rest string, ch byte, width int) bool {
	w := 0
	for w < len(rest) && rest[w] == ch {
		w++
	}
	return w >= width && strings.TrimRight(rest[w:], " \t") == ""
}

// atxHeading parses "# Title" (one to six #, then a space or the end of the
// line); a closing run of # is dropped.
func atxHeading(rest string) (level int, text string, ok bool) {
	for level < len(rest) && rest[level] == '#' {
		level++
	}
	if level == 0 || level > 6 || (level < len(rest) && rest[level] != ' ' && rest[level] != '\t') {
		return 0, "", false
	}
	text = strings.TrimSpace(rest[level:])
	if t := strings.TrimRight(text, "#"); t == "" {
		text = ""
	} else if t != text && (strings.HasSuffix(t, " ") || strings.HasSuffix(t, "\t")) {
		text = strings.TrimSpace(t)
	}
	return level, text, true
}

// isRule reports whether rest is a thematic break: three or more of one of
// "-", "*" or "_", with nothing else but spaces.
func isRule(rest string) bool {
	if rest == "" || (rest[0] != '-' && rest[0] != '*' && rest[0] != '_') {
		return false
	}
	n := 0
	for i := 0; i < len(rest); i++ {
		switch rest[i] {
		case rest[0]:
			n++
		case ' ', '\t':
		default:
			return false
		}
	}
	return n >= 3
}

// parseQuote reads a block quote: lines starting with ">", and lazy
// continuation lines of its last paragraph.
func parseQuote(lines []string, depth int) (block, int) {
	var body []string
	n := 0
	for ; n < len(lines); n++ {
		if indent, rest := indentOf(lines[n]); indent < 4 && strings.HasPrefix(rest, ">") {
			body = append(body, strings.TrimPrefix(rest[1:], " "))
			continue
		}
		// A lazy line continues the quote's paragraph, never anything else.
		if n > 0 && !isBlank(body[len(body)-1]) && !interrupts(lines[n], depth) {
			body = append(body, lines[n])
			continue
		}
		break
	}
	return block{kind: blockQuote, children: parseBlocks(body, depth+1)}, n
}

// listMarker is the marker that starts a list item.
type listMarker struct {
	ordered bool
	start   int  // ordered: the number
	delim   byte // '-', '+', '*'; or '.' or ')' after a number
	content int  // column where the item's content starts
	empty   bool // nothing follows the marker
}

// listMarkerOf parses the list item marker at the start of line: "-", "+"
// or "*", or one to nine digits and "." or ")", followed by a space or the
// end of the line, after at most three spaces of indentation.
func listMarkerOf(line string) (listMarker, bool) {
	indent, rest := indentOf(line)
	if indent >= 4 || rest == "" {
		return listMarker{}, false
	}
	var m listMarker
	width := 0
	switch c := rest[0]; {
	case c == '-' || c == '+' || c == '*':
		m.delim, width = c, 1
	case c >= '0' && c <= '9':
		for width < len(rest) && width < 10 && rest[width] >= '0' && rest[width] <= '9' {
			m.start = m.start*10 + int(rest[width]-'0')
			width++
		}
		if width > 9 || width >= len(rest) || (rest[width] != '.' && rest[width] != ')') {
			return listMarker{}, false
		}
		m.ordered, m.delim = true, rest[width]
		width++
	default:
		return listMarker{}, false
	}
	after := rest[width:]
	if after != "" && after[0] != ' ' {
		return listMarker{}, false
	}
	spaces, text := indentOf(after)
	m.empty = text == ""
	if m.empty || spaces > 4 {
		// Content indented five or more is indented code in the item.
		spaces = 1
	}
	m.content = indent + width + spaces
	return m, true
}

// sameList reports whether b continues the list that a started.
func sameList(a, b listMarker) bool { return a.ordered == b.ordered && a.delim == b.delim }

// parseList reads a list whose first item starts with marker first.
func parseList(lines []string, first listMarker, depth int) (block, int) {
	list := block{kind: blockList, ordered: first.ordered}
	n := 0
	m := first
	for {
		item, used, blankInside := parseItem(lines[n:], m, depth)
		list.items = append(list.items, item)
		list.loose = list.loose || blankInside
		n += used
		// Blank lines, then another item of the same list: the list goes on
		// and is loose.
		next := n
		for next < len(lines) && isBlank(lines[next]) {
			next++
		}
		if next >= len(lines) {
			return list, n
		}
		nm, ok := listMarkerOf(lines[next])
		if !ok || !sameList(first, nm) || isRule(strings.TrimLeft(lines[next], " ")) {
			return list, n
		}
		list.loose = list.loose || next > n
		n, m = next, nm
	}
}

// parseItem reads one list item starting with marker m; it returns the
// item's blocks, the lines used (trailing blank lines excluded) and whether
// a blank line separates two parts of its content.
func parseItem(lines []string, m listMarker, depth int) ([]block, int, bool) {
	// The first line without its marker; content indented five or more
	// keeps four of its spaces (m.content), so it reads as indented code.
	body := []string{lines[0][min(m.content, len(lines[0])):]}
	n, used := 1, 1
	blankInside := false
	for n < len(lines) {
		line := lines[n]
		if isBlank(line) {
			body = append(body, "")
			n++
			continue
		}
		indent, _ := indentOf(line)
		if indent >= m.content {
			if n > used {
				blankInside = true
			}
			body = append(body, dedent(line, m.content))
			n++
			used = n
			continue
		}
		// A lazy line continues the item's paragraph when no blank line came
		// before it and it starts nothing else.
		if n == used && !isBlank(body[len(body)-1]) && !interrupts(line, depth) {
			if _, ok := listMarkerOf(line); !ok {
				body = append(body, line)
				n++
				used = n
				continue
			}
		}
		break
	}
	return parseBlocks(body[:used], depth+1), used, blankInside
}

// renderBlocks writes blocks as HTML. tight writes paragraphs without <p>
// (the items of a tight list).
func renderBlocks(b *strings.Builder, blocks []block, tight bool) {
	for i, bl := range blocks {
		switch bl.kind {
		case blockParagraph:
			if tight {
				renderInline(b, bl.text)
				if i+1 < len(blocks) {
					b.WriteString("\n")
				}
				continue
			}
			b.WriteString("<p>")
			renderInline(b, bl.text)
			b.WriteString("</p>\n")
		case blockHeading:
			tag := "h" + string(rune('0'+bl.level))
			b.WriteString("<" + tag + ">")
			renderInline(b, bl.text)
			b.WriteString("</" + tag + ">\n")
		case blockCode:
			b.WriteString("<pre><code>")
			b.WriteString(html.EscapeString(bl.text))
			b.WriteString("</code></pre>\n")
		case blockQuote:
			b.WriteString("<blockquote>\n")
			renderBlocks(b, bl.children, false)
			b.WriteString("</blockquote>\n")
		case blockRule:
			b.WriteString("<hr>\n")
		case blockList:
			tag := "ul"
			if bl.ordered {
				tag = "ol"
			}
			b.WriteString("<" + tag + ">\n")
			for _, item := range bl.items {
				b.WriteString("<li>")
				renderBlocks(b, item, !bl.loose)
				b.WriteString("</li>\n")
			}
			b.WriteString("</" + tag + ">\n")
		}
	}
}
