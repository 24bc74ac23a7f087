package host

import (
	"encoding/json"
	"fmt"
	"sync/atomic"

	"github.com/wardenhq/warden/isolation"
)

// Event is something a plugin's backend sent to its own UI (event.emit).
type Event struct {
	Name    string          `json:"event"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// Launch is one running instance of a plugin's UI: the identity of one
// connection. Requests that arrive on it are opened with its own key and
// belong to its plugin, whatever they claim.
type Launch struct {
	plugin *Plugin
	id     string
	opener *isolation.Opener
	sink   atomic.Pointer[func(Event)]
	// desktop is the window showing this launch (SetDesktop).
	desktop atomic.Pointer[Desktop]
}

// Launch starts a launch of p: a fresh key and launch id. The key goes to
// the isolation app of this launch only; the core keeps the matching opener.
func (p *Plugin) Launch() (*Launch, isolation.Key, error) {
	key, err := isolation.NewKey()
	if err != nil {
		return nil, key, fmt.Errorf("launch %s: %w", p.ID(), err)
	}
	id, err := isolation.NewLaunchID()
	if err != nil {
		return nil, key, fmt.Errorf("launch %s: %w", p.ID(), err)
	}
	l := &Launch{plugin: p, id: id, opener: isolation.NewOpener(key, p.ID(), id, p.host.limits.MaxEnvelope)}
	return l, key, nil
}

// ID returns the launch id bound into every envelope of this launch.
func (l *Launch) ID() string { return l.id }

// Plugin returns the plugin this launch belongs to.
func (l *Launch) Plugin() *Plugin { return l.plugin }

// OnEvent sets where events the backend emits during this launch's requests
// go (the webview connection). Without a sink, events are dropped and the
// emit call fails.
func (l *Launch) OnEvent(fn func(Event)) { l.sink.Store(&fn) }

func (l *Launch) emit(e Event) bool {
	fn := l.sink.Load()
	if fn == nil {
		return false
	}
	(*fn)(e)
	return true
}
