package lint

import (
	"strconv"
	"strings"
	"testing"
)

func TestScanHTML(t *testing.T) {
	t.Parallel()
	page := "<!doctype html>\n<!-- <script>x()</script> -->\n<button title='a > b' ONCLICK=\"go()\">Go</button>\n" +
		"<script src=app.js></script>\n<script type=\"application/json\">{\"a\": 1}</script>\n" +
		"<SCRIPT>\n warden.invoke('log')\n</script>\n<script> </script>\n<p onx>"
	got := scanHTML([]byte(page))
	var desc []string
	lines := lineStarts([]byte(page))
	for _, s := range got {
		l, c := position(lines, s.offset)
		desc = append(desc, strings.Join([]string{s.handler, string(s.body)}, "|")+"@"+strconv.Itoa(l)+":"+strconv.Itoa(c))
	}
	want := []string{"onclick|@3:23", "|\n warden.invoke('log')\n@6:1", "onx|@10:4"}
	if strings.Join(desc, ",") != strings.Join(want, ",") {
		t.Errorf("scanHTML = %q, want %q", desc, want)
	}
}

func TestCSPHazards(t *testing.T) {
	t.Parallel()
	for policy, want := range map[string]int{
		"default-src 'self'; img-src 'self' data:":                 0,
		"img-src *; style-src 'unsafe-inline'":                     0, // not code
		"script-src 'self' 'unsafe-eval' 'unsafe-inline'":          2,
		"Script-Src HTTPS: ; connect-src wss://x.example *.cdn.io": 3,
		"connect-src 'unsafe-inline'":                              0,
	} {
		if got := cspHazards(policy); len(got) != want {
			t.Errorf("cspHazards(%q) = %q, want %d", policy, got, want)
		}
	}
}

func FuzzScanHTML(f *testing.F) {
	f.Add([]byte("<script>warden.invoke('x')</script><a onclick=x>"))
	f.Add([]byte("<!-- <script"))
	f.Add([]byte("<p a='>"))
	f.Fuzz(func(t *testing.T, page []byte) {
		for _, s := range scanHTML(page) {
			if s.offset < 0 || s.offset >= len(page) || s.bodyOffset < 0 || s.bodyOffset > len(page) ||
				(s.body != nil && s.bodyOffset+len(s.body) > len(page)) {
				t.Fatalf("out of range: %+v in %d bytes", s, len(page))
			}
		}
		cspHazards(string(page))
	})
}
