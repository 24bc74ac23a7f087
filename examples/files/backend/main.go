// Command files is the backend of the files example plugin: stats counts
// the lines, words and characters of a text and finds its most common
// words. The page gets the text from a file the user picks in a file
// dialog (dialog.open); the plugin has no fs scopes, so it reads no other
// file.
package main

//lint:file-ignore U1000 the exports are called by the host through //go:wasmexport

import "github.com/wardenhq/warden/sdk/guest"

// StatsInput is the input of stats: the file's name and its text.
type StatsInput struct {
	Name string `json:"name"`
	Text string `json:"text"`
}

//go:wasmexport stats
func stats() int32 {
	return guest.HandleJSON(func(in StatsInput) (Stats, error) { return Count(in.Name, in.Text), nil })
}

func main() {}
