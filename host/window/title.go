package window

import "github.com/wardenhq/warden/manifest"

// Title returns the title of a plugin's window: the plugin's name, or the
// manifest's window title followed by the name, then that it is a plugin
// and whose: "Notes — plugin by Acme", "Today — Notes, plugin by Acme".
// The page cannot change it (document.title does not reach the window),
// so a plugin cannot pass its window off as Warden's or another
// application's.
func Title(m *manifest.Manifest) string {
	by := "plugin"
	if m.Publisher != "" {
		by = "plugin by " + m.Publisher
	}
	if m.UI != nil && m.UI.Window != nil && m.UI.Window.Title != "" && m.UI.Window.Title != m.Name {
		return m.UI.Window.Title + " — " + m.Name + ", " + by
	}
	return m.Name + " — " + by
}
