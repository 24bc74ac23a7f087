package lint

import (
	"bytes"
	"strings"
)

// scriptDirectives are the directives that govern which code a page runs
// or where it connects; default-src stands for each when it is absent.
var scriptDirectives = map[string]bool{
	"default-src": true, "script-src": true, "script-src-elem": true, "script-src-attr": true,
	"worker-src": true, "connect-src": true, "child-src": true, "frame-src": true, "object-src": true,
}

// cspHazards names what in policy would weaken Warden's default policy for
// a page's code: 'unsafe-eval', 'unsafe-inline' scripts, wildcards, and
// remote script or connect sources. Each entry is one phrase for a
// message. It reads the policy as a browser would split it (';' between
// directives, white space between sources) and never fails. Cost: one
// pass over policy.
func cspHazards(policy string) []string {
	var out []string
	for part := range strings.SplitSeq(policy, ";") {
		fields := strings.Fields(part)
		if len(fields) == 0 {
			continue
		}
		dir := strings.ToLower(fields[0])
		if !scriptDirectives[dir] {
			continue
		}
		for _, src := range fields[1:] {
			if h := sourceHazard(dir, strings.ToLower(src)); h != "" {
				out = append(out, h)
			}
		}
	}
	return out
}

// sourceHazard says why src in directive dir is a hazard, or "".
func sourceHazard(dir, src string) string {
	switch {
	case src == "'unsafe-eval'" || src == "'wasm-unsafe-eval'":
		return dir + " " + src + " lets the page run strings as code (eval, new Function)"
	case src == "'unsafe-inline'" || src == "'unsafe-hashes'":
		if dir == "connect-src" || dir == "frame-src" || dir == "child-src" || dir == "object-src" {
			return ""
		}
		return dir + " " + src + " runs inline scripts and event handler attributes, the way injected markup runs code"
	case src == "*" || strings.HasPrefix(src, "*."):
		return dir + " " + src + " is a wildcard that allows any origin"
	case src == "http:" || src == "https:" || src == "ws:" || src == "wss:" || src == "data:" || src == "blob:" || src == "filesystem:":
		return dir + " " + src + " allows every source of that scheme"
	case strings.Contains(src, "://") || (!strings.HasPrefix(src, "'") && strings.Contains(src, ".")):
		what := "loads code from"
		if dir == "connect-src" {
			what = "connects to"
		}
		return dir + " " + src + " " + what + " a remote origin; plugin pages have no network, so fetch through the http permission (warden.invoke(\"http.fetch\")) instead"
	}
	return ""
}

// inlineScript is an inline script or event handler attribute in a page.
type inlineScript struct {
	// offset is where the <script> tag or the attribute starts.
	offset int
	// handler is the attribute's name ("onclick"), or "" for a script.
	handler string
	// body is the script's text; for a handler it is empty.
	body []byte
	// bodyOffset is where body starts.
	bodyOffset int
}

// scanHTML finds the inline scripts and event handler attributes of an
// HTML page, without parsing it fully: tags are read from '<' to '>',
// quoted attribute values may hold '>', comments are skipped, and the
// text of a <script> runs to the next "</script". A <script> with src, or
// with a type that is not JavaScript (a JSON block, a template), is not
// inline code. Cost: one pass over page.
func scanHTML(page []byte) []inlineScript {
	var out []inlineScript
	lower := asciiLower(page)
	for i := 0; i < len(page); {
		lt := indexFrom(lower, "<", i)
		if lt < 0 {
			break
		}
		if bytes.HasPrefix(lower[lt:], []byte("<!--")) {
			end := indexFrom(lower, "-->", lt+4)
			if end < 0 {
				break
			}
			i = end + 3
			continue
		}
		end, attrs := readTag(lower, lt)
		name := tagName(lower, lt)
		for _, a := range attrs {
			if strings.HasPrefix(a.name, "on") && len(a.name) > 2 {
				out = append(out, inlineScript{offset: a.offset, handler: a.name})
			}
		}
		i = end
		if name != "script" {
			continue
		}
		close := indexFrom(lower, "</script", end)
		if close < 0 {
			close = len(page)
		}
		if !hasAttr(attrs, "src") && isJavaScriptType(attrValue(page, attrs, "type")) && strings.TrimSpace(string(page[end:close])) != "" {
			out = append(out, inlineScript{offset: lt, body: page[end:close], bodyOffset: end})
		}
		i = close
	}
	return out
}

// attr is one attribute of a tag: its lower-case name, where it starts,
// and where its value lies in the page (vStart == vEnd when it has none).
type attr struct {
	name         string
	offset       int
	vStart, vEnd int
}

// readTag reads the tag starting at lt and returns the offset after its
// '>' and its attributes.
func readTag(lower []byte, lt int) (end int, attrs []attr) {
	i := lt + 1
	for i < len(lower) && !isSpace(lower[i]) && lower[i] != '>' {
		i++
	}
	for i < len(lower) {
		for i < len(lower) && (isSpace(lower[i]) || lower[i] == '/') {
			i++
		}
		if i >= len(lower) || lower[i] == '>' {
			return min(i+1, len(lower)), attrs
		}
		a := attr{offset: i}
		for i < len(lower) && !isSpace(lower[i]) && lower[i] != '=' && lower[i] != '>' {
			i++
		}
		a.name = string(lower[a.offset:i])
		for i < len(lower) && isSpace(lower[i]) {
			i++
		}
		if i < len(lower) && lower[i] == '=' {
			i++
			for i < len(lower) && isSpace(lower[i]) {
				i++
			}
			if i < len(lower) && (lower[i] == '"' || lower[i] == '\'') {
				q := lower[i]
				a.vStart = i + 1
				e := indexFrom(lower, string(q), i+1)
				if e < 0 {
					e = len(lower)
				}
				a.vEnd = e
				i = min(e+1, len(lower))
			} else {
				a.vStart = i
				for i < len(lower) && !isSpace(lower[i]) && lower[i] != '>' {
					i++
				}
				a.vEnd = i
			}
		} else {
			a.vStart, a.vEnd = i, i
		}
		attrs = append(attrs, a)
	}
	return len(lower), attrs
}

// tagName returns the lower-case name of the tag at lt.
func tagName(lower []byte, lt int) string {
	i := lt + 1
	for i < len(lower) && (lower[i] >= 'a' && lower[i] <= 'z' || lower[i] >= '0' && lower[i] <= '9') {
		i++
	}
	return string(lower[lt+1 : i])
}

func hasAttr(attrs []attr, name string) bool {
	for _, a := range attrs {
		if a.name == name {
			return true
		}
	}
	return false
}

func attrValue(page []byte, attrs []attr, name string) string {
	for _, a := range attrs {
		if a.name == name {
			return string(page[a.vStart:a.vEnd])
		}
	}
	return ""
}

// isJavaScriptType reports whether a <script type> runs as JavaScript.
func isJavaScriptType(t string) bool {
	switch strings.ToLower(strings.TrimSpace(t)) {
	case "", "module", "text/javascript", "application/javascript", "text/ecmascript", "application/ecmascript":
		return true
	}
	return false
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

// indexFrom returns the index of sub in b at or after from, or -1.
func indexFrom(b []byte, sub string, from int) int {
	if from > len(b) {
		return -1
	}
	if k := bytes.Index(b[from:], []byte(sub)); k >= 0 {
		return from + k
	}
	return -1
}

// asciiLower returns a copy of b with ASCII letters in lower case; other
// bytes, and so every offset, stay as they are.
func asciiLower(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}
