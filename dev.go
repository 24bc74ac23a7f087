package warden

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/wardenhq/warden/host"
	"github.com/wardenhq/warden/host/window"
	"github.com/wardenhq/warden/manifest"
	"github.com/wardenhq/warden/plugins/watch"
)

// DevOptions configure [Warden.Dev].
type DevOptions struct {
	// Out receives what the developer reads: what changed and what was
	// done about it, build errors, manifest errors, new permissions, and
	// the page's console. nil means os.Stderr.
	Out io.Writer
	// Window says how the window runs (nil: Config.Window); Dev and
	// Console are set by Dev.
	Window *window.Options
	// Debounce is how long the directory must be quiet before a burst of
	// edits is acted on (0: watch.DefaultDebounce).
	Debounce time.Duration
}

// Dev runs the plugin in dir from its source directory in its window, as
// [Warden.LoadSource] and [Warden.OpenWindow] do, with the grants of
// developer mode (devGrants), and keeps it in step with its files until
// the window is closed (nil) or ctx ends (nil):
//
//   - a change to the UI reloads the page; the window stays;
//   - a change to the backend's sources rebuilds it and swaps it in
//     (host.Plugin.ReplaceBackend) with the window open; a failed build
//     is printed and shown over the page, and the old backend stays;
//   - a change to manifest.json is checked like a new run (manifest,
//     policy, build); if it fails the old one stays, else new permissions
//     are named and granted and the window reopens with the new manifest.
//
// The page's console and uncaught errors are printed to Out, prefixed with
// the plugin's id, and F5 or Ctrl+R reloads the page. The plugin's data is
// its own, apart from the installed plugin with the same id.
func (w *Warden) Dev(ctx context.Context, dir string, opts DevOptions) error {
	if opts.Out == nil {
		opts.Out = os.Stderr
	}
	m, err := CheckSource(ctx, w.Policy(), dir)
	if err != nil {
		return err
	}
	if m.UI == nil {
		return fmt.Errorf("dev %s: the plugin has no ui; use warden call to try its backend", m.ID)
	}
	s := &devSession{w: w, dir: dir, term: &devTerm{out: opts.Out, id: m.ID}, ends: make(chan windowEnd, 1)}
	s.win = w.window
	if opts.Window != nil {
		s.win = *opts.Window
	}
	s.win.Dev, s.win.Console = true, s.term.console
	if s.plugin, err = w.loadSource(ctx, dir, devGrants(m), true); err != nil {
		return err
	}
	if err := s.open(ctx); err != nil {
		return err
	}
	var skip []string
	if m.Backend != nil {
		skip = append(skip, m.Backend.Wasm)
	}
	watcher, err := watch.Start(ctx, dir, watch.Options{Debounce: opts.Debounce, Skip: skip})
	if err != nil {
		return err
	}
	s.term.say("%s %s is running from %s; its data is kept in %s", m.ID, m.Version, dir, s.plugin.DataDir())
	s.term.say("watching for changes; close the window or press Ctrl-C to stop")
	for {
		select {
		case <-ctx.Done():
			return nil
		case e := <-s.ends:
			if e.gen == s.gen {
				return e.err
			}
		case paths, ok := <-watcher.Changes():
			if !ok {
				if err := watcher.Err(); err != nil {
					return err
				}
				return nil
			}
			s.apply(ctx, paths)
		}
	}
}

// devSession is one warden dev run: the plugin as last loaded, its
// window, and the terminal.
type devSession struct {
	w      *Warden
	dir    string
	term   *devTerm
	win    window.Options
	plugin *host.Plugin
	window *window.Window
	gen    int            // counts the windows opened; a closed one ends the run only if current
	ends   chan windowEnd // each window's end, with its generation
	notice bool           // the window shows a build error
	// stale says manifest.json changed but could not be applied: the next
	// change of any file tries it again.
	stale bool
}

// windowEnd is how one window of the run ended.
type windowEnd struct {
	gen int
	err error
}

// open opens the current plugin's window and watches for its end.
func (s *devSession) open(ctx context.Context) error {
	win, err := s.w.OpenWindow(ctx, s.plugin, &s.win)
	if err != nil {
		return err
	}
	s.window, s.notice = win, false
	s.gen++
	gen, id := s.gen, s.plugin.ID()
	go func() {
		err := s.w.windows.Wait(ctx, id)
		if ctx.Err() != nil {
			return
		}
		select {
		case s.ends <- windowEnd{gen, err}:
		case <-ctx.Done():
		}
	}()
	return nil
}

// apply acts on one batch of changed paths.
func (s *devSession) apply(ctx context.Context, paths []string) {
	c := classify(s.plugin.Manifest(), paths)
	if c&changeManifest != 0 || s.stale {
		s.reopen(ctx)
		return
	}
	if c&changeBackend != 0 {
		s.swapBackend(ctx, changed(paths, func(p string) bool { return classify(s.plugin.Manifest(), []string{p}) == changeBackend }))
	}
	if c&changeUI != 0 {
		if err := s.window.Reload(); err != nil {
			s.term.say("reload: %v", err)
			return
		}
		s.term.say("%s changed: page reloaded", changed(paths, func(p string) bool { return classify(s.plugin.Manifest(), []string{p}) == changeUI }))
	}
}

// changed names the paths that keep says are of one kind, for a line of
// output.
func changed(paths []string, keep func(string) bool) string {
	var ps []string
	for _, p := range paths {
		if keep(p) {
			ps = append(ps, p)
		}
	}
	if len(ps) > 3 {
		return fmt.Sprintf("%s and %d more", strings.Join(ps[:3], ", "), len(ps)-3)
	}
	return strings.Join(ps, ", ")
}

// swapBackend rebuilds the backend and swaps it in; on failure the old
// one keeps serving and the window shows why.
func (s *devSession) swapBackend(ctx context.Context, what string) {
	m := s.plugin.Manifest()
	if m.Backend == nil {
		return
	}
	s.term.say("%s changed: rebuilding the backend", what)
	start := time.Now()
	wasmPath, err := buildBackend(ctx, s.dir, m)
	var wasm []byte
	if err == nil {
		wasm, err = os.ReadFile(wasmPath)
	}
	if err == nil {
		err = s.plugin.ReplaceBackend(ctx, wasm)
	}
	if err != nil {
		s.failed("backend not updated; the previous backend keeps running", err)
		return
	}
	s.clearNotice()
	s.term.say("backend rebuilt and swapped in %v; the window stayed open", time.Since(start).Round(time.Millisecond))
}

// reopen loads the plugin again with its changed manifest and reopens its
// window, or keeps the running one when the new manifest, the policy or
// the build refuses it.
func (s *devSession) reopen(ctx context.Context) {
	s.stale = true // until the new manifest is in force
	old := s.plugin.Manifest()
	m, err := manifest.Load(s.dir)
	if err != nil {
		s.failed("manifest.json not applied; the plugin keeps running with the previous one", err)
		return
	}
	if m.ID != old.ID {
		s.failed("manifest.json not applied", fmt.Errorf("the id changed from %s to %s: stop warden dev and start it again", old.ID, m.ID))
		return
	}
	// The policy's check and the build, before anything is said or done.
	if m, err = CheckSource(ctx, s.w.Policy(), s.dir); err != nil {
		s.failed("manifest.json not applied; the plugin keeps running with the previous one", err)
		return
	}
	if added := newPermissions(old, m); len(added) > 0 {
		s.term.say("the manifest now asks for %s: granted, as warden dev grants every permission the manifest declares", strings.Join(added, ", "))
	}
	// The plugin is replaced only once the new one loaded: its window
	// closes, and opens again on the new one.
	p, err := s.w.loadSource(ctx, s.dir, devGrants(m), true)
	if err != nil {
		s.failed("manifest.json not applied; the plugin keeps running with the previous one", err)
		return
	}
	s.plugin, s.stale = p, false
	if err := s.w.windows.Stop(ctx, p.ID()); err != nil {
		s.term.say("close the window: %v", err)
	}
	if err := s.open(ctx); err != nil {
		s.term.say("reopen the window: %v", err)
		return
	}
	s.term.say("manifest.json changed: %s %s reloaded and its window reopened", m.ID, m.Version)
}

// newPermissions returns what m may use that old could not: permissions
// and backend commands, in m's order.
func newPermissions(old, m *manifest.Manifest) []string {
	had := sourceCandidate(old).Permissions
	var added []string
	for _, p := range sourceCandidate(m).Permissions {
		if !slices.Contains(had, p) && !slices.Contains(added, p) {
			added = append(added, p)
		}
	}
	return added
}

// failed reports a change that was not applied, in the terminal and over
// the page.
func (s *devSession) failed(what string, err error) {
	s.term.say("%s:", what)
	s.term.detail(err.Error())
	if s.window != nil {
		if nerr := s.window.SetNotice(what + ":\n" + err.Error()); nerr == nil {
			s.notice = true
		}
	}
}

// clearNotice hides a notice of an earlier failure.
func (s *devSession) clearNotice() {
	if s.notice && s.window.SetNotice("") == nil {
		s.notice = false
	}
}
