package warden

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode/utf8"
)

// devTerm writes warden dev's lines to the developer's terminal. It is
// safe for concurrent use: the page's console arrives on the window's
// reader goroutine, everything else on the dev loop's.
type devTerm struct {
	mu  sync.Mutex
	out io.Writer
	id  string // the plugin's
}

// say writes one line of warden dev's own.
func (t *devTerm) say(format string, args ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fmt.Fprintf(t.out, "warden dev: "+format+"\n", args...)
}

// detail writes text (a compiler's output, a manifest's errors) indented
// under the last line, made safe for a terminal.
func (t *devTerm) detail(text string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for line := range strings.SplitSeq(strings.TrimRight(text, "\n"), "\n") {
		fmt.Fprintf(t.out, "    %s\n", terminalSafe(line))
	}
}

// console writes one console message of the plugin's page: "[id] level
// text", its location shortened to the file's path in the plugin. The
// text is the page's, so control characters are shown escaped rather than
// sent to the terminal, where an escape sequence could rewrite the screen
// or the window title; a line break starts an indented line.
func (t *devTerm) console(level, text string) {
	text = strings.TrimPrefix(text, "plugin://"+t.id+"/")
	t.mu.Lock()
	defer t.mu.Unlock()
	for i, line := range strings.Split(text, "\n") {
		if i == 0 {
			fmt.Fprintf(t.out, "[%s] %s %s\n", t.id, level, terminalSafe(line))
		} else {
			fmt.Fprintf(t.out, "[%s]     %s\n", t.id, terminalSafe(line))
		}
	}
}

// terminalSafe returns s with every control character but tab (C0, DEL
// and C1) written as a \x escape and invalid UTF-8 as U+FFFD, so that it
// prints as text.
func terminalSafe(s string) string {
	if !strings.ContainsFunc(s, unsafeRune) && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unsafeRune(r) {
			fmt.Fprintf(&b, `\x%02x`, r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// unsafeRune reports whether a terminal would act on r rather than show
// it (range over a string yields U+FFFD for invalid bytes, which shows).
func unsafeRune(r rune) bool {
	return (r < 0x20 && r != '\t') || (r >= 0x7f && r < 0xa0)
}
