package audit

import "unicode/utf8"

// bounded returns e with every text field cut to MaxField bytes.
func bounded(e Entry) Entry {
	e.Plugin = cut(e.Plugin)
	e.Launch = cut(e.Launch)
	e.Cmd = cut(e.Cmd)
	e.Reason = cut(e.Reason)
	e.Detail = cut(e.Detail)
	return e
}

// cut shortens s to at most MaxField bytes without splitting a UTF-8
// sequence, marking the cut with an ellipsis.
func cut(s string) string {
	if len(s) <= MaxField {
		return s
	}
	const mark = "…"
	n := MaxField - len(mark)
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + mark
}
