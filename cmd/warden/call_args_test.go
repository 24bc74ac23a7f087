package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestCallBackendWithoutArgs: a backend command whose Go handler takes a
// struct (notes' list, written with the guest SDK's HandleJSON) runs when
// it is called with no arguments, as warden.invoke("backend.list") does
// from a page: the empty input is JSON null, not a decode error.
func TestCallBackendWithoutArgs(t *testing.T) {
	notes := example(t, "notes")
	out, errOut, code := runCLI(t, "call", "--profile", profile, notes, "backend.list")
	var notesList []json.RawMessage
	if code != 0 || json.Unmarshal([]byte(out), &notesList) != nil {
		t.Fatalf("call backend.list with no args: exit %d, stdout %q, stderr %q; want a JSON list", code, out, errOut)
	}
	if strings.Contains(errOut, "unexpected end of JSON input") {
		t.Errorf("stderr: %s", errOut)
	}
}
