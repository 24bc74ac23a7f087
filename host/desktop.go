package host

import (
	"context"
	"errors"
)

// Desktop is what a page's window does on the user's desktop for the
// core: the clipboard, file dialogs and consent dialogs (clipboard.write,
// clipboard.read, dialog.open, dialog.save, permissions.request). Package window gives one to each launch it
// shows (Launch.SetDesktop), so the core, which links no GTK and starts no
// process, reaches the window of the very page that asked, and a request
// from a launch with no window (warden call, a backend) reaches nothing.
//
// The window answers the user-gesture question itself, from the input
// events its own toolkit received: nothing the page says counts.
type Desktop interface {
	// WriteClipboard puts text on the clipboard.
	WriteClipboard(ctx context.Context, text string) error
	// ReadClipboard returns the clipboard's text ("" when it holds none).
	// It fails with an error wrapping ErrNoUserGesture unless the window
	// received a real key or button press within the last second and has
	// the focus.
	ReadClipboard(ctx context.Context) (string, error)
	// PickFile shows a file dialog, modal to the window, and returns the
	// absolute path the user picked, or "" when they cancelled it. It
	// fails with ErrNoUserGesture as ReadClipboard does, and uses the
	// gesture up: one press, one dialog. It returns when the user closes
	// the dialog, or when ctx ends.
	PickFile(ctx context.Context, d FileDialog) (string, error)
	// AskConsent shows the user a dialog Warden draws, modal to the
	// window, asking for a plugin's optional permissions, and returns
	// their answer. "Don't allow" is the default button; closing the
	// dialog is ConsentDismissed. It fails with ErrNoUserGesture as
	// ReadClipboard does, and uses the gesture up. It returns when the
	// user answers, or when ctx ends.
	AskConsent(ctx context.Context, p ConsentPrompt) (ConsentAnswer, error)
	// TakeGesture uses up the user's gesture in the window, for a
	// question asked elsewhere (Options.ConsentDialogs), or fails with
	// ErrNoUserGesture as ReadClipboard does.
	TakeGesture(ctx context.Context) error
}

// FileDialog is a file dialog the core asks a window to show.
type FileDialog struct {
	// Save asks for a save dialog; otherwise an open dialog.
	Save bool
	// Title is the dialog's title: the plugin's name, then its text.
	Title string
	// Folder is where the dialog starts: the user's Documents folder, or
	// their home, chosen by the core, never by the plugin.
	Folder string
	// Name is the file name a save dialog suggests, a checked base name.
	Name string
	// Filters narrow what an open dialog lists.
	Filters []FileFilter
}

// FileFilter is one entry of an open dialog's filter list: a name and
// shell-style patterns of base names ("*.txt").
type FileFilter struct {
	Name     string   `json:"name"`
	Patterns []string `json:"patterns"`
}

// ErrNoUserGesture is how a Desktop refuses what needs the user's own
// gesture in the window (CodeNoUserGesture).
var ErrNoUserGesture = errors.New("no user gesture")

// errNoDesktop fails a desktop capability for a launch without a window.
var errNoDesktop = errors.New("this page has no window on the desktop")

// SetDesktop gives the launch its window's desktop (package window does,
// for every launch it shows). A launch without one fails the clipboard and
// dialog capabilities.
func (l *Launch) SetDesktop(d Desktop) { l.desktop.Store(&d) }

// desk returns the launch's desktop, or errNoDesktop.
func (c *Call) desk() (Desktop, error) {
	if c.Launch == nil {
		return nil, errNoDesktop
	}
	d := c.Launch.desktop.Load()
	if d == nil || *d == nil {
		return nil, errNoDesktop
	}
	return *d, nil
}
