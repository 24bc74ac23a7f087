package lint

import (
	"strconv"

	"github.com/wardenhq/warden/plugins/bundle"
)

// Size limits lint warns at: a quarter of what a bundle may hold, so that
// a plugin hears about its size long before `warden pack` refuses it, and
// a sixteenth of it for one file, which every install downloads, stores
// and (for a page's files) serves from memory.
var (
	warnTotalSize = bundle.DefaultLimits.MaxTotalSize / 4
	warnFileSize  = bundle.DefaultLimits.MaxTotalSize / 16
	warnFiles     = bundle.DefaultLimits.MaxEntries / 4
)

// file is one file the plugin ships: its slash path and size.
type file struct {
	name string
	size int64
}

// checkSizes reports files, and a plugin, near or over a bundle's limits.
// The bundle's own two entries (its list and signature) count against
// MaxEntries too.
func checkSizes(fs *findings, files []file) {
	lim := bundle.DefaultLimits
	var total int64
	for _, f := range files {
		total += f.size
		if f.size > warnFileSize && f.size <= lim.MaxTotalSize {
			fs.add(Warning, RuleFileOversized, f.name, 0, 0, "the file is %s; every install downloads and stores it, so keep one file under %s (shrink or compress it, or fetch it at run time through the http permission)", mib(f.size), mib(warnFileSize))
		}
	}
	switch {
	case total > lim.MaxTotalSize:
		fs.add(Error, RuleFileOversized, "", 0, 0, "the plugin's files add up to %s, more than the %s a bundle may hold; warden pack and install refuse it", mib(total), mib(lim.MaxTotalSize))
	case total > warnTotalSize:
		fs.add(Warning, RuleFileOversized, "", 0, 0, "the plugin's files add up to %s; a bundle may hold %s, and every install downloads all of it: keep it under %s", mib(total), mib(lim.MaxTotalSize), mib(warnTotalSize))
	}
	switch n := len(files) + 2; {
	case n > lim.MaxEntries:
		fs.add(Error, RuleFileCount, "", 0, 0, "the plugin has %d files, more than the %d a bundle may hold; warden pack refuses it", len(files), lim.MaxEntries-2)
	case n > warnFiles:
		fs.add(Warning, RuleFileCount, "", 0, 0, "the plugin has %d files; a bundle may hold %d: bundle the page's scripts and styles into fewer files", len(files), lim.MaxEntries-2)
	}
}

// mib renders a size in MiB with one decimal.
func mib(n int64) string {
	return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
}
