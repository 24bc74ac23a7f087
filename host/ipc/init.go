package ipc

// Init is the first frame's payload: everything the webview process needs
// to show one launch of one plugin's UI.
type Init struct {
	PluginID string `json:"plugin_id"`
	LaunchID string `json:"launch_id"`
	// Key is the launch's isolation key. It exists only in the core, this
	// frame and the isolation document the webview process serves once.
	Key   []byte `json:"key"`
	Dir   string `json:"dir"`   // absolute plugin directory; UI files are served from it
	Entry string `json:"entry"` // manifest ui.entry, e.g. "ui/index.html"
	Title string `json:"title"`
	Width int    `json:"width"`
	// Height of the window in pixels.
	Height int `json:"height"`
	// Placed asks for the window's top-left corner at X, Y (screen pixels);
	// otherwise the window manager places it.
	Placed bool `json:"placed,omitempty"`
	X      int  `json:"x,omitempty"`
	Y      int  `json:"y,omitempty"`
	// CSP holds the Content-Security-Policy headers sent on every plugin: response.
	CSP []string `json:"csp"`
	// DataDir is the plugin's website data directory ("" means ephemeral).
	DataDir string `json:"data_dir"`
	// IsolationJS are extra isolation scripts (an admin's hook), run after the default app.
	IsolationJS []string `json:"isolation_js,omitempty"`
	// Sandbox turns on WebKit's web process sandbox.
	Sandbox bool `json:"sandbox"`
	// Debug sends console messages to the log and enables the inspector.
	Debug bool `json:"debug"`
	// Dev is developer mode (warden dev): the page's console and uncaught
	// errors are sent to the core as TypeLog frames, bounded in size and
	// rate, and F5 and Ctrl+R reload the page.
	Dev bool `json:"dev,omitempty"`
	// Channel says fd 4 is a socket to the core for the web process
	// extension: sealed envelopes in (TypeInvoke), replies out
	// (TypeReply), nothing else.
	Channel bool `json:"channel,omitempty"`
	// Features turns WebKit features on or off after Warden's defaults
	// (see webview.Options.Features); nil in normal use.
	Features map[string]bool `json:"features,omitempty"`
	// MaxEnvelope is the largest envelope the core accepts, in bytes: the
	// core refuses a larger invoke frame from its header, so a relay may
	// refuse such an envelope itself without sending it.
	MaxEnvelope int `json:"max_envelope,omitempty"`
	// Icons are the window's icons, decoded by the core.
	Icons []Icon `json:"icons,omitempty"`
}

// Icon is one window icon: Size x Size pixels, non-premultiplied RGBA,
// row after row (4*Size*Size bytes).
type Icon struct {
	Size int    `json:"size"`
	RGBA []byte `json:"rgba"`
}

// NextLaunch is the payload of TypeNextLaunch: the launch (and its
// isolation key) for the next page the window commits. Every page gets a
// fresh key and launch id, so a reloaded page's isolation frame, which
// starts its seq again at 1, is not mistaken for a replay.
type NextLaunch struct {
	LaunchID string `json:"launch_id"`
	Key      []byte `json:"key"`
}
