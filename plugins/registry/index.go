package registry

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/Masterminds/semver/v3"

	"github.com/wardenhq/warden/internal/strictjson"
	"github.com/wardenhq/warden/plugins/signing"
)

// IndexVersion is the index format this package reads and writes.
const IndexVersion = 1

// Names of the index files inside a registry directory.
const (
	IndexName     = "index.json"
	SignatureName = IndexName + ".minisig"
	BundlesDir    = "bundles"
)

// Index is a parsed registry index. See the package documentation for the
// format.
type Index struct {
	// IndexVersion is always IndexVersion.
	IndexVersion int `json:"index_version"`
	// Updated is when the index was last written.
	Updated time.Time `json:"updated"`
	// Expires is when clients stop accepting the index ([ErrExpiredIndex]),
	// so that a mirror cannot serve an old but validly signed index
	// forever: the registry must re-sign it before then (warden registry
	// add or refresh). The zero time (an index written before indexes
	// expired) is accepted by [ParseIndex] but refused by [Client.Index].
	Expires time.Time `json:"expires,omitzero"`
	// Plugins maps plugin ids to their entries.
	Plugins map[string]Plugin `json:"plugins"`
}

// Plugin is one plugin's entry in the index.
type Plugin struct {
	// Name, Publisher and Description come from the manifest of the
	// plugin's highest version.
	Name        string `json:"name"`
	Publisher   string `json:"publisher,omitempty"`
	Description string `json:"description,omitempty"`
	// Versions are in ascending semver order.
	Versions []Version `json:"versions"`
}

// Version is one published version of a plugin.
type Version struct {
	// ID is the plugin's id: the key of its entry, not a field of its own.
	ID string `json:"-"`
	// Version is the manifest's version, a strict semantic version.
	Version string `json:"version"`
	// URL locates the bundle: relative to the index's URL, or an absolute
	// http or https URL.
	URL string `json:"url"`
	// SHA256 is the lower-case hex SHA-256 of the whole bundle file.
	SHA256 string `json:"sha256"`
	// Size is the bundle file's size in bytes.
	Size int64 `json:"size"`
	// Host is the manifest's semver constraint on the host version.
	Host string `json:"host"`
	// Permissions are the permissions the user must consent to.
	Permissions []string `json:"permissions,omitempty"`
	// Signer is the id of the publisher key that signed the bundle, as the
	// signature claims it.
	Signer signing.KeyID `json:"signer"`
	// SignerKey, when set, is the publisher's full public key, against
	// which [Add] verified the bundle's signature: installers verify the
	// bundle with it too, and bind the installed plugin to it. Zero when
	// the registry was not given the publisher's key.
	SignerKey signing.PublicKey `json:"signer_key,omitzero"`
	// Published is when the version was added to the registry.
	Published time.Time `json:"published"`
}

// String names the version as "id@version".
func (v Version) String() string { return v.ID + "@" + v.Version }

// DefaultValidity is how long an index that [Add] or [Refresh] signs stays
// valid when the caller does not say.
const DefaultValidity = 30 * 24 * time.Hour

// NewIndex returns an empty index updated now.
func NewIndex() *Index {
	return &Index{IndexVersion: IndexVersion, Updated: time.Now().UTC().Truncate(time.Second), Plugins: map[string]Plugin{}}
}

// indexOptions describes index.json to the strict decoder.
var indexOptions = strictjson.Options{
	Name:        "index",
	RootMessage: "index.json must be a JSON object",
}

// ParseIndex parses and validates index.json. Parsing is strict: besides
// what the format requires (see the package documentation), unknown
// fields, duplicate keys, null, invalid UTF-8 and data after the index are
// errors, each naming the field's JSON path and its line and column.
// Errors wrap ErrMalformedIndex and name the offending field. Versions
// come back in ascending order, each with its ID set. ParseIndex does not
// check a signature. It costs one pass over data.
func ParseIndex(data []byte) (*Index, error) {
	var ix Index
	if _, err := strictjson.Decode(data, &ix, indexOptions); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformedIndex, err)
	}
	if err := ix.validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformedIndex, err)
	}
	for id, p := range ix.Plugins {
		for i := range p.Versions {
			p.Versions[i].ID = id
		}
		sortVersions(p.Versions)
	}
	return &ix, nil
}

// Marshal encodes the index as index.json: indented, plugins sorted by id
// (encoding/json sorts map keys), versions in ascending order.
func (ix *Index) Marshal() ([]byte, error) {
	out := *ix
	out.Plugins = make(map[string]Plugin, len(ix.Plugins))
	for id, p := range ix.Plugins {
		p.Versions = slices.Clone(p.Versions)
		sortVersions(p.Versions)
		out.Plugins[id] = p
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep host constraints such as ">=0.1.0 <1.0.0" readable
	enc.SetIndent("", "  ")
	if err := enc.Encode(&out); err != nil {
		return nil, fmt.Errorf("encode index: %w", err)
	}
	return buf.Bytes(), nil
}

// IDs returns the ids of the plugins in the index, sorted.
func (ix *Index) IDs() []string {
	ids := make([]string, 0, len(ix.Plugins))
	for id := range ix.Plugins {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Versions returns a copy of the versions of plugin id in ascending order,
// or nil when the index does not list it.
func (ix *Index) Versions(id string) []Version {
	p, ok := ix.Plugins[id]
	if !ok {
		return nil
	}
	vs := slices.Clone(p.Versions)
	for i := range vs {
		vs[i].ID = id
	}
	return vs
}

// sortVersions orders versions ascending by semver; strings that do not
// parse (only possible before validation) sort first.
func sortVersions(vs []Version) {
	slices.SortStableFunc(vs, func(a, b Version) int {
		va, ea := semver.StrictNewVersion(a.Version)
		vb, eb := semver.StrictNewVersion(b.Version)
		switch {
		case ea != nil && eb != nil:
			return 0
		case ea != nil:
			return -1
		case eb != nil:
			return 1
		}
		return va.Compare(vb)
	})
}
