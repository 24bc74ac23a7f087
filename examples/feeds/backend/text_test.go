package main

import (
	"strings"
	"testing"
	"time"
)

func TestHTMLText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"<p>a</p><p>b</p>", "a b"},
		{"x <script>alert('<p>')</script> y", "x y"},
		{"x <SCRIPT type=a>alert(1)</ScRiPt> y <style>p{}</style>z", "x y z"},
		{"unclosed <script>alert(1)", "unclosed"},
		{"a &amp; b &lt;i&gt; &eacute; &#x41;", "a & b <i> é A"},
		{"cut <b", "cut"},
		{"  lots \n\t of   space ", "lots of space"},
		{"ctl\x01\x7f", "ctl"},
	}
	for _, tt := range tests {
		if got := htmlText(tt.in); got != tt.want {
			t.Errorf("htmlText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// Many script elements cost linear time.
	in := strings.Repeat("<script>x</script>", 100000)
	start := time.Now()
	if got := htmlText(in); got != "" {
		t.Errorf("scripts only: %q", got)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("%d bytes of scripts took %v", len(in), d)
	}
}

func TestClip(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly", 7, "exactly"},
		{"a longer text", 8, "a longe…"},
		{"ééééé", 3, "éé…"},
		{"cut at space here", 5, "cut…"},
	}
	for _, tt := range tests {
		if got := clip(tt.in, tt.n); got != tt.want {
			t.Errorf("clip(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Mon, 02 Jan 2006 15:04:05 -0700", "2006-01-02T22:04:05Z"},
		{"Mon, 2 Jan 2006 15:04:05 GMT", "2006-01-02T15:04:05Z"},
		{"Tue, 10 Jun 2003 04:00 +0000", "2003-06-10T04:00:00Z"},
		{"10 Jun 2003 04:00:00 +0200", "2003-06-10T02:00:00Z"},
		{" 2024-05-01T10:00:00+02:00 ", "2024-05-01T08:00:00Z"},
		{"2024-05-01T10:00:00.123Z", "2024-05-01T10:00:00Z"},
		{"2024-05-01", "2024-05-01T00:00:00Z"},
		{"yesterday", ""},
		{"", ""},
		{strings.Repeat("9", 100), ""},
	}
	for _, tt := range tests {
		if got := parseDate(tt.in); got != tt.want {
			t.Errorf("parseDate(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
