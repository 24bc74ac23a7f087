package isolation

import (
	"encoding/json"
	"fmt"
)

// Request is the sealed content of an envelope. Args is raw JSON and may be
// empty or absent; Open reports a JSON null as absent.
type Request struct {
	Seq  uint64          `json:"seq"`
	ID   uint64          `json:"id"`
	Cmd  string          `json:"cmd"`
	Args json.RawMessage `json:"args,omitempty"`
}

// parseRequest decodes an authenticated plaintext strictly (see the package
// documentation for the rules). It is a hand-written single pass because it
// runs on every invoke: the common case costs one allocation, for Cmd, and
// Args aliases b.
func parseRequest(b []byte) (Request, error) {
	var req Request
	p := reqParser{b: b}
	p.ws()
	if !p.eat('{') {
		return req, malformed("plaintext is not a JSON object")
	}
	const (
		hasSeq = 1 << iota
		hasID
		hasCmd
		hasArgs
	)
	var seen uint8
	p.ws()
	if !p.eat('}') {
		for {
			p.ws()
			key, escaped, err := p.str()
			if err != nil {
				return req, err
			}
			if escaped {
				name, err := unquote(b[p.last:p.i])
				if err != nil {
					return req, err
				}
				key = []byte(name)
			}
			p.ws()
			if !p.eat(':') {
				return req, malformed("expected ':' after object key")
			}
			p.ws()
			var bit uint8
			switch string(key) { // compared without allocating
			case "seq":
				bit = hasSeq
				req.Seq, err = p.uint("seq")
			case "id":
				bit = hasID
				req.ID, err = p.uint("id")
			case "cmd":
				bit = hasCmd
				req.Cmd, err = p.cmd()
			case "args":
				bit = hasArgs
				req.Args, err = p.value()
			default:
				return req, malformed(fmt.Sprintf("unknown field %q", clip(key)))
			}
			if err != nil {
				return req, err
			}
			if seen&bit != 0 {
				return req, malformed(fmt.Sprintf("duplicate field %q", key))
			}
			seen |= bit
			p.ws()
			if p.eat(',') {
				continue
			}
			if p.eat('}') {
				break
			}
			return req, malformed("expected ',' or '}' in object")
		}
	}
	p.ws()
	if p.i != len(b) {
		return req, malformed("trailing data after request")
	}
	switch {
	case seen&hasCmd == 0 || req.Cmd == "":
		return req, malformed("missing cmd")
	case seen&hasSeq == 0 || req.Seq == 0:
		return req, malformed("seq must start at 1")
	}
	if string(req.Args) == "null" {
		req.Args = nil
	}
	return req, nil
}

// malformed wraps ErrMalformed with a reason about the plaintext.
func malformed(why string) error {
	return fmt.Errorf("%w: %s", ErrMalformed, why)
}

// unquote decodes a JSON string literal (with quotes) that has escapes.
func unquote(lit []byte) (string, error) {
	var s string
	if err := json.Unmarshal(lit, &s); err != nil {
		return "", malformed("bad string escape")
	}
	return s, nil
}

// reqParser is a cursor over the plaintext.
type reqParser struct {
	b    []byte
	i    int
	last int // start of the last string literal, at its opening quote
}

func (p *reqParser) ws() { p.i = skipWS(p.b, p.i) }

func (p *reqParser) eat(c byte) bool {
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

// str scans a JSON string literal and returns its raw contents (between
// the quotes) and whether it contains escapes.
func (p *reqParser) str() (raw []byte, escaped bool, err error) {
	p.last = p.i
	end, escaped := strEnd(p.b, p.i)
	if end < 0 {
		return nil, false, malformed("bad string")
	}
	p.i = end
	return p.b[p.last+1 : end-1], escaped, nil
}

// uint parses a non-negative JSON integer that fits in a uint64.
func (p *reqParser) uint(field string) (uint64, error) {
	start := p.i
	var v uint64
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		d := uint64(p.b[p.i] - '0')
		if v > (1<<64-1-d)/10 {
			return 0, malformed(field + " overflows 64 bits")
		}
		v = v*10 + d
		p.i++
	}
	n := p.i - start
	switch {
	case n == 0:
		return 0, malformed(field + " must be a non-negative integer")
	case n > 1 && p.b[start] == '0':
		return 0, malformed(field + " has a leading zero")
	}
	if p.i < len(p.b) {
		switch p.b[p.i] {
		case '.', 'e', 'E':
			return 0, malformed(field + " must be a non-negative integer")
		}
	}
	return v, nil
}

// cmd parses the cmd string.
func (p *reqParser) cmd() (string, error) {
	raw, escaped, err := p.str()
	if err != nil {
		return "", err
	}
	if escaped {
		s, err := unquote(p.b[p.last:p.i])
		if err != nil {
			return "", err
		}
		return s, nil
	}
	return string(raw), nil
}

// value validates any JSON value and returns it.
func (p *reqParser) value() (json.RawMessage, error) {
	end := valueEnd(p.b, p.i)
	if end < 0 {
		return nil, malformed("args are not valid JSON")
	}
	raw := p.b[p.i:end]
	p.i = end
	return raw, nil
}
