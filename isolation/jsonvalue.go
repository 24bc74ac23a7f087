package isolation

import "unicode/utf8"

// maxArgsDepth bounds the nesting of args. It is far below encoding/json's
// own limit, so anything accepted here decodes there too.
const maxArgsDepth = 1000

// strEnd scans the JSON string literal whose opening quote is at b[i] and
// returns the index just past its closing quote and whether it contains
// escapes, or -1. It rejects bad escapes, control characters and invalid
// UTF-8.
func strEnd(b []byte, i int) (end int, escaped bool) {
	if i >= len(b) || b[i] != '"' {
		return -1, false
	}
	i++
	for i < len(b) {
		c := b[i]
		switch {
		case c == '"':
			return i + 1, escaped
		case c < 0x20:
			return -1, false
		case c == '\\':
			escaped = true
			if i+1 >= len(b) {
				return -1, false
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+5 >= len(b) || !isHex(b[i+2]) || !isHex(b[i+3]) || !isHex(b[i+4]) || !isHex(b[i+5]) {
					return -1, false
				}
				i += 6
			default:
				return -1, false
			}
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && size == 1 {
				return -1, false
			}
			i += size
		}
	}
	return -1, false
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func skipWS(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// numberEnd scans a JSON number starting at b[i] and returns the index just
// past it, or -1.
func numberEnd(b []byte, i int) int {
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	default:
		return -1
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || !isDigit(b[i]) {
			return -1
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || !isDigit(b[i]) {
			return -1
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	return i
}

// literalEnd matches lit at b[i] and returns the index just past it, or -1.
func literalEnd(b []byte, i int, lit string) int {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return -1
	}
	return i + len(lit)
}

// valueEnd validates the JSON value starting at b[i] (no leading
// whitespace) and returns the index just past it, or -1. It is iterative,
// with nesting bounded by maxArgsDepth, and allocates only past 64 levels.
func valueEnd(b []byte, i int) int {
	var stackBuf [64]byte
	stack := stackBuf[:0] // open containers: '{' or '['
	for {
		// A value is expected at b[i].
		if i >= len(b) {
			return -1
		}
		switch c := b[i]; {
		case c == '{' || c == '[':
			if len(stack) == maxArgsDepth {
				return -1
			}
			closer := byte('}')
			if c == '[' {
				closer = ']'
			}
			j := skipWS(b, i+1)
			if j < len(b) && b[j] == closer {
				i = j + 1
				break
			}
			stack = append(stack, c)
			if c == '{' {
				if i = memberStart(b, j); i < 0 {
					return -1
				}
			} else {
				i = j
			}
			continue
		case c == '"':
			i, _ = strEnd(b, i)
		case c == '-' || isDigit(c):
			i = numberEnd(b, i)
		case c == 't':
			i = literalEnd(b, i, "true")
		case c == 'f':
			i = literalEnd(b, i, "false")
		case c == 'n':
			i = literalEnd(b, i, "null")
		default:
			return -1
		}
		if i < 0 {
			return -1
		}
		// A value ended: close containers or move to the next element.
		for {
			if len(stack) == 0 {
				return i
			}
			i = skipWS(b, i)
			if i >= len(b) {
				return -1
			}
			top := stack[len(stack)-1]
			if b[i] == ',' {
				if top == '{' {
					i = memberStart(b, skipWS(b, i+1))
				} else {
					i = skipWS(b, i+1)
				}
				if i < 0 {
					return -1
				}
				break
			}
			if top == '{' && b[i] == '}' || top == '[' && b[i] == ']' {
				stack = stack[:len(stack)-1]
				i++
				continue
			}
			return -1
		}
	}
}

// memberStart scans `"key" :` at b[i] and returns the index of the member's
// value (whitespace skipped), or -1.
func memberStart(b []byte, i int) int {
	i, _ = strEnd(b, i)
	if i < 0 {
		return -1
	}
	i = skipWS(b, i)
	if i >= len(b) || b[i] != ':' {
		return -1
	}
	return skipWS(b, i+1)
}
