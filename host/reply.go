package host

import (
	"encoding/json"
	"errors"
	"strconv"
	"unicode/utf8"

	"github.com/wardenhq/warden/internal/jsonwire"
)

// ErrReplyTooLarge is the failure of a request whose result is larger than
// one reply may be (Limits.MaxReply); its reply code is reply_too_large.
// The request ran: a storage.set or an http POST took effect.
var ErrReplyTooLarge = errors.New("reply too large")

// replyOverhead is what a reply adds around its result: the id, "ok" and
// the braces.
const replyOverhead = 64

// maxMessage bounds a reply's error message: it is for people, and a long
// one (a backend's own error, say) must not make the reply too large.
const maxMessage = 4 << 10

// clip cuts s to at most max bytes at a character boundary, marking the cut.
func clip(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// Reply is the core's answer to one invoke, as sent back to the plugin's UI.
// Exactly one of Result and Error is set.
type Reply struct {
	// ID echoes the request id so the UI can settle the right promise; it is
	// zero when the envelope could not be opened.
	ID     uint64          `json:"id"`
	OK     bool            `json:"ok"`
	Result json.RawMessage `json:"result,omitempty"`
	Error  *ReplyError     `json:"error,omitempty"`
}

// ReplyError says why a request failed: Code is a stable machine code
// (see [Code]), Message a sentence for people.
type ReplyError struct {
	Code    Code   `json:"code"`
	Message string `json:"message"`
}

// Error returns "code: message".
func (e *ReplyError) Error() string { return string(e.Code) + ": " + e.Message }

// Denied reports whether the request was refused by the mediator (as opposed
// to allowed and then failing in the capability).
func (r *Reply) Denied() bool { return r.Error != nil && r.Error.Code.Denial() }

// AppendJSON appends the reply's wire form to b. It writes the JSON by hand
// because it runs on every invoke and encoding/json's reflection costs more
// than the rest of the reply path.
func (r *Reply) AppendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendUint(b, r.ID, 10)
	if r.OK {
		b = append(b, `,"ok":true,"result":`...)
		if len(r.Result) == 0 {
			b = append(b, "null"...)
		} else {
			b = append(b, r.Result...)
		}
		return append(b, '}')
	}
	b = append(b, `,"ok":false,"error":{"code":`...)
	b = strconv.AppendQuote(b, string(r.Error.Code))
	b = append(b, `,"message":`...)
	b = jsonwire.AppendString(b, r.Error.Message)
	return append(b, "}}"...)
}
