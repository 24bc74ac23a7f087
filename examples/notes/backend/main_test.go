//go:build !wasip1

package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/wardenhq/warden/sdk/guest"
)

// storageHost is a NativeHost whose gateway keeps storage in a map, as the
// real host's storage capability does.
func storageHost(t *testing.T) *guest.NativeHost {
	t.Helper()
	data := map[string]string{}
	h := &guest.NativeHost{Call: func(cmd string, args []byte) ([]byte, error) {
		var a struct{ Key, Value, Prefix string }
		if err := json.Unmarshal(args, &a); err != nil {
			return nil, err
		}
		switch cmd {
		case "storage.set":
			data[a.Key] = a.Value
			return nil, nil
		case "storage.get":
			v, ok := data[a.Key]
			return json.Marshal(map[string]any{"value": v, "found": ok})
		case "storage.delete":
			delete(data, a.Key)
			return nil, nil
		case "storage.list":
			keys := []string{}
			for k := range data {
				if strings.HasPrefix(k, a.Prefix) {
					keys = append(keys, k)
				}
			}
			return json.Marshal(map[string]any{"keys": keys})
		}
		return nil, &guest.HostError{Code: "unknown_command", Message: cmd}
	}}
	prev := guest.UseNativeHost(h)
	t.Cleanup(func() { guest.UseNativeHost(prev) })
	return h
}

// call runs export with input as the host would and returns its output, or
// its error message.
func call(h *guest.NativeHost, export func() int32, input string) (string, string) {
	h.In, h.Out, h.Err = []byte(input), nil, ""
	if export() != 0 {
		return "", h.Err
	}
	return string(h.Out), ""
}

func TestSaveListRender(t *testing.T) {
	h := storageHost(t)
	if _, msg := call(h, save, `{"text":"# Plan\n\n- buy *milk*\n- [shop](javascript:x)\n\n<script>alert(1)</script>"}`); msg != "" {
		t.Fatal(msg)
	}
	out, msg := call(h, list, `{}`)
	if msg != "" {
		t.Fatal(msg)
	}
	var views []struct{ Text, HTML string }
	if err := json.Unmarshal([]byte(out), &views); err != nil || len(views) != 1 {
		t.Fatalf("list = %s (%v)", out, err)
	}
	want := "<h1>Plan</h1>\n<ul>\n<li>buy <em>milk</em></li>\n<li>shop</li>\n</ul>\n<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"
	if views[0].HTML != want {
		t.Errorf("list html = %q, want %q", views[0].HTML, want)
	}
	if !strings.HasPrefix(views[0].Text, "# Plan") {
		t.Errorf("list text = %q: the markdown must be kept as written", views[0].Text)
	}

	out, msg = call(h, render, `"**bold** [go](https://go.dev)"`)
	var html string
	if msg != "" || json.Unmarshal([]byte(out), &html) != nil || html != "<p><strong>bold</strong> <a href=\"https://go.dev\">go</a></p>\n" {
		t.Errorf("render = %s %q", out, msg)
	}
	long, _ := json.Marshal(strings.Repeat("a", maxText+1))
	if _, msg := call(h, render, string(long)); !strings.Contains(msg, "longer than") {
		t.Errorf("render of an over-long note: error %q", msg)
	}
}
