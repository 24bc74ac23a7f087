package jsonwire

import (
	"bytes"
	"encoding/json"
	"testing"
)

// samples cover every escape: quotes, backslashes, each control character,
// HTML characters, DEL, line and paragraph separators, invalid and
// truncated UTF-8, and plain text around them.
var samples = []string{
	"", "plain", `"quoted"`, `back\slash`, "\b\f\n\r\t", "\x00\x01\x1f", "\x7f",
	"<script>&amp;</script>", "é ü 日本 🙂", "\u2028\u2029", "a\xffb", "\xe6\x97", "\xed\xa0\x80",
	"tail\xf0\x9f\x99", "mixed \"<\u2028\xff\x01>\" end",
}

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range samples {
		want, _ := json.Marshal(s)
		if got := AppendString(nil, s); !bytes.Equal(got, want) {
			t.Errorf("AppendString(%q) = %s, want %s", s, got, want)
		}
	}
}

func TestAppendStringAppends(t *testing.T) {
	if got := string(AppendString([]byte(`{"m":`), "x<y")); got != `{"m":"x\u003cy"` {
		t.Errorf("got %s", got)
	}
}

func TestAppendStringAllocations(t *testing.T) {
	buf := make([]byte, 0, 256)
	s := "a message with \"quotes\", <html> & \n newlines"
	if n := testing.AllocsPerRun(100, func() { AppendString(buf[:0], s) }); n != 0 {
		t.Errorf("%v allocations with room in b, want 0", n)
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range samples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := AppendString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("AppendString(%q) = %s, want %s", s, got, want)
		}
	})
}

func BenchmarkAppendString(b *testing.B) {
	buf := make([]byte, 0, 256)
	for _, s := range []string{"permission storage not granted", "a <message> with \"escapes\"\n"} {
		b.Run("", func(b *testing.B) {
			for b.Loop() {
				buf = AppendString(buf[:0], s)
			}
		})
	}
}
