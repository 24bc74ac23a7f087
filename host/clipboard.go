package host

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/wardenhq/warden/host/ipc"
)

// clipboardArgs are the arguments of clipboard.write.
type clipboardArgs struct {
	Text string `json:"text"`
}

// clipboardWrite puts the page's text on the clipboard, through the
// page's window.
func (h *Host) clipboardWrite(ctx context.Context, c *Call) ([]byte, error) {
	var a clipboardArgs
	if err := c.DecodeArgs(&a); err != nil {
		return nil, err
	}
	if len(a.Text) > ipc.MaxClipboardText {
		return nil, Deny(CodeTooLarge, fmt.Sprintf("clipboard.write: the text is %d bytes, at most %d go on the clipboard", len(a.Text), ipc.MaxClipboardText))
	}
	d, err := c.desk()
	if err != nil {
		return nil, err
	}
	return nil, d.WriteClipboard(ctx, a.Text)
}

// clipboardRead returns the clipboard's text. The window refuses unless
// the user just pressed a key or a button in it (ErrNoUserGesture): a page
// must not read what the user copies elsewhere whenever it likes.
func (h *Host) clipboardRead(ctx context.Context, c *Call) ([]byte, error) {
	if len(c.Args) > 0 {
		var none struct{}
		if err := c.DecodeArgs(&none); err != nil {
			return nil, err
		}
	}
	d, err := c.desk()
	if err != nil {
		return nil, err
	}
	text, err := d.ReadClipboard(ctx)
	if err != nil {
		return nil, err
	}
	if len(text) > ipc.MaxClipboardText {
		return nil, Deny(CodeTooLarge, fmt.Sprintf("clipboard.read: the clipboard holds %d bytes of text, more than the %d a plugin may read", len(text), ipc.MaxClipboardText))
	}
	return json.Marshal(clipboardArgs{Text: text})
}
