package webview

import (
	"net/url"
	"strings"
)

// allowNavigation is the webview process's navigation rule for plugin id:
// the plugin's own plugin://<id>/ pages in any frame, its isolation
// document isolation://<id>/ in a subframe only, nothing else: no new
// windows, no other scheme (http, https, file, data, blob, about), no
// other plugin.
func allowNavigation(id string, n Navigation) bool {
	if n.NewWindow {
		return false
	}
	u, err := url.Parse(n.URI)
	if err != nil || u.User != nil || u.Port() != "" || !strings.EqualFold(u.Host, id) || u.Opaque != "" {
		return false
	}
	switch u.Scheme {
	case "plugin":
		return true
	case "isolation":
		// The navigation request does not say which frame it is for; the
		// response does, and the main frame must never show the key.
		return (u.Path == "/" || u.Path == "") && u.RawQuery == "" && !(n.Response && n.MainFrame)
	}
	return false
}
