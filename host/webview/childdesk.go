package webview

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/wardenhq/warden/host/ipc"
)

// gestureWindow is how recent a real key or button press must be for the
// clipboard read and file dialogs to count as the user's own doing: long
// enough for an envelope's trip to the core and back, short enough that a
// page cannot keep a press for later.
const gestureWindow = time.Second

// desktop serves one TypeDesktop request from the core, on the GTK thread,
// and answers it with a TypeDesktopResult frame of the same id.
func (c *child) desktop(id uint32, payload []byte) {
	answer := func(r ipc.DesktopResult) {
		b, err := json.Marshal(r)
		if err != nil {
			b, _ = json.Marshal(ipc.DesktopResult{Code: "failed", Message: err.Error()})
		}
		c.send(ipc.Frame{Type: ipc.TypeDesktopResult, ID: id, Payload: b})
	}
	var req ipc.Desktop
	if err := json.Unmarshal(payload, &req); err != nil {
		answer(ipc.DesktopResult{Code: "failed", Message: "bad desktop request: " + err.Error()})
		return
	}
	if c.w == nil || c.done {
		answer(ipc.DesktopResult{Code: "failed", Message: "the window is closing"})
		return
	}
	// A request of a page the window no longer shows acts on nothing: its
	// user gesture, if any, was given to another page.
	if req.Launch != c.launch {
		answer(ipc.DesktopResult{Code: ipc.DesktopWrongLaunch, Message: "the page that asked is no longer shown"})
		return
	}
	switch req.Op {
	case ipc.DesktopClipboardWrite:
		c.w.SetClipboard(req.Text)
		answer(ipc.DesktopResult{})
	case ipc.DesktopClipboardRead:
		if r, ok := c.gesture("clipboard.read"); !ok {
			answer(r)
			return
		}
		c.w.RequestClipboard(func(text string, _ bool) {
			if len(text) > ipc.MaxClipboardText {
				answer(ipc.DesktopResult{Code: ipc.DesktopTooLarge, Message: fmt.Sprintf("clipboard.read: the clipboard holds %d bytes of text, more than the %d a plugin may read", len(text), ipc.MaxClipboardText)})
				return
			}
			answer(ipc.DesktopResult{Text: text})
		})
	case ipc.DesktopOpen, ipc.DesktopSave:
		cmd := "dialog." + req.Op
		if r, ok := c.gesture(cmd); !ok {
			answer(r)
			return
		}
		d := FileDialog{Save: req.Op == ipc.DesktopSave, Title: req.Title, Folder: req.Folder, Name: req.Name}
		for _, f := range req.Filters {
			d.Filters = append(d.Filters, FileFilter{Name: f.Name, Patterns: f.Patterns})
		}
		err := c.w.PickFile(d, func(path string) { answer(ipc.DesktopResult{Path: path}) })
		if err != nil {
			answer(ipc.DesktopResult{Code: ipc.DesktopBusy, Message: cmd + ": a file dialog is already open in this window"})
			return
		}
		// One press, one dialog: the page cannot chain dialogs on it.
		c.w.ConsumeInput()
	case ipc.DesktopGesture:
		if r, ok := c.gesture("permissions.request"); !ok {
			answer(r)
			return
		}
		c.w.ConsumeInput()
		answer(ipc.DesktopResult{})
	case ipc.DesktopConsent:
		if r, ok := c.gesture("permissions.request"); !ok {
			answer(r)
			return
		}
		err := c.w.AskConsent(Consent{Title: req.Title, Text: req.Text, Detail: req.Detail}, func(a string) { answer(ipc.DesktopResult{Answer: a}) })
		if err != nil {
			answer(ipc.DesktopResult{Code: ipc.DesktopBusy, Message: "permissions.request: a dialog is already open in this window"})
			return
		}
		c.w.ConsumeInput()
	default:
		answer(ipc.DesktopResult{Code: "failed", Message: "unknown desktop request " + req.Op})
	}
}

// gesture reports whether the window has the focus and received a real
// key or button press within gestureWindow, and otherwise the refusal,
// which says what the user must do.
func (c *child) gesture(cmd string) (ipc.DesktopResult, bool) {
	age, ok := c.w.LastInput()
	switch {
	case !c.w.Active():
		return ipc.DesktopResult{Code: ipc.DesktopNoGesture, Message: cmd + ": the plugin's window does not have the focus"}, false
	case !ok || age > gestureWindow:
		return ipc.DesktopResult{Code: ipc.DesktopNoGesture, Message: cmd + " works only right after the user clicks or presses a key in the plugin's window: call it from a click or key handler"}, false
	}
	return ipc.DesktopResult{}, true
}
