// Command notes is the backend of the notes example plugin: notes are kept in the
// plugin's storage under "note/<id>" keys, written in markdown, and rendered to
// sanitised HTML here in the backend (see renderMarkdown) for the page to show.
package main

//lint:file-ignore U1000 the exports are called by the host through //go:wasmexport

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/wardenhq/warden/sdk/guest"
)

// keyPrefix starts the storage key of every note.
const keyPrefix = "note/"

// maxText bounds one note so storage stays small.
const maxText = 64 << 10

var (
	errEmptyText = errors.New("note must not be empty")
	errTooLong   = fmt.Errorf("note is longer than %d bytes", maxText)
	errBadID     = errors.New("note id must be a non-empty string without '/'")
)

// Note is one stored note.
type Note struct {
	ID      string `json:"id"`
	Text    string `json:"text"`
	Created int64  `json:"created"` // Unix milliseconds
}

// View is a note as the page shows it: the note and its text rendered as HTML.
type View struct {
	Note
	HTML string `json:"html"`
}

func viewOf(n Note) View { return View{Note: n, HTML: renderMarkdown(n.Text)} }

// SaveInput is the input of save: a new note, or an existing one when ID is set.
type SaveInput struct {
	ID   string `json:"id,omitempty"`
	Text string `json:"text"`
}

//go:wasmexport save
func save() int32 {
	return guest.HandleJSON(func(in SaveInput) (View, error) {
		n, err := saveNote(in)
		return viewOf(n), err
	})
}

//go:wasmexport list
func list() int32 {
	return guest.HandleJSON(func(struct{}) ([]View, error) {
		notes, err := listNotes()
		views := make([]View, len(notes))
		for i, n := range notes {
			views[i] = viewOf(n)
		}
		return views, err
	})
}

// render takes markdown (a JSON string) and returns its HTML, for a preview
// of a note not saved yet.
//
//go:wasmexport render
func render() int32 { return guest.HandleJSON(renderText) }

func renderText(text string) (string, error) {
	if len(text) > maxText {
		return "", errTooLong
	}
	return renderMarkdown(text), nil
}

//go:wasmexport remove
func remove() int32 {
	return guest.HandleJSON(func(id string) (bool, error) { return true, removeNote(id) })
}

func saveNote(in SaveInput) (Note, error) {
	text := strings.TrimSpace(in.Text)
	switch {
	case text == "":
		return Note{}, errEmptyText
	case len(text) > maxText:
		return Note{}, errTooLong
	}
	now := time.Now()
	n := Note{ID: in.ID, Text: text, Created: now.UnixMilli()}
	if n.ID == "" {
		// Time-ordered ids list notes in the order they were written.
		n.ID = strconv.FormatInt(now.UnixNano(), 36)
	} else if !validID(n.ID) {
		return Note{}, errBadID
	}
	b, err := json.Marshal(n)
	if err != nil {
		return Note{}, fmt.Errorf("encode note: %w", err)
	}
	if err := guest.StorageSet(keyPrefix+n.ID, string(b)); err != nil {
		return Note{}, err
	}
	return n, nil
}

func listNotes() ([]Note, error) {
	keys, err := guest.StorageList(keyPrefix)
	if err != nil {
		return nil, err
	}
	notes := make([]Note, 0, len(keys))
	for _, k := range keys {
		v, found, err := guest.StorageGet(k)
		if err != nil {
			return nil, err
		}
		var n Note
		if !found || json.Unmarshal([]byte(v), &n) != nil {
			continue // removed meanwhile, or not written by this backend
		}
		notes = append(notes, n)
	}
	sort.Slice(notes, func(i, j int) bool {
		if notes[i].Created != notes[j].Created {
			return notes[i].Created > notes[j].Created
		}
		return notes[i].ID > notes[j].ID
	})
	return notes, nil
}

func removeNote(id string) error {
	if !validID(id) {
		return errBadID
	}
	return guest.StorageDelete(keyPrefix + id)
}

func validID(id string) bool { return id != "" && len(id) <= 64 && !strings.Contains(id, "/") }

func main() {}
