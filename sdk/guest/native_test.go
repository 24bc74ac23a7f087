//go:build !wasip1

package guest

import (
	"encoding/json"
	"errors"
	"reflect"
	"sort"
	"strings"
	"testing"
)

type coded struct{ code string }

func (c coded) Error() string { return "refused by policy" }
func (c coded) Code() string  { return c.code }

// mapHost is a NativeHost whose gateway is a map-backed storage.
func mapHost(t *testing.T) (*NativeHost, map[string]string, *[]string) {
	data := map[string]string{}
	var cmds []string
	h := &NativeHost{Call: func(cmd string, args []byte) ([]byte, error) {
		cmds = append(cmds, cmd)
		var a struct{ Key, Value, Prefix, Level, Message string }
		if err := json.Unmarshal(args, &a); err != nil {
			return nil, err
		}
		switch cmd {
		case "storage.get":
			v, ok := data[a.Key]
			if !ok {
				return []byte(`{"value":null,"found":false}`), nil
			}
			return json.Marshal(map[string]any{"value": v, "found": true})
		case "storage.set":
			data[a.Key] = a.Value
			return nil, nil
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
			sort.Strings(keys)
			return json.Marshal(map[string]any{"keys": keys})
		case "fs.read":
			return []byte(`{"data":"aGk="}`), nil
		case "http.fetch":
			return []byte(`{"status":200,"headers":{"a":"b"},"body":"b2s="}`), nil
		case "log", "fs.write", "event.emit":
			return nil, nil
		}
		return nil, coded{"denied"}
	}}
	prev := UseNativeHost(h)
	t.Cleanup(func() { UseNativeHost(prev) })
	return h, data, &cmds
}

func TestStorage(t *testing.T) {
	_, data, _ := mapHost(t)
	if _, found, err := StorageGet("a"); err != nil || found {
		t.Fatalf("get missing: %v %v", found, err)
	}
	for _, k := range []string{"note/1", "note/2", "other"} {
		if err := StorageSet(k, "v-"+k); err != nil {
			t.Fatal(err)
		}
	}
	if v, found, err := StorageGet("note/1"); err != nil || !found || v != "v-note/1" {
		t.Fatalf("get = %q %v %v", v, found, err)
	}
	keys, err := StorageList("note/")
	if err != nil || !reflect.DeepEqual(keys, []string{"note/1", "note/2"}) {
		t.Fatalf("list = %v %v", keys, err)
	}
	if err := StorageDelete("note/1"); err != nil {
		t.Fatal(err)
	}
	if _, ok := data["note/1"]; ok {
		t.Fatal("delete kept the key")
	}
}

func TestOtherCapabilities(t *testing.T) {
	_, _, cmds := mapHost(t)
	if b, err := ReadFile("/x"); err != nil || string(b) != "hi" {
		t.Fatalf("ReadFile = %q %v", b, err)
	}
	if err := WriteFile("/x", []byte("hi")); err != nil {
		t.Fatal(err)
	}
	resp, err := Fetch(HTTPRequest{URL: "https://example.com/"})
	if err != nil || resp.Status != 200 || string(resp.Body) != "ok" || resp.Headers["a"] != "b" {
		t.Fatalf("Fetch = %+v %v", resp, err)
	}
	if err := Log("info", "hello"); err != nil {
		t.Fatal(err)
	}
	if err := Log("loud", "hello"); err == nil {
		t.Error("unknown log level accepted")
	}
	if err := Emit("saved", map[string]int{"n": 1}); err != nil {
		t.Fatal(err)
	}
	want := []string{"fs.read", "fs.write", "http.fetch", "log", "event.emit"}
	if !reflect.DeepEqual(*cmds, want) {
		t.Errorf("commands = %v, want %v", *cmds, want)
	}
	err = Call("clipboard.read", nil, nil)
	var he *HostError
	if !errors.As(err, &he) || he.Code != "denied" || he.Message != "refused by policy" {
		t.Fatalf("denied call: %v", err)
	}
}

func TestHandle(t *testing.T) {
	h, _, _ := mapHost(t)
	h.In = []byte(`"Ada"`)
	status := HandleJSON(func(name string) (string, error) { return "Hello, " + name, nil })
	if status != 0 || string(h.Out) != `"Hello, Ada"` {
		t.Fatalf("HandleJSON = %d %s", status, h.Out)
	}
	status = Handle(func([]byte) ([]byte, error) { return nil, errors.New("boom") })
	if status != 1 || h.Err != "boom" {
		t.Fatalf("Handle error = %d %q", status, h.Err)
	}
	status = Handle(func([]byte) ([]byte, error) { panic("oops") })
	if status != 1 || h.Err != "panic: oops" {
		t.Fatalf("Handle panic = %d %q", status, h.Err)
	}
	h.In = []byte(`{bad`)
	if HandleJSON(func(string) (string, error) { return "", nil }) != 1 || !strings.Contains(h.Err, "decode input") {
		t.Fatalf("bad input: %q", h.Err)
	}
}

// A call with no arguments (warden.invoke("backend.x") from a page) has an
// empty input: a JSON handler gets its argument type's zero value, as for
// JSON null, instead of a decode error.
func TestHandleJSONEmptyInput(t *testing.T) {
	type opts struct{ Limit int }
	h, _, _ := mapHost(t)
	for _, in := range []string{"", " \n", "null"} {
		h.In, h.Out, h.Err = []byte(in), nil, ""
		if s := HandleJSON(func(o opts) (int, error) { return o.Limit, nil }); s != 0 || string(h.Out) != "0" {
			t.Errorf("struct handler, input %q: status %d, output %s, error %q", in, s, h.Out, h.Err)
		}
		if s := HandleJSON(func(o *opts) (bool, error) { return o == nil, nil }); s != 0 || string(h.Out) != "true" {
			t.Errorf("pointer handler, input %q: status %d, output %s, error %q", in, s, h.Out, h.Err)
		}
		if s := HandleJSON(func(s string) (string, error) { return "<" + s + ">", nil }); s != 0 || string(h.Out) != `"\u003c\u003e"` {
			t.Errorf("string handler, input %q: status %d, output %s, error %q", in, s, h.Out, h.Err)
		}
		var o opts
		if err := InputJSON(&o); err != nil {
			t.Errorf("InputJSON, input %q: %v", in, err)
		}
	}
	// Input that is there but malformed is still an error.
	h.In = []byte(`{"Limit":`)
	if HandleJSON(func(o opts) (int, error) { return 0, nil }) != 1 || !strings.Contains(h.Err, "decode input") {
		t.Errorf("truncated input: error %q", h.Err)
	}
}

func TestConfigFromHost(t *testing.T) {
	h, _, _ := mapHost(t)
	h.Config = map[string]string{"k": "v"}
	if v, ok := Config("k"); !ok || v != "v" {
		t.Fatal("Config")
	}
	UseNativeHost(&NativeHost{})
	if err := Call("log", nil, nil); err == nil || !strings.Contains(err.Error(), "unavailable") {
		t.Fatalf("call without host: %v", err)
	}
}
