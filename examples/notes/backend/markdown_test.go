package main

import (
	"fmt"
	"html"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestRenderMarkdown(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", ""},
		{"paragraph", "Buy milk", "<p>Buy milk</p>\n"},
		{"soft break kept", "one\ntwo", "<p>one\ntwo</p>\n"},
		{"paragraphs", "one\n\n\ntwo\r\nthree", "<p>one</p>\n<p>two\nthree</p>\n"},
		{"headings", "# One\n## Two ##\n###### Six\n####### seven", "<h1>One</h1>\n<h2>Two</h2>\n<h6>Six</h6>\n<p>####### seven</p>\n"},
		{"hash without space", "#tag", "<p>#tag</p>\n"},
		{"emphasis", "*a* _b_ **c** __d__ ***e***", "<p><em>a</em> <em>b</em> <strong>c</strong> <strong>d</strong> <em><strong>e</strong></em></p>\n"},
		{"nested emphasis", "*a **b** c*", "<p><em>a <strong>b</strong> c</em></p>\n"},
		{"intraword underscore", "snake_case_name and 2*3*4", "<p>snake_case_name and 2<em>3</em>4</p>\n"},
		{"space after opener", "a * b * c", "<p>a * b * c</p>\n"},
		{"crossed delimiters stay text", "*a _b* c_", "<p><em>a _b</em> c_</p>\n"},
		{"code span", "use `fmt.Println` here", "<p>use <code>fmt.Println</code> here</p>\n"},
		{"code span keeps markup", "`*a* <b> [x](y)`", "<p><code>*a* &lt;b&gt; [x](y)</code></p>\n"},
		{"code span with backticks", "`` a`b ``", "<p><code>a`b</code></p>\n"},
		{"escapes", `\*not em\* \[not link\]`, "<p>*not em* [not link]</p>\n"},
		{"fenced code", "```go\nx := 1 < 2\n```\nafter", "<pre><code>x := 1 &lt; 2\n</code></pre>\n<p>after</p>\n"},
		{"tilde fence", "~~~\n*a*\n~~~", "<pre><code>*a*\n</code></pre>\n"},
		{"indented code", "para\n\n    code\n\tmore\n\nafter", "<p>para</p>\n<pre><code>code\nmore\n</code></pre>\n<p>after</p>\n"},
		{"bullet list", "- a\n- b\n* c", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n<ul>\n<li>c</li>\n</ul>\n"},
		{"ordered list", "1. one\n2. two\n10) ten", "<ol>\n<li>one</li>\n<li>two</li>\n</ol>\n<ol>\n<li>ten</li>\n</ol>\n"},
		{"nested list", "- a\n  - b\n    1. c\n- d", "<ul>\n<li>a\n<ul>\n<li>b\n<ol>\n<li>c</li>\n</ol>\n</li>\n</ul>\n</li>\n<li>d</li>\n</ul>\n"},
		{"loose list", "- a\n\n- b", "<ul>\n<li><p>a</p>\n</li>\n<li><p>b</p>\n</li>\n</ul>\n"},
		{"lazy item line", "- a\nb", "<ul>\n<li>a\nb</li>\n</ul>\n"},
		{"number in text", "in\n2020. it rained", "<p>in\n2020. it rained</p>\n"},
		{"quote", "> a\nb\n> > c", "<blockquote>\n<p>a\nb</p>\n<blockquote>\n<p>c</p>\n</blockquote>\n</blockquote>\n"},
		{"rules", "---\n* * *\n___", "<hr>\n<hr>\n<hr>\n"},
		{"link", "[Go](https://go.dev/doc/)", "<p><a href=\"https://go.dev/doc/\">Go</a></p>\n"},
		{"link with title", `[Go](https://go.dev "The Go site")`, "<p><a href=\"https://go.dev\">Go</a></p>\n"},
		{"link with parens", "[w](https://en.wikipedia.org/wiki/Go_(game))", "<p><a href=\"https://en.wikipedia.org/wiki/Go_(game)\">w</a></p>\n"},
		{"link in angle brackets", "[a](<https://x.org/a b>)", "<p><a href=\"https://x.org/a%20b\">a</a></p>\n"},
		{"link with emphasis", "[*a*](http://x.org)", "<p><a href=\"http://x.org\"><em>a</em></a></p>\n"},
		{"mailto", "[me](mailto:me@example.com)", "<p><a href=\"mailto:me@example.com\">me</a></p>\n"},
		{"query escaped", "[q](https://x.org/?a=1&b=2)", "<p><a href=\"https://x.org/?a=1&amp;b=2\">q</a></p>\n"},
		{"autolink", "<https://go.dev>", "<p><a href=\"https://go.dev\">https://go.dev</a></p>\n"},
		{"image is a link", "![cat](https://x.org/cat.png)", "<p>!<a href=\"https://x.org/cat.png\">cat</a></p>\n"},
		{"relative link is text", "[home](/index.html)", "<p>home</p>\n"},
		{"ampersand", "fish & chips &amp;", "<p>fish &amp; chips &amp;amp;</p>\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := renderMarkdown(tt.in)
			if got != tt.want {
				t.Errorf("renderMarkdown(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
			if err := checkHTML(got); err != nil {
				t.Errorf("output %q: %v", got, err)
			}
		})
	}
}

// TestRenderHostile feeds inputs written to break out of the markup: none
// may produce a tag, attribute or URL outside the allow-list.
func TestRenderHostile(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"script tag", "<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"},
		{"img onerror", `<img src=x onerror="alert(1)">`, "<p>&lt;img src=x onerror=&#34;alert(1)&#34;&gt;</p>\n"},
		{"html block", "<div>\n<iframe src=//evil></iframe>\n</div>", "<p>&lt;div&gt;\n&lt;iframe src=//evil&gt;&lt;/iframe&gt;\n&lt;/div&gt;</p>\n"},
		{"javascript link", "[x](javascript:alert(1))", "<p>x</p>\n"},
		{"javascript mixed case", "[x](JaVaScRiPt:alert(1))", "<p>x</p>\n"},
		{"javascript escaped colon", `[x](javascript\:alert(1))`, "<p>x</p>\n"},
		{"javascript entity colon", "[x](javascript&#58;alert(1))", "<p>x</p>\n"},
		{"javascript with tab", "[x](<java\tscript:alert(1)>)", "<p>x</p>\n"},
		{"data url", "[x](data:text/html;base64,PHNjcmlwdD4=)", "<p>x</p>\n"},
		{"vbscript", "[x](vbscript:msgbox)", "<p>x</p>\n"},
		{"protocol relative", "[x](//evil.example/)", "<p>x</p>\n"},
		{"javascript autolink", "<javascript:alert(1)>", "<p>&lt;javascript:alert(1)&gt;</p>\n"},
		{"quote breaks out of href", `[x](http://a.org/" onmouseover="alert(1))`, "<p>[x](http://a.org/&#34; onmouseover=&#34;alert(1))</p>\n"},
		{"quote in url", `[x](http://a.org/"onmouseover="alert(1))`, "<p><a href=\"http://a.org/&#34;onmouseover=&#34;alert(1)\">x</a></p>\n"},
		{"quote in angle url", `[x](<http://a.org/" onmouseover="x>)`, "<p><a href=\"http://a.org/&#34;%20onmouseover=&#34;x\">x</a></p>\n"},
		{"quote in title", `[x](http://a.org "a" onclick="b")`, "<p>[x](http://a.org &#34;a&#34; onclick=&#34;b&#34;)</p>\n"},
		{"tag in link text", "[<b onclick=x>](https://a.org)", "<p><a href=\"https://a.org\">&lt;b onclick=x&gt;</a></p>\n"},
		{"nested brackets", "[a [b](https://in.org) c](https://out.org)", "<p><a href=\"https://out.org\">a [b](https://in.org) c</a></p>\n"},
		{"autolink inside link", "[<https://in.org>](https://out.org)", "<p><a href=\"https://out.org\">&lt;https://in.org&gt;</a></p>\n"},
		{"unmatched brackets", "[[[a](https://x.org)", "<p>[[<a href=\"https://x.org\">a</a></p>\n"},
		{"unclosed link", "[a](https://x.org", "<p>[a](https://x.org</p>\n"},
		{"unclosed title", `[a](https://x.org "t`, "<p>[a](https://x.org &#34;t</p>\n"},
		{"unclosed code span", "`<b>", "<p>`&lt;b&gt;</p>\n"},
		{"unclosed fence", "```\n<script>", "<pre><code>&lt;script&gt;\n</code></pre>\n"},
		{"unclosed emphasis", "**<i>", "<p>**&lt;i&gt;</p>\n"},
		{"unclosed angle", "<https://x.org", "<p>&lt;https://x.org</p>\n"},
		{"heading with tag", "# <h1>x</h1>", "<h1>&lt;h1&gt;x&lt;/h1&gt;</h1>\n"},
		{"code block fence info", "```\"><script>\nx\n```", "<pre><code>x\n</code></pre>\n"},
		{"NUL and bad UTF-8", "a\x00b\xffc", "<p>a\uFFFDb\uFFFDc</p>\n"},
		{"comment", "<!-- x --> <![CDATA[y]]>", "<p>&lt;!-- x --&gt; &lt;![CDATA[y]]&gt;</p>\n"},
		{"entity passthrough", "&lt;script&gt;", "<p>&amp;lt;script&amp;gt;</p>\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := renderMarkdown(tt.in)
			if got != tt.want {
				t.Errorf("renderMarkdown(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
			if err := checkHTML(got); err != nil {
				t.Errorf("output %q: %v", got, err)
			}
		})
	}
}

func TestSafeHref(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"https://go.dev/", true},
		{"HTTP://go.dev", true},
		{"mailto:a@b.org", true},
		{"http:go.dev", false},
		{"http://", false},
		{"https:///path", false},
		{"mailto:", false},
		{"javascript:alert(1)", false},
		{" javascript:alert(1)", false},
		{"java\nscript:alert(1)", false},
		{"mailto:a@b.org\tx", false},
		{"https://a.org/a b", false},
		{"https://a.org/\u2028", false},
		{"https://a.org/\u0085", false},
		{"file:///etc/passwd", false},
		{"warden://x", false},
		{"/relative", false},
		{"#frag", false},
		{"1http://x.org", false},
		{"https://x.org/" + strings.Repeat("a", maxHref), false},
	}
	for _, tt := range tests {
		if got := safeHref(tt.in); got != tt.want {
			t.Errorf("safeHref(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestRenderDepth checks that nesting deeper than maxDepth is shown as
// text, not as ever deeper markup.
func TestRenderDepth(t *testing.T) {
	for _, in := range []string{strings.Repeat(">", 10000) + " deep", nestedList(200)} {
		out := renderMarkdown(in)
		if err := checkHTML(out); err != nil {
			t.Fatal(err)
		}
		if d := maxNesting(out); d > 2*maxDepth+2 {
			t.Errorf("%.20q...: output nests %d elements deep", in, d)
		}
	}
}

func nestedList(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(strings.Repeat("  ", i) + "- x\n")
	}
	return b.String()
}

// TestRenderLinearTime renders inputs built to make a naive renderer scan
// the rest of the text at each character (unclosed brackets, code spans,
// link titles, emphasis): quadrupling an input's size must not take much
// more than four times as long (a quadratic renderer takes sixteen). The
// ratio, not a fixed time, so that the race detector's slowdown does not
// matter; each size is timed twice and the faster run counts.
func TestRenderLinearTime(t *testing.T) {
	const size = 32 << 10
	units := map[string]string{
		"brackets":    "[",
		"closed":      "[a]",
		"link titles": "[a](b (",
		"link parens": "[a](b(",
		"angle links": "[a](<b ",
		"backticks":   "`` ` ",
		"emphasis":    "*a _b ",
		"autolinks":   "<http://a",
		"quotes":      "> ",
		"lists":       "- ",
	}
	inputs := map[string]func(n int) string{
		"growing ticks": func(n int) string {
			var b strings.Builder
			for i := 1; b.Len() < n; i++ {
				b.WriteString(strings.Repeat("`", i%200+1) + "x")
			}
			return b.String()
		},
	}
	for name, unit := range units {
		inputs[name] = func(n int) string { return strings.Repeat(unit, n/len(unit)) }
	}
	timed := func(in string) time.Duration {
		best := time.Duration(math.MaxInt64)
		for range 2 {
			start := time.Now()
			out := renderMarkdown(in)
			best = min(best, time.Since(start))
			if err := checkHTML(out); err != nil {
				t.Fatal(err)
			}
		}
		return best
	}
	for name, input := range inputs {
		small, large := timed(input(size)), timed(input(4*size))
		t.Logf("%s: %v for %d KiB, %v for %d KiB", name, small, size>>10, large, 4*size>>10)
		if large > 10*small+100*time.Millisecond {
			t.Errorf("%s: %v for %d KiB but %v for four times as much: not linear", name, small, size>>10, large)
		}
	}
}

// FuzzRenderMarkdown asserts the renderer's promise on any input: the
// output holds only allow-listed tags, no attribute but a safe href, only
// escaped text, and every element is closed in order.
func FuzzRenderMarkdown(f *testing.F) {
	for _, s := range []string{
		"# h\n\n*a* **b** `c`\n\n- x\n- y\n\n1. z\n\n> q\n\n```\ncode\n```\n",
		"[x](javascript:alert(1)) <script>alert(1)</script> [y](https://a.org/\" onmouseover=\"x)",
		"[a [b] c](http://x.org) ![i](https://i.org/a.png) <https://go.dev> <mailto:a@b.org>",
		"***a** _b_* \\*c\\* `` d ` ``",
		"    indented\n\n---\n- [x](<http://a b>)\n  > nested *em*\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := renderMarkdown(in)
		if err := checkHTML(out); err != nil {
			t.Fatalf("renderMarkdown(%q) = %q: %v", in, out, err)
		}
	})
}

// TestCheckHTML makes sure the fuzz target's checker rejects what it must,
// so that a renderer that leaks markup fails it.
func TestCheckHTML(t *testing.T) {
	good := []string{
		"",
		"<p>a &amp; b &lt;c&gt; &#34;d&#39;</p>\n",
		`<ul><li><a href="https://x.org/?a=1&amp;b=2">x</a></li></ul><hr>`,
		`<a href="mailto:a@b.org">m</a>`,
	}
	bad := []string{
		"<script>",
		"<p>x",
		"</p>",
		"<p><em>x</p></em>",
		`<p class="x">`,
		"<img>",
		"<P>x</P>",
		`<a href="javascript:alert(1)">x</a>`,
		`<a href="JAVASCRIPT&#58;x">x</a>`,
		`<a href="https://x.org" onclick="y">x</a>`,
		`<a href='https://x.org'>x</a>`,
		`<a href="https://x.org/&#9;">x</a>`,
		`<a href="https://a.org"><a href="https://b.org">x</a></a>`,
		"a > b",
		"a \" b",
		"a & b",
		"&#60;",
		"<hr/>",
		"<p/>",
	}
	for _, s := range good {
		if err := checkHTML(s); err != nil {
			t.Errorf("checkHTML(%q) = %v, want nil", s, err)
		}
	}
	for _, s := range bad {
		if checkHTML(s) == nil {
			t.Errorf("checkHTML(%q) = nil, want an error", s)
		}
	}
}

// escapes are the only character references the renderer writes
// (html.EscapeString's).
var escapes = []string{"&amp;", "&lt;", "&gt;", "&#34;", "&#39;"}

// checkHTML parses out strictly as the renderer's output grammar: text
// with only the escapes above and no raw "<", ">", quote or "&"; tags from
// allowedTags written bare ("<em>", "</em>"), except "a", which has exactly
// one attribute, a double-quoted href holding an http, https or mailto URL
// with no whitespace or control character; "hr" is void; every element is
// closed in order, and links do not nest.
func checkHTML(out string) error {
	var open []string
	for i := 0; i < len(out); {
		switch out[i] {
		case '<':
			end := strings.IndexByte(out[i:], '>')
			if end < 0 {
				return fmt.Errorf("unterminated tag at %d", i)
			}
			tag := out[i+1 : i+end]
			i += end + 1
			if name, ok := strings.CutPrefix(tag, "/"); ok {
				if name == "hr" || len(open) == 0 || open[len(open)-1] != name {
					return fmt.Errorf("closing </%s> does not match the open elements %v", name, open)
				}
				open = open[:len(open)-1]
				continue
			}
			name := tag
			if rest, ok := strings.CutPrefix(tag, `a href="`); ok {
				href, ok := strings.CutSuffix(rest, `"`)
				if !ok || strings.ContainsAny(href, `"'<>`) {
					return fmt.Errorf("a tag %q: only one double-quoted href", tag)
				}
				if err := checkText(href); err != nil {
					return fmt.Errorf("href %q: %w", href, err)
				}
				url := html.UnescapeString(href)
				lower := strings.ToLower(url)
				if !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") && !strings.HasPrefix(lower, "mailto:") {
					return fmt.Errorf("href %q: not http, https or mailto", url)
				}
				if strings.IndexFunc(url, func(r rune) bool { return r <= ' ' || r >= 0x7f && r <= 0x9f }) >= 0 {
					return fmt.Errorf("href %q: has whitespace or a control character", url)
				}
				name = "a"
			} else if name == "a" {
				return fmt.Errorf("a tag without href")
			}
			if !slices.Contains(allowedTags, name) {
				return fmt.Errorf("tag %q not allowed", tag)
			}
			if name == "a" && slices.Contains(open, "a") {
				return fmt.Errorf("nested link")
			}
			if name != "hr" {
				open = append(open, name)
			}
		default:
			end := strings.IndexByte(out[i:], '<')
			if end < 0 {
				end = len(out) - i
			}
			if err := checkText(out[i : i+end]); err != nil {
				return err
			}
			i += end
		}
	}
	if len(open) > 0 {
		return fmt.Errorf("unclosed elements %v", open)
	}
	return nil
}

// checkText checks escaped text: no ">", quotes, or "&" other than the
// renderer's escapes.
func checkText(s string) error {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '>', '"', '\'':
			return fmt.Errorf("raw %q in text %q", s[i], s)
		case '&':
			ok := false
			for _, e := range escapes {
				ok = ok || strings.HasPrefix(s[i:], e)
			}
			if !ok {
				return fmt.Errorf("raw & in text %q", s)
			}
		}
	}
	return nil
}

// maxNesting returns how deep elements nest in out, which checkHTML
// accepted.
func maxNesting(out string) int {
	depth, deepest := 0, 0
	for i := 0; i < len(out); i++ {
		if out[i] != '<' {
			continue
		}
		switch {
		case strings.HasPrefix(out[i:], "</"):
			depth--
		case strings.HasPrefix(out[i:], "<hr>"):
		default:
			depth++
			deepest = max(deepest, depth)
		}
	}
	return deepest
}
