package ipc

import "encoding/json"

// ManagerInit is the payload of TypeManagerInit: the manager window's
// geometry. Its page is Warden's own, built into the webview program.
type ManagerInit struct {
	Title  string `json:"title"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
	// Placed asks for the window's top-left corner at X, Y.
	Placed bool `json:"placed,omitempty"`
	X      int  `json:"x,omitempty"`
	Y      int  `json:"y,omitempty"`
}

// ManagerReply is the payload of TypeManagerReply: the request's result
// (JSON) or, when Error is set, why it failed, in words for the user.
type ManagerReply struct {
	Value json.RawMessage `json:"value,omitempty"`
	Error string          `json:"error,omitempty"`
}

// MaxManagerCall bounds a TypeManagerCall payload: the manager's requests
// are small (an operation, a plugin id, a few permission names).
const MaxManagerCall = 64 << 10
