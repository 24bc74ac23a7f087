// Package watch reports changes to a plugin's source directory, for
// warden dev: it watches every directory under the root (inotify watches
// one directory at a time, so new directories are added as they appear),
// leaves out what no edit of the plugin makes (.git, node_modules, editor
// swap and backup files, temporary files being written, paths the caller
// names such as the built backend), and hands over each burst of changes
// once it has been quiet for a moment, as one batch.
package watch
