package ipc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Type says what a frame carries.
type Type uint8

// Frame types. "core->child" frames go from the core to the webview process.
const (
	TypeInit       Type = 1  // core->child: JSON Init, sent once, first
	TypeReady      Type = 2  // child->core: JSON {"url", "launch"} after each main-frame load
	TypeInvoke     Type = 3  // child->core: a sealed envelope; ID correlates the reply
	TypeReply      Type = 4  // core->child: the reply JSON for the invoke with the same ID
	TypeEvent      Type = 5  // core->child: JSON {"event","payload"} for warden.listen
	TypeEval       Type = 6  // core->child: JS run in the page's world; ID correlates the result
	TypeEvalResult Type = 7  // child->core: JSON {"ok","value","error"}
	TypeLog        Type = 8  // child->core: JSON {"level","message"}
	TypeClosed     Type = 9  // child->core: the user closed the window
	TypeShutdown   Type = 10 // core->child: close the window and exit
	TypeCrashed    Type = 11 // child->core: WebKit's web process died; payload is the reason
	// TypeNextLaunch (core->child, JSON NextLaunch) hands over the launch
	// the next page will use, ahead of time, so a reload never waits for
	// the core.
	TypeNextLaunch Type = 12
	// TypeRelaunched (child->core, payload: the launch id) says a new page
	// committed and uses the launch from the last TypeNextLaunch.
	TypeRelaunched Type = 13
	// TypeReload (core->child) reloads the page (warden dev, after its
	// files changed); the new page commits with a new launch as usual.
	TypeReload Type = 14
	// TypeNotice (core->child, payload: UTF-8 text) shows the text over
	// the top of the window, outside the page; an empty payload hides it.
	TypeNotice Type = 15
	// TypeDesktop (core->child, JSON Desktop) asks the webview process to
	// act on the desktop for the page: the clipboard or a file dialog.
	// ID correlates the answer.
	TypeDesktop Type = 16
	// TypeDesktopResult (child->core, JSON DesktopResult) answers the
	// TypeDesktop frame with the same ID.
	TypeDesktopResult Type = 17
	// TypeManagerInit (core->child, JSON ManagerInit), sent once and first
	// instead of TypeInit, makes the process show Warden's manager window
	// rather than a plugin's. Only the core's manager (package managerwin)
	// sends it; the core's plugin windows read no manager frame.
	TypeManagerInit Type = 18
	// TypeManagerCall (child->core, JSON) is a request of the manager's
	// page; ID correlates the TypeManagerReply.
	TypeManagerCall Type = 19
	// TypeManagerReply (core->child, JSON ManagerReply) answers it.
	TypeManagerReply Type = 20
)

// String names the type for logs.
func (t Type) String() string {
	if int(t) < len(typeNames) && typeNames[t] != "" {
		return typeNames[t]
	}
	return fmt.Sprintf("type(%d)", uint8(t))
}

var typeNames = [...]string{
	TypeInit: "init", TypeReady: "ready", TypeInvoke: "invoke", TypeReply: "reply",
	TypeEvent: "event", TypeEval: "eval", TypeEvalResult: "eval_result", TypeLog: "log",
	TypeClosed: "closed", TypeShutdown: "shutdown", TypeCrashed: "crashed",
	TypeNextLaunch: "next_launch", TypeRelaunched: "relaunched", TypeReload: "reload",
	TypeNotice: "notice", TypeDesktop: "desktop", TypeDesktopResult: "desktop_result",
	TypeManagerInit: "manager_init", TypeManagerCall: "manager_call", TypeManagerReply: "manager_reply",
}

// MaxFrame is the default bound on one frame (type, id and payload).
const MaxFrame = 8 << 20

// headerSize is the length prefix plus type and id.
const headerSize = 4 + 1 + 4

var (
	// ErrFrameTooLarge reports a frame over the reader's or writer's bound.
	ErrFrameTooLarge = errors.New("ipc: frame too large")
	// ErrMalformed reports a length prefix too short to hold type and id.
	ErrMalformed = errors.New("ipc: malformed frame")
)

// Frame is one message.
type Frame struct {
	Type    Type
	ID      uint32
	Payload []byte
}

// AppendFrame appends f's wire form to b.
func AppendFrame(b []byte, f Frame) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(5+len(f.Payload)))
	b = append(b, byte(f.Type))
	b = binary.BigEndian.AppendUint32(b, f.ID)
	return append(b, f.Payload...)
}

// WriteFrame writes f with a single Write call, so frames written by
// goroutines that serialise their writes never interleave.
func WriteFrame(w io.Writer, f Frame) error {
	if 5+len(f.Payload) > MaxFrame {
		return fmt.Errorf("write %s: %w: %d bytes", f.Type, ErrFrameTooLarge, 5+len(f.Payload))
	}
	_, err := w.Write(AppendFrame(make([]byte, 0, headerSize+len(f.Payload)), f))
	return err
}

// ReadFrame reads one frame, refusing one whose length exceeds max (<= 0
// means MaxFrame) before reading its payload. A clean end of stream before
// a frame is io.EOF; one inside a frame is io.ErrUnexpectedEOF.
func ReadFrame(r io.Reader, max int) (Frame, error) {
	if max <= 0 {
		max = MaxFrame
	}
	var hdr [headerSize]byte
	if _, err := io.ReadFull(r, hdr[:4]); err != nil {
		return Frame{}, err
	}
	n := binary.BigEndian.Uint32(hdr[:4])
	if n < 5 {
		return Frame{}, fmt.Errorf("%w: length %d", ErrMalformed, n)
	}
	if uint64(n) > uint64(max) {
		return Frame{}, fmt.Errorf("%w: %d bytes, limit %d", ErrFrameTooLarge, n, max)
	}
	if _, err := io.ReadFull(r, hdr[4:]); err != nil {
		return Frame{}, noEOF(err)
	}
	f := Frame{Type: Type(hdr[4]), ID: binary.BigEndian.Uint32(hdr[5:9])}
	if n > 5 {
		f.Payload = make([]byte, n-5)
		if _, err := io.ReadFull(r, f.Payload); err != nil {
			return Frame{}, noEOF(err)
		}
	}
	return f, nil
}

func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
