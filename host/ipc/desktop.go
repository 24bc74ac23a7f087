package ipc

// Desktop operations (Desktop.Op).
const (
	DesktopClipboardWrite = "clipboard.write"
	DesktopClipboardRead  = "clipboard.read"
	DesktopOpen           = "open"
	DesktopSave           = "save"
	// DesktopConsent asks the user for a plugin's optional permissions
	// (Title, Text, Detail); the result's Answer says what they did.
	DesktopConsent = "consent"
	// DesktopGesture uses up the window's user gesture for a dialog shown
	// elsewhere (the manager's): refused as clipboard.read is without one.
	DesktopGesture = "gesture"
	// DesktopPresent raises the manager window, which is about to ask the
	// user something (the manager's process only).
	DesktopPresent = "present"
)

// Consent answers (DesktopResult.Answer); "" is a dialog closed without
// an answer.
const (
	ConsentAllow = "allow"
	ConsentDeny  = "deny"
)

// Desktop result codes (DesktopResult.Code) the core branches on.
const (
	// DesktopNoGesture: the window had no real key or button press within
	// the last second, or does not have the focus.
	DesktopNoGesture = "no_user_gesture"
	// DesktopWrongLaunch: the request belongs to a page the window no
	// longer shows.
	DesktopWrongLaunch = "wrong_launch"
	// DesktopBusy: a file or consent dialog is already open in the window.
	DesktopBusy = "busy"
	// DesktopTooLarge: the clipboard holds more text than MaxClipboardText.
	DesktopTooLarge = "too_large"
)

// MaxClipboardText bounds the text the clipboard capabilities carry, in
// bytes, both ways.
const MaxClipboardText = 1 << 20

// Desktop is the payload of TypeDesktop: one thing the core asks the
// webview process to do for the page of launch Launch. Every field is set
// by the core; the page only chose some of the text (Text, Title, Name,
// Filters), already checked.
type Desktop struct {
	Op     string `json:"op"`
	Launch string `json:"launch"`
	// Text is what clipboard.write puts on the clipboard, or the consent
	// dialog's question.
	Text string `json:"text,omitempty"`
	// Title is the file or consent dialog's title.
	Title string `json:"title,omitempty"`
	// Detail is the consent dialog's text under its question (Text).
	Detail string `json:"detail,omitempty"`
	// Folder is where the file dialog starts ("" leaves it to GTK).
	Folder string `json:"folder,omitempty"`
	// Name is the file name a save dialog suggests: a base name.
	Name string `json:"name,omitempty"`
	// Filters narrow what an open dialog lists.
	Filters []FileFilter `json:"filters,omitempty"`
}

// FileFilter is one entry of a file dialog's filter list: a name and
// shell-style patterns of base names ("*.txt").
type FileFilter struct {
	Name     string   `json:"name"`
	Patterns []string `json:"patterns"`
}

// DesktopResult is the payload of TypeDesktopResult. Code is "" on
// success; otherwise one of the Desktop* codes or "failed", with Message
// for people.
type DesktopResult struct {
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
	// Text is what clipboard.read found.
	Text string `json:"text,omitempty"`
	// Path is the absolute path the user picked in a file dialog, "" when
	// they cancelled it.
	Path string `json:"path,omitempty"`
	// Answer is the consent dialog's: ConsentAllow, ConsentDeny or "".
	Answer string `json:"answer,omitempty"`
}
