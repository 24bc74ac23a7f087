// Package managerui holds the page of Warden's manager window: plain HTML,
// CSS and a script, built into the webview program and served there from
// its own scheme. The page speaks to the core through the "manager"
// message handler, which only the manager's webview process registers
// (see host/webview's manager mode and package managerwin). Everything a
// plugin wrote (its name, publisher, reasons) reaches the page as data
// and is shown with textContent, never as markup.
package managerui

import (
	"embed"
	"io/fs"
)

//go:embed files
var files embed.FS

// Files are the page's files: index.html, app.js, style.css.
var Files, _ = fs.Sub(files, "files")

//go:embed icons/*.png
var icons embed.FS

// Icons are the manager window's own icons: warden-<size>.png, square
// PNGs of 16, 48 and 128 pixels. They are not served to the page.
var Icons, _ = fs.Sub(icons, "icons")

// CSP is the Content-Security-Policy sent with every file: the page's own
// files only, no inline script, no network.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
