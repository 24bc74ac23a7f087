package store

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"
	"github.com/wardenhq/warden/permissions"
	"github.com/wardenhq/warden/plugins/signing"
)

// recordFormat is the "v" of every record this build writes.
const recordFormat = 1

// Plugin is the record of one installed plugin.
type Plugin struct {
	// ID is the plugin's reverse-DNS id from its manifest.
	ID string
	// Version is the current version; its files are in Dir(ID, Version).
	Version string
	// Previous lists the kept versions, newest first, at most the store's
	// Keep limit. Commit and Rollback maintain it; Modify may not change it.
	Previous []string
	// Enabled says whether the plugin may run.
	Enabled bool
	// DisabledReason says why the plugin is disabled ("" when enabled or
	// when the user disabled it without a reason).
	DisabledReason string
	// Pending lists permissions an update added that the user has not
	// approved yet.
	Pending []string
	// Grants holds the user's consent records.
	Grants permissions.Grants
	// Denied holds the optional permissions the user refused when the
	// plugin asked for them at run time, with when: the plugin's later
	// requests for them are answered "no" without asking again, until a
	// grant or a revoke clears the answer.
	Denied map[string]time.Time
	// Range is the semver range the user pinned ("^1"), "" for none.
	Range string
	// Source is where the current version came from: a bundle path or a
	// registry URL.
	Source string
	// Signer is the id of SignerKey, for display; "" when SignerKey is.
	Signer string
	// SignerKey is the full public key (the base64 line of a minisign .pub
	// file) that verified the current version's signature at install, ""
	// for a version installed unsigned or without a verified signature. An
	// installed plugin is bound to it: updates must be signed by the same
	// key unless the user accepts a new publisher.
	SignerKey string
	// KeptSigners maps each version in Previous to the SignerKey it was
	// installed with (versions installed without one are absent), so that
	// a rollback restores the binding of the version it returns to.
	// Commit and Rollback maintain it; Modify may not change it.
	KeptSigners map[string]string
	// LegacySigner is the key id a record written before full keys were
	// kept names for the current version, "" otherwise. That id was never
	// known to be verified, so the version counts as unsigned; but it was
	// installed as that publisher's, so an update must still come from a
	// key with that id that the user or the admin vouches for (see package
	// manager). It is kept as read until a new version replaces it.
	LegacySigner string
	// InstalledAt is when the plugin was first installed; updates keep it.
	InstalledAt time.Time
	// UpdatedAt is when the current version last changed (install, update
	// or rollback).
	UpdatedAt time.Time
	// CrashedAt is when the plugin's window last crashed (zero for never),
	// and CrashReason how, in words ("the window's process ended: signal:
	// killed; it was restarted").
	CrashedAt   time.Time
	CrashReason string
}

// diskRecord is the stored JSON form of a Plugin.
type diskRecord struct {
	V              int                  `json:"v"`
	ID             string               `json:"id"`
	Version        string               `json:"version"`
	Previous       []string             `json:"previous,omitempty"`
	Enabled        bool                 `json:"enabled"`
	DisabledReason string               `json:"disabled_reason,omitempty"`
	Pending        []string             `json:"pending,omitempty"`
	Grants         map[string]diskGrant `json:"grants,omitempty"`
	Denied         map[string]time.Time `json:"denied,omitempty"`
	Range          string               `json:"range,omitempty"`
	Source         string               `json:"source,omitempty"`
	Signer         string               `json:"signer,omitempty"`
	SignerKey      string               `json:"signer_key,omitempty"`
	KeptSigners    map[string]string    `json:"kept_signers,omitempty"`
	InstalledAt    time.Time            `json:"installed_at"`
	UpdatedAt      time.Time            `json:"updated_at"`
	CrashedAt      time.Time            `json:"crashed_at,omitzero"`
	CrashReason    string               `json:"crash_reason,omitempty"`
}

// diskGrant is one stored consent record; the permission is its map key.
type diskGrant struct {
	GrantedAt time.Time `json:"granted_at"`
}

// encodeRecord returns the stored form of p.
func encodeRecord(p Plugin) ([]byte, error) {
	d := diskRecord{
		V:              recordFormat,
		ID:             p.ID,
		Version:        p.Version,
		Previous:       p.Previous,
		Enabled:        p.Enabled,
		DisabledReason: p.DisabledReason,
		Pending:        p.Pending,
		Range:          p.Range,
		Source:         p.Source,
		Signer:         legacyOr(p.Signer, p.SignerKey, p.LegacySigner),
		SignerKey:      p.SignerKey,
		KeptSigners:    p.KeptSigners,
		InstalledAt:    p.InstalledAt.UTC(),
		UpdatedAt:      p.UpdatedAt.UTC(),
		CrashedAt:      p.CrashedAt.UTC(),
		CrashReason:    p.CrashReason,
	}
	if len(p.Grants) > 0 {
		d.Grants = make(map[string]diskGrant, len(p.Grants))
		for name, g := range p.Grants {
			d.Grants[name] = diskGrant{GrantedAt: g.GrantedAt.UTC()}
		}
	}
	if len(p.Denied) > 0 {
		d.Denied = make(map[string]time.Time, len(p.Denied))
		for name, at := range p.Denied {
			d.Denied[name] = at.UTC()
		}
	}
	b, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("encode record %s: %w", p.ID, err)
	}
	return b, nil
}

// decodeRecord parses a stored record and checks it. Unknown fields are
// ignored: a format change that older builds must not misread bumps "v".
func decodeRecord(b []byte) (Plugin, error) {
	var d diskRecord
	if err := json.Unmarshal(b, &d); err != nil {
		return Plugin{}, fmt.Errorf("decode record: %w: %w", ErrInvalidRecord, err)
	}
	if d.V != recordFormat {
		return Plugin{}, fmt.Errorf("decode record %q: format %d, this build reads %d: %w (upgrade warden)",
			d.ID, d.V, recordFormat, ErrUnsupportedRecord)
	}
	p := Plugin{
		ID:             d.ID,
		Version:        d.Version,
		Previous:       d.Previous,
		Enabled:        d.Enabled,
		DisabledReason: d.DisabledReason,
		Pending:        d.Pending,
		Range:          d.Range,
		Source:         d.Source,
		Signer:         d.Signer,
		SignerKey:      d.SignerKey,
		KeptSigners:    d.KeptSigners,
		InstalledAt:    d.InstalledAt,
		UpdatedAt:      d.UpdatedAt,
		CrashedAt:      d.CrashedAt,
		CrashReason:    d.CrashReason,
	}
	if p.SignerKey == "" {
		// Records written before full keys were kept name only the key id
		// a signature claimed, which may never have been verified: such a
		// version counts as unsigned until an update verifies one.
		p.Signer, p.LegacySigner = "", d.Signer
	}
	if len(d.Grants) > 0 {
		p.Grants = make(permissions.Grants, len(d.Grants))
		for name, g := range d.Grants {
			p.Grants[name] = permissions.Grant{Permission: name, GrantedAt: g.GrantedAt}
		}
	}
	if len(d.Denied) > 0 {
		p.Denied = d.Denied
	}
	if err := p.check(); err != nil {
		return Plugin{}, fmt.Errorf("decode record: %w", err)
	}
	return p, nil
}

// idRE is the manifest's id rule; ids name directories, so the store checks
// them again rather than trust its callers.
var idRE = regexp.MustCompile(`^[a-z][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+$`)

// maxIDLen bounds ids like the manifest does.
const maxIDLen = 128

// checkID reports whether id is a valid plugin id.
func checkID(id string) error {
	if len(id) > maxIDLen || !idRE.MatchString(id) {
		return fmt.Errorf("%w: id %q is not a reverse-DNS plugin id such as \"com.example.notes\"", ErrInvalidRecord, id)
	}
	return nil
}

// checkVersion reports whether v is a strict semantic version. Such a
// string is always a safe single path element.
func checkVersion(v string) error {
	if _, err := semver.StrictNewVersion(v); err != nil {
		return fmt.Errorf("%w: version %q is not a semantic version such as \"1.4.2\"", ErrInvalidRecord, v)
	}
	return nil
}

// check validates the fields that name files or drive updates.
func (p *Plugin) check() error {
	if err := checkID(p.ID); err != nil {
		return err
	}
	if err := checkVersion(p.Version); err != nil {
		return err
	}
	for i, v := range p.Previous {
		if err := checkVersion(v); err != nil {
			return fmt.Errorf("previous: %w", err)
		}
		if v == p.Version || slices.Contains(p.Previous[:i], v) {
			return fmt.Errorf("%w: version %s listed twice", ErrInvalidRecord, v)
		}
	}
	if err := checkSignerKey(p.SignerKey); err != nil {
		return err
	}
	for v, k := range p.KeptSigners {
		if !slices.Contains(p.Previous, v) {
			return fmt.Errorf("%w: kept signer for version %s, which is not kept", ErrInvalidRecord, v)
		}
		if err := checkSignerKey(k); err != nil {
			return fmt.Errorf("version %s: %w", v, err)
		}
	}
	if strings.TrimSpace(p.Range) != "" {
		if _, err := semver.NewConstraint(p.Range); err != nil {
			return fmt.Errorf("%w: range %q: %w", ErrInvalidRecord, p.Range, err)
		}
	}
	return nil
}

// signerID returns the id of a SignerKey for display, or "" for none (or
// for a key that does not parse, which check refuses).
func signerID(key string) string {
	if key == "" {
		return ""
	}
	pk, err := signing.ParsePublicKey(key)
	if err != nil {
		return ""
	}
	return pk.ID().String()
}

// checkSignerKey reports whether key is "" or a minisign public key.
func checkSignerKey(key string) error {
	if key == "" {
		return nil
	}
	if _, err := signing.ParsePublicKey(key); err != nil {
		return fmt.Errorf("%w: signer key: %w", ErrInvalidRecord, err)
	}
	return nil
}

// DeniedNames returns the names in Denied, sorted, as
// host.LoadOptions.Denied takes them.
func (p Plugin) DeniedNames() []string { return slices.Sorted(maps.Keys(p.Denied)) }

// clone returns a deep copy of p, so callers never share slices or maps
// with a stored record.
func (p Plugin) clone() Plugin {
	p.Previous = slices.Clone(p.Previous)
	p.Pending = slices.Clone(p.Pending)
	p.Grants = maps.Clone(p.Grants)
	p.Denied = maps.Clone(p.Denied)
	p.KeptSigners = maps.Clone(p.KeptSigners)
	return p
}

// versions returns the current and kept versions of p.
func (p *Plugin) versions() []string {
	return append([]string{p.Version}, p.Previous...)
}

// legacyOr is the signer id to write: a record without a full key keeps
// its legacy id, so that a later write (a grant, say) does not drop it.
func legacyOr(signer, key, legacy string) string {
	if key == "" {
		return legacy
	}
	return signer
}
