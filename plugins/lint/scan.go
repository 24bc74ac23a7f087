package lint

import (
	"bytes"
	"strings"
)

// Invoke is one use of warden.invoke found in a script.
type Invoke struct {
	// Command is the command invoked, when it is a string literal.
	Command string
	// Literal is false when lint cannot tell the command: it is computed,
	// or warden.invoke is used other than by calling it directly.
	Literal bool
	// Line and Column (1-based, columns in bytes) locate "warden".
	Line, Column int
}

// ScanInvokes returns every use of warden.invoke in the JavaScript src, in
// order: a call whose first argument is a string literal gives its
// command; any other use (a computed command, `const f = warden.invoke`)
// is returned with Literal false. It skips comments, strings, template
// literals (but scans their ${...} parts) and regular expression literals,
// without parsing the script; source it cannot follow costs at most the
// rest of a line. Cost: one pass over src, no allocation per byte.
func ScanInvokes(src []byte) []Invoke {
	s := &scanner{src: src}
	s.run()
	lines := lineStarts(src)
	for i := range s.out {
		s.out[i].Line, s.out[i].Column = position(lines, s.out[i].Line)
	}
	return s.out
}

// scanner walks a script; out holds Invokes whose Line is still a byte
// offset until ScanInvokes places them.
type scanner struct {
	src []byte
	i   int
	out []Invoke
	// templates holds, for each template literal whose ${ is open, the
	// depth of braces opened inside it.
	templates []int
	// regexOK says whether a '/' here would start a regular expression
	// rather than divide: after an operator, '(' or the start.
	regexOK bool
}

func (s *scanner) run() {
	s.regexOK = true
	for s.i < len(s.src) {
		c := s.src[s.i]
		switch {
		case c == '/' && s.peek(1) == '/':
			s.skipLine()
		case c == '/' && s.peek(1) == '*':
			s.skipBlockComment()
		case c == '\'' || c == '"':
			s.skipString(c)
			s.regexOK = false
		case c == '`':
			s.i++
			s.template()
		case c == '/' && s.regexOK:
			s.skipRegex()
			s.regexOK = false
		case c == '{':
			if n := len(s.templates); n > 0 {
				s.templates[n-1]++
			}
			s.i++
			s.regexOK = true
		case c == '}':
			s.i++
			if n := len(s.templates); n > 0 {
				if s.templates[n-1] == 0 {
					s.templates = s.templates[:n-1]
					s.template()
					continue
				}
				s.templates[n-1]--
			}
			s.regexOK = true
		case isIdentStart(c):
			start := s.i
			for s.i < len(s.src) && isIdentPart(s.src[s.i]) {
				s.i++
			}
			word := string(s.src[start:s.i])
			if word == "warden" && (start == 0 || s.src[start-1] != '.' || s.precededBy(start, "window.") || s.precededBy(start, "globalThis.") || s.precededBy(start, "self.")) {
				s.invoke(start)
			}
			s.regexOK = isKeywordBeforeExpr(word)
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			s.i++
		default:
			s.i++
			s.regexOK = c != ')' && c != ']' && !(c >= '0' && c <= '9')
		}
	}
}

func (s *scanner) peek(k int) byte {
	if s.i+k < len(s.src) {
		return s.src[s.i+k]
	}
	return 0
}

// precededBy reports whether word is right before offset start.
func (s *scanner) precededBy(start int, word string) bool {
	return start >= len(word) && string(s.src[start-len(word):start]) == word &&
		(start == len(word) || !isIdentPart(s.src[start-len(word)-1]))
}

func (s *scanner) skipLine() {
	for s.i < len(s.src) && s.src[s.i] != '\n' {
		s.i++
	}
}

func (s *scanner) skipBlockComment() {
	end := bytes.Index(s.src[s.i+2:], []byte("*/"))
	if end < 0 {
		s.i = len(s.src)
		return
	}
	s.i += 2 + end + 2
}

// skipString skips a quoted string; an unterminated one ends at the line.
func (s *scanner) skipString(q byte) {
	s.i++
	for s.i < len(s.src) {
		switch s.src[s.i] {
		case '\\':
			s.i += 2
			continue
		case q:
			s.i++
			return
		case '\n':
			return
		}
		s.i++
	}
}

// template skips template literal text up to its closing backtick, or up
// to a ${, where scanning goes back to code until the matching }.
func (s *scanner) template() {
	for s.i < len(s.src) {
		switch s.src[s.i] {
		case '\\':
			s.i += 2
			continue
		case '`':
			s.i++
			s.regexOK = false
			return
		case '$':
			if s.peek(1) == '{' {
				s.i += 2
				s.templates = append(s.templates, 0)
				s.regexOK = true
				return
			}
		}
		s.i++
	}
}

// skipRegex skips a regular expression literal, classes included; an
// unterminated one ends at the line.
func (s *scanner) skipRegex() {
	s.i++
	class := false
	for s.i < len(s.src) {
		switch c := s.src[s.i]; {
		case c == '\\':
			s.i += 2
			continue
		case c == '\n':
			return
		case c == '[':
			class = true
		case c == ']':
			class = false
		case c == '/' && !class:
			s.i++
			for s.i < len(s.src) && isIdentPart(s.src[s.i]) {
				s.i++ // flags
			}
			return
		}
		s.i++
	}
}

// invoke looks at what follows the identifier warden at start and records
// a use of warden.invoke: `warden.invoke("cmd"` (optional chaining and
// white space allowed) or any other use of warden.invoke.
func (s *scanner) invoke(start int) {
	j := s.skipSpace(s.i)
	switch {
	case bytes.HasPrefix(s.src[j:], []byte("?.")):
		j += 2
	case j < len(s.src) && s.src[j] == '.':
		j++
	default:
		return
	}
	j = s.skipSpace(j)
	if !bytes.HasPrefix(s.src[j:], []byte("invoke")) || (j+6 < len(s.src) && isIdentPart(s.src[j+6])) {
		return
	}
	j = s.skipSpace(j + 6)
	if bytes.HasPrefix(s.src[j:], []byte("?.(")) {
		j += 2
	}
	inv := Invoke{Line: start}
	if j < len(s.src) && s.src[j] == '(' {
		k := s.skipSpace(j + 1)
		if cmd, end, ok := stringLiteral(s.src, k); ok {
			if e := s.skipSpace(end); e < len(s.src) && (s.src[e] == ',' || s.src[e] == ')') {
				inv.Command, inv.Literal = cmd, true
			}
		}
	}
	s.out = append(s.out, inv)
	s.i = j
	s.regexOK = false
}

// skipSpace returns the offset of the first byte from j on that is not
// white space or inside a comment.
func (s *scanner) skipSpace(j int) int {
	for j < len(s.src) {
		switch {
		case s.src[j] == ' ' || s.src[j] == '\t' || s.src[j] == '\n' || s.src[j] == '\r':
			j++
		case s.src[j] == '/' && j+1 < len(s.src) && s.src[j+1] == '*':
			end := bytes.Index(s.src[j+2:], []byte("*/"))
			if end < 0 {
				return len(s.src)
			}
			j += 2 + end + 2
		case s.src[j] == '/' && j+1 < len(s.src) && s.src[j+1] == '/':
			for j < len(s.src) && s.src[j] != '\n' {
				j++
			}
		default:
			return j
		}
	}
	return j
}

// stringLiteral reads a JavaScript string literal at j: quoted with ' or
// ", or a template literal without ${. It decodes the escapes a command
// name could hold (\\, \', \", \/); any other escape makes it one lint
// does not read (ok false). end is the offset after the closing quote.
func stringLiteral(src []byte, j int) (s string, end int, ok bool) {
	if j >= len(src) {
		return "", j, false
	}
	q := src[j]
	if q != '\'' && q != '"' && q != '`' {
		return "", j, false
	}
	var b strings.Builder
	for k := j + 1; k < len(src); k++ {
		c := src[k]
		switch {
		case c == q:
			return b.String(), k + 1, true
		case c == '\\' && k+1 < len(src) && strings.IndexByte(`\'"/`+"`", src[k+1]) >= 0:
			k++
			b.WriteByte(src[k])
		case c == '\\', c == '\n' && q != '`', q == '`' && c == '$' && k+1 < len(src) && src[k+1] == '{':
			return "", k, false
		default:
			b.WriteByte(c)
		}
	}
	return "", len(src), false
}

func isIdentStart(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isIdentPart(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }

// isKeywordBeforeExpr reports whether a '/' after word starts a regular
// expression ("return /x/"), not a division ("a / b").
func isKeywordBeforeExpr(word string) bool {
	switch word {
	case "return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else", "yield", "await":
		return true
	}
	return false
}

// lineStarts returns the offset at which each line of src starts.
func lineStarts(src []byte) []int {
	out := []int{0}
	for i, c := range src {
		if c == '\n' {
			out = append(out, i+1)
		}
	}
	return out
}

// position converts a byte offset to a 1-based line and column.
func position(lines []int, off int) (line, col int) {
	lo, hi := 0, len(lines)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if lines[mid] <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo + 1, off - lines[lo] + 1
}
