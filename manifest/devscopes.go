package manifest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/wardenhq/warden/permissions"
)

// WithDevScopes returns a copy of m whose http and fs scopes also hold the
// dev scopes, for running the plugin from source under `warden dev`. The
// copy has no DevScopes of its own, so applying it twice adds nothing, and
// it shares no storage with m. Cost: one copy of the manifest's lists.
func (m *Manifest) WithDevScopes() *Manifest {
	c := m.clone()
	d := c.DevScopes
	c.DevScopes = nil
	if d == nil {
		return c
	}
	c.HTTP = append(c.HTTP, d.HTTP...)
	if d.FS != nil && (len(d.FS.Read) > 0 || len(d.FS.Write) > 0) {
		if c.FS == nil {
			c.FS = &FS{}
		}
		c.FS.Read = append(c.FS.Read, d.FS.Read...)
		c.FS.Write = append(c.FS.Write, d.FS.Write...)
	}
	return c
}

// WithoutDevScopes returns a copy of m without DevScopes: the manifest a
// bundle carries. It shares no storage with m.
func (m *Manifest) WithoutDevScopes() *Manifest {
	c := m.clone()
	c.DevScopes = nil
	return c
}

// Encode returns the manifest as JSON that [Parse] reads back to an equal
// Manifest: indented by two spaces, fields in the struct's order, map keys
// sorted, '<' and '>' written as they are, and a final newline. The same
// Manifest always encodes to the same bytes.
func (m *Manifest) Encode() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("encode manifest: %w", err)
	}
	return buf.Bytes(), nil
}

// clone returns a copy of m that shares no slice, map or pointer with it.
func (m *Manifest) clone() *Manifest {
	c := *m
	if m.UI != nil {
		ui := *m.UI
		if ui.Window != nil {
			w := *ui.Window
			ui.Window = &w
		}
		c.UI = &ui
	}
	if m.Backend != nil {
		b := *m.Backend
		c.Backend = &b
	}
	c.Commands = slices.Clone(m.Commands)
	c.Permissions = slices.Clone(m.Permissions)
	c.FS = m.FS.clone()
	c.HTTP = slices.Clone(m.HTTP)
	c.OptionalPermissions = slices.Clone(m.OptionalPermissions)
	c.Reasons = maps.Clone(m.Reasons)
	c.Icons = maps.Clone(m.Icons)
	if m.DevScopes != nil {
		d := DevScopes{HTTP: slices.Clone(m.DevScopes.HTTP), FS: m.DevScopes.FS.clone()}
		c.DevScopes = &d
	}
	return &c
}

func (f *FS) clone() *FS {
	if f == nil {
		return nil
	}
	return &FS{Read: slices.Clone(f.Read), Write: slices.Clone(f.Write)}
}

// checkDevScopes checks the dev scopes like the others, and refuses one
// that is also a scope of every run: it would be granted anyway.
func (m *Manifest) checkDevScopes(p *problems) {
	d := m.DevScopes
	if d == nil {
		return
	}
	var read, write, devRead, devWrite []string
	if m.FS != nil {
		read, write = m.FS.Read, m.FS.Write
	}
	if d.FS != nil {
		devRead, devWrite = d.FS.Read, d.FS.Write
	}
	parsePath := func(s string) error { _, err := permissions.ParsePathPattern(s); return err }
	parseURL := func(s string) error { _, err := permissions.ParseMatchPattern(s); return err }
	for _, l := range []struct {
		field, main string
		dev, have   []string
		parse       func(string) error
		want        string
	}{
		{"dev_scopes.http", "http", d.HTTP, m.HTTP, parseURL, "a match pattern such as \"http://localhost:8080/*\""},
		{"dev_scopes.fs.read", "fs.read", devRead, read, parsePath, "a pattern such as \"$HOME/src/fixtures/**\" starting with $DATA, $HOME, $DOCUMENTS or $DOWNLOADS"},
		{"dev_scopes.fs.write", "fs.write", devWrite, write, parsePath, "a pattern such as \"$DATA/**\" starting with $DATA, $HOME, $DOCUMENTS or $DOWNLOADS"},
	} {
		checkList(p, l.field, l.dev, l.parse, l.want)
		for i, s := range l.dev {
			if slices.Contains(l.have, s) {
				p.add(fmt.Sprintf("%s[%d]", l.field, i), "%q is already in %q, which every run gets; remove it here", s, l.main)
			}
		}
	}
}
