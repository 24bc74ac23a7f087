package strictjson

import (
	"fmt"
	"unicode/utf8"
)

// Error is one problem in a document. Field is the JSON path of the value
// ("backend.timeout_ms", "plugins[2].id"; empty for the document itself);
// Line and Column are 1-based, columns counting characters as editors show
// them, and 0 when the position is not known.
type Error struct {
	Field        string
	Line, Column int
	Msg          string
}

// Error renders the problem as "3:5: backend.timeout_ms: must be a string,
// got a number". Callers usually convert it to their own error type, which
// names the file.
func (e *Error) Error() string {
	s := ""
	if e.Line > 0 {
		s = fmt.Sprintf("%d:%d: ", e.Line, e.Column)
	}
	if e.Field != "" {
		s += e.Field + ": "
	}
	return s + e.Msg
}

// LineCol converts a byte offset in data to a 1-based line and column; the
// column counts characters. Offsets outside data are clamped. It scans data
// up to off, so it costs O(off).
func LineCol(data []byte, off int) (line, col int) {
	off = max(0, min(off, len(data)))
	line, start := 1, 0
	for i := 0; i < off; i++ {
		if data[i] == '\n' {
			line++
			start = i + 1
		}
	}
	return line, utf8.RuneCount(data[start:off]) + 1
}
