package isolation

import (
	_ "embed"
	"encoding/json"
	"strconv"
	"strings"
)

//go:embed app/hooks.js
var hooksJS string

// Hook is one isolation hook: a classic script that, while it loads, sets
// window.__WARDEN_ISOLATION_HOOK__ (or WardenIsolation.hook) to a function
// called with each request {id, cmd, args} a plugin's page sends, before
// it is sealed. The function returns the request, a changed request,
// nothing (keep the request), or a Promise of these, or throws or rejects
// to refuse it; a refusal reaches the page as an "isolation" error with
// the thrown message, and the core never sees the request.
type Hook struct {
	// Name says which hook a message is about: its file, say.
	Name string
	// Script is the hook's source. It runs as the body of a function
	// called with this = window, so its top-level names are its own.
	Script string
	// User marks a hook of lesser authority (a user's policy layer): it
	// sees each request before every hook without User, which decide last
	// on what is sealed, and it loads after the frame's built-in objects
	// are frozen, so it cannot change what they see or do.
	User bool
}

// HookScripts returns the scripts that run hooks in every isolation frame,
// to be loaded in order after the default isolation app (as
// host.UIOptions.IsolationJS), or nil when there are none. They are the
// chain (app/hooks.js), each hook without User, a script that freezes the
// realm's built-ins and pins the global names the isolation scripts use,
// each hook with User, and a script that ends the chain.
//
// Each request passes the User hooks first, then the others, every hook
// getting a fresh copy of the request (arguments through JSON), so a User
// hook can refuse more but can neither replace the other hooks nor change
// what they see or what is sealed after them. A hook that fails to load
// (a syntax error, an exception, no function set) makes every request
// fail with a message naming it: the chain fails closed.
func HookScripts(hooks []Hook) []string {
	if len(hooks) == 0 {
		return nil
	}
	type entry struct {
		Name string `json:"name"`
		User bool   `json:"user"`
	}
	var ordered []Hook
	for _, user := range []bool{false, true} {
		for _, h := range hooks {
			if h.User == user {
				ordered = append(ordered, h)
			}
		}
	}
	config := make([]entry, len(ordered))
	for i, h := range ordered {
		config[i] = entry{Name: h.Name, User: h.User}
	}
	b, err := json.Marshal(config)
	if err != nil {
		panic("isolation: hook names: " + err.Error()) // unreachable: strings and bools always marshal
	}
	scripts := []string{strings.Replace(hooksJS, "__WARDEN_HOOKS__", string(b), 1)}
	locked := false
	for i, h := range ordered {
		if h.User && !locked {
			scripts = append(scripts, "__WARDEN_HOOK_CHAIN__.lock();\n")
			locked = true
		}
		scripts = append(scripts, "__WARDEN_HOOK_CHAIN__.add("+strconv.Itoa(i)+", function () {\n"+h.Script+"\n});\n")
	}
	return append(scripts, "__WARDEN_HOOK_CHAIN__.done();\n")
}
