package host

import "path/filepath"

// dataSpace is where one loaded plugin keeps its data: its storage bucket,
// its $DATA directory and its website data (localStorage, caches). An
// installed plugin's is named by its id. A plugin run from its source
// directory gets one of its own under dev/, so that trying a change never
// reads or damages what the installed plugin with the same id stored, nor
// the other way round. "dev/" cannot begin a plugin id (ids are
// reverse-DNS names without '/'), so the two can never meet.
type dataSpace struct {
	storage string // the storage bucket
	data    string // $DATA
	web     string // website data directory
}

// devSpacePrefix names the storage buckets of plugins run from source.
const devSpacePrefix = "dev/"

// dataSpace returns the data space of plugin id, run from source or
// installed.
func (h *Host) dataSpace(id string, source bool) dataSpace {
	if source {
		root := filepath.Join(h.opts.Profile, "dev", id)
		return dataSpace{storage: devSpacePrefix + id, data: filepath.Join(root, "data"), web: filepath.Join(root, "webdata")}
	}
	return dataSpace{storage: id, data: filepath.Join(h.opts.Profile, "data", id), web: filepath.Join(h.opts.Profile, "webdata", id)}
}

// StorageName returns the name the plugin's storage keys are kept under
// in Host.Storage: its id when installed, "dev/<id>" when it runs from
// its source directory.
func (p *Plugin) StorageName() string { return p.space.storage }

// WebDataDir returns the directory for the plugin page's website data
// (localStorage, IndexedDB, caches); nothing creates it but the webview.
func (p *Plugin) WebDataDir() string { return p.space.web }
