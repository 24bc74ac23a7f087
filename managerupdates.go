package warden

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/wardenhq/warden/plugins/manager"
	"github.com/wardenhq/warden/plugins/registry"
)

// The manager's updates: what the profile's registry (the one warden
// install --registry remembered) offers for the plugins installed from
// it, shown before anything is downloaded for good, and applied only as
// the user was shown.

// updateCheckTimeout bounds one read of the registry's index for the
// manager, so that a registry that does not answer does not hold the page.
const updateCheckTimeout = 20 * time.Second

// availableUpdates is the answer to the manager's "updates" request.
type availableUpdates struct {
	// Registry is where updates are read from, empty when the profile
	// remembers no registry.
	Registry string `json:"registry"`
	// Error says why the registry could not be read, if it could not.
	Error   string            `json:"error,omitempty"`
	Updates []availableUpdate `json:"updates"`
}

// availableUpdate is one plugin's update as the registry's signed index
// lists it.
type availableUpdate struct {
	ID      string        `json:"id"`
	From    string        `json:"from"`
	Version string        `json:"version"`
	Adds    []previewPerm `json:"adds"` // permissions the index lists that the plugin was not granted
}

// registry returns a client for the profile's remembered registry, or
// registry.ErrNoRegistry.
func (w *Warden) registry() (*registry.Client, error) {
	mem, err := registry.LoadMemory(filepath.Join(w.core.Profile(), registry.MemoryFile))
	if err != nil {
		return nil, err
	}
	return mem.Client(func(err error) { w.log.Warn("registry memory", "err", err) })
}

// checkUpdates reads the registry's index and lists the newer versions it
// offers for the plugins installed from it. Nothing is downloaded but the
// index.
func (w *Warden) checkUpdates(ctx context.Context) (availableUpdates, error) {
	out := availableUpdates{Updates: []availableUpdate{}}
	c, err := w.registry()
	if errors.Is(err, registry.ErrNoRegistry) {
		return out, nil
	}
	if err != nil {
		return out, err
	}
	if out.Registry, err = c.Location(); err != nil {
		return out, err
	}
	ctx, cancel := context.WithTimeout(ctx, updateCheckTimeout)
	defer cancel()
	idx, err := c.Index(ctx)
	if err != nil {
		out.Error = err.Error()
		return out, nil
	}
	list, err := w.plugins.List()
	if err != nil {
		return out, err
	}
	for _, st := range list {
		rec, v, err := w.plugins.Candidate(idx, out.Registry, st.ID)
		if err != nil {
			continue // up to date, from elsewhere, or nothing allowed
		}
		u := availableUpdate{ID: st.ID, From: rec.Version, Version: v.Version, Adds: []previewPerm{}}
		for _, name := range v.Permissions {
			if _, ok := rec.Grants[name]; ok {
				continue
			}
			p := previewPerm{Name: name}
			if e, ok := w.core.Describe(name); ok {
				p.Description = e.Description
			}
			u.Adds = append(u.Adds, p)
		}
		out.Updates = append(out.Updates, u)
	}
	return out, nil
}

// previewUpdate downloads the update of plugin id that the registry offers
// and returns what it is and adds, for the update dialog. Nothing is
// installed.
func (w *Warden) previewUpdate(ctx context.Context, id string) (*installPreview, error) {
	var shown *installPreview
	_, err := w.updateFromRegistry(ctx, id, func(_ context.Context, req manager.ConsentRequest) error {
		shown = previewOf("", req)
		return errPreview
	})
	return previewResult(shown, err)
}

// updateShown applies the registry's update of req.ID as the user was
// shown it (previewUpdate): the same version, signer and added
// permissions, which are granted.
func (w *Warden) updateShown(ctx context.Context, req managerRequest) error {
	return w.applyShown(ctx, req, func(opts manager.InstallOptions) (manager.Result, error) {
		return w.updateFromRegistry(ctx, req.ID, opts.Review)
	})
}

// updateFromRegistry updates plugin id from the profile's registry, as
// warden update does, with review asked before anything is written.
func (w *Warden) updateFromRegistry(ctx context.Context, id string, review manager.Consent) (manager.Result, error) {
	c, err := w.registry()
	if err != nil {
		return manager.Result{}, fmt.Errorf("update %s: %w", id, err)
	}
	idx, err := c.Index(ctx)
	if err != nil {
		return manager.Result{}, fmt.Errorf("update %s: %w", id, err)
	}
	return w.plugins.Update(ctx, c, idx, id, manager.InstallOptions{Review: review})
}
