package isolation

import (
	"bytes"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io/fs"
	"sync"
)

//go:embed app/index.html app/isolation.js
var appFiles embed.FS

// App returns the default isolation app: index.html (a template; serve
// Document in its place) and isolation.js. It costs nothing: the files are
// embedded in the binary.
func App() fs.FS {
	sub, err := fs.Sub(appFiles, "app")
	if err != nil {
		panic("isolation: embedded app: " + err.Error()) // unreachable: the directory is embedded
	}
	return sub
}

// defaultIndex is the parsed default index.html.
var defaultIndex = sync.OnceValues(func() (*template.Template, error) {
	src, err := appFiles.ReadFile("app/index.html")
	if err != nil {
		return nil, err
	}
	return template.New("index.html").Option("missingkey=error").Parse(string(src))
})

// Document renders the default app's index.html for one launch, with its
// key, plugin id and launch id embedded as HTML-escaped data attributes
// (data-warden-key, base64url without padding; data-warden-plugin;
// data-warden-launch) that isolation.js reads once. Serve it only from the
// isolation: scheme, for that launch: no other document contains the key.
func Document(key Key, pluginID, launchID string) ([]byte, error) {
	t, err := defaultIndex()
	if err != nil {
		return nil, fmt.Errorf("isolation document: %w", err)
	}
	return render(t, key, pluginID, launchID)
}

// RenderDocument renders a custom isolation app's index page the same way
// as Document. index is an html/template source using {{.Key}},
// {{.PluginID}} and {{.LaunchID}}; contextual escaping keeps the values
// inert wherever they appear.
func RenderDocument(index []byte, key Key, pluginID, launchID string) ([]byte, error) {
	t, err := template.New("index.html").Option("missingkey=error").Parse(string(index))
	if err != nil {
		return nil, fmt.Errorf("isolation document: %w", err)
	}
	return render(t, key, pluginID, launchID)
}

func render(t *template.Template, key Key, pluginID, launchID string) ([]byte, error) {
	if err := checkID("plugin", pluginID); err != nil {
		return nil, fmt.Errorf("isolation document: %w", err)
	}
	if err := checkID("launch", launchID); err != nil {
		return nil, fmt.Errorf("isolation document: %w", err)
	}
	var buf bytes.Buffer
	err := t.Execute(&buf, struct{ Key, PluginID, LaunchID string }{
		Key:      base64.RawURLEncoding.EncodeToString(key[:]),
		PluginID: pluginID,
		LaunchID: launchID,
	})
	if err != nil {
		return nil, fmt.Errorf("isolation document: %w", err)
	}
	return buf.Bytes(), nil
}
