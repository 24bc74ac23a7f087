package js

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/isolation"
)

// hookPath is the admin isolation hook of the hookreject test plugin; the
// chain test runs it as the host would.
var hookPath = filepath.Join("..", "..", "testdata", "plugins", "hookreject", "isolation-hook.js")

// fakeCore answers envelopes the way the core does, for the chain test: it
// opens each with the launch's opener and replies by command.
type fakeCore struct {
	opener *isolation.Opener
	seen   []isolation.Request
	// envelopes are the envelopes behind seen.
	envelopes []string
	routes    map[string]int // envelopes per route: "handler", "direct"
}

// answer returns the reply JSON for one envelope, or errMsg to make the
// native handler reject (the webview process failing the delivery).
func (c *fakeCore) answer(envelope string) (reply, errMsg string) {
	req, err := c.opener.Open([]byte(envelope))
	if err != nil {
		return replyError(0, "tampered", err.Error()), ""
	}
	c.seen = append(c.seen, req)
	c.envelopes = append(c.envelopes, envelope)
	switch req.Cmd {
	case "echo":
		args := req.Args
		if len(args) == 0 {
			args = json.RawMessage("null")
		}
		return `{"id":` + jsonOf(req.ID) + `,"ok":true,"result":` + string(args) + `}`, ""
	case "deny":
		return replyError(req.ID, "not_granted", "deny is not granted"), ""
	case "tamper":
		// What the core says when it cannot open an envelope: no id.
		return replyError(0, "tampered", "envelope failed authentication"), ""
	case "drop":
		return "", "webview closing"
	default:
		return `{"id":` + jsonOf(req.ID) + `,"ok":true,"result":"reached the core"}`, ""
	}
}

func replyError(id uint64, code, msg string) string {
	return `{"id":` + jsonOf(id) + `,"ok":false,"error":{"code":` + jsonOf(code) + `,"message":` + jsonOf(msg) + `}}`
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// runChain runs testdata/chain_harness.js with job, playing the core.
func runChain(t *testing.T, job map[string]any, core *fakeCore) json.RawMessage {
	t.Helper()
	for _, f := range harnessFiles {
		if _, err := os.ReadFile(filepath.Join("testdata", f)); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, nodePath(t), "testdata/chain_harness.js")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Wait() }()
	enc := json.NewEncoder(stdin)
	if err := enc.Encode(job); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var line struct {
			Envelope *string         `json:"envelope"`
			N        int             `json:"n"`
			Route    string          `json:"route"`
			Done     json.RawMessage `json:"done"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("harness line %q: %v", sc.Text(), err)
		}
		if line.Done != nil {
			_ = stdin.Close()
			return line.Done
		}
		if line.Envelope == nil {
			t.Fatalf("harness line without envelope: %s", sc.Text())
		}
		if core.routes == nil {
			core.routes = map[string]int{}
		}
		core.routes[line.Route]++
		reply, errMsg := core.answer(*line.Envelope)
		answer := map[string]any{"n": line.N, "reply": reply}
		if errMsg != "" {
			answer = map[string]any{"n": line.N, "error": errMsg}
		}
		if err := enc.Encode(answer); err != nil {
			t.Fatal(err)
		}
	}
	t.Fatalf("harness ended without a result: %v\n%s", sc.Err(), stderr.String())
	return nil
}

// isolationJS returns the default isolation app's script.
func isolationJS(t *testing.T) string {
	t.Helper()
	b, err := fs.ReadFile(isolation.App(), "isolation.js")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestChain runs warden.invoke through the bridge, the isolation app, the
// admin hook and the channel to a core that opens the envelopes with Go's
// opener: through the native handler (relayed by the webview process), and
// through the web extension's __wardenSend when it is there, with the same
// results.
func TestChain(t *testing.T) {
	for _, route := range []string{"handler", "direct"} {
		t.Run(route, func(t *testing.T) { testChain(t, route == "direct") })
	}
}

func testChain(t *testing.T, direct bool) {
	const plugin = "test.warden.hookreject"
	hook, err := os.ReadFile(hookPath)
	if err != nil {
		t.Fatal(err)
	}
	calls := []map[string]any{
		{"cmd": "echo", "args": map[string]any{"text": "héllo", "n": []any{1, 2}}},
		{"cmd": "deny"},
		{"cmd": "storage.delete", "args": map[string]any{"key": "k"}},
		{"cmd": "echo"},
		{"cmd": "tamper"},
		{"cmd": "drop"},
		{"cmd": "storage.get", "args": map[string]any{"key": "k"}},
	}
	key, err := isolation.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	launch, err := isolation.NewLaunchID()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := isolation.Document(key, plugin, launch)
	if err != nil {
		t.Fatal(err)
	}
	core := &fakeCore{opener: isolation.NewOpener(key, plugin, launch, 0)}
	got := runChain(t, map[string]any{
		"mode": "chain", "plugin": plugin, "bridge": Bridge, "channel": Channel,
		"isolation": isolationJS(t), "hooks": []string{string(hook)},
		"document": string(doc), "handler": true, "direct": direct, "calls": calls,
	}, core)
	want := `{"results":[
				{"ok":true,"value":{"text":"héllo","n":[1,2]}},
				{"ok":false,"name":"WardenError","code":"not_granted","message":"deny is not granted"},
				{"ok":false,"name":"WardenError","code":"isolation","message":"hook: storage.delete is not allowed"},
				{"ok":true,"value":null},
				{"ok":false,"name":"WardenError","code":"tampered","message":"envelope failed authentication"},
				{"ok":false,"name":"WardenError","code":"isolation","message":"webview closing"},
				{"ok":true,"value":"reached the core"}],
				"keyLeft":false,"directLeft":false,"pageHasWebkit":false,"armedTimers":0}`
	if !sameJSON(t, got, []byte(want)) {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	// Every envelope took one route: the direct one whenever it exists.
	wantRoute, otherRoute := "handler", "direct"
	if direct {
		wantRoute, otherRoute = "direct", "handler"
	}
	if core.routes[wantRoute] != len(core.seen) || core.routes[otherRoute] != 0 {
		t.Errorf("routes %v, want all %d on %s", core.routes, len(core.seen), wantRoute)
	}
	// The hook kept storage.delete from the core; everything else
	// arrived sealed, in seq order, with the bridge's ids.
	var cmds []string
	for i, r := range core.seen {
		cmds = append(cmds, r.Cmd)
		if i > 0 && r.Seq <= core.seen[i-1].Seq {
			t.Errorf("seq %d after %d", r.Seq, core.seen[i-1].Seq)
		}
	}
	if want := "echo deny echo tamper drop storage.get"; strings.Join(cmds, " ") != want {
		t.Errorf("core saw %q, want %q", cmds, want)
	}
	ids := map[string]uint64{}
	for _, r := range core.seen {
		ids[r.Cmd] = max(ids[r.Cmd], r.ID)
	}
	if ids["deny"] != 2 || ids["storage.get"] != 7 {
		t.Errorf("request ids %v: want the bridge's ids (deny 2, storage.get 7)", ids)
	}
}

// TestChainDirectClosed: when the web extension's channel has closed,
// __wardenSend throws and each caller gets the error; nothing falls back to
// the handler, which would break the launch's seq order.
func TestChainDirectClosed(t *testing.T) {
	const plugin = "test.plugin"
	key, err := isolation.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := isolation.Document(key, plugin, "launch-1")
	if err != nil {
		t.Fatal(err)
	}
	core := &fakeCore{opener: isolation.NewOpener(key, plugin, "launch-1", 0)}
	got := runChain(t, map[string]any{
		"mode": "chain", "plugin": plugin, "bridge": Bridge, "channel": Channel,
		"isolation": isolationJS(t), "document": string(doc), "handler": true,
		"direct": true, "directClosed": true, "calls": []map[string]any{{"cmd": "echo"}, {"cmd": "echo"}},
	}, core)
	want := `{"results":[
				{"ok":false,"name":"WardenError","code":"isolation","message":"core channel closed"},
				{"ok":false,"name":"WardenError","code":"isolation","message":"core channel closed"}],
				"keyLeft":false,"directLeft":false,"pageHasWebkit":false,"armedTimers":0}`
	if !sameJSON(t, got, []byte(want)) {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if len(core.routes) != 0 {
		t.Errorf("envelopes reached the core: %v", core.routes)
	}
}

// TestChannelInstall checks where channel.js installs itself: only in a
// launch's isolation document with the native handler present.
func TestChannelInstall(t *testing.T) {
	key, err := isolation.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := isolation.Document(key, "test.plugin", "launch-1")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		document string
		handler  bool
		want     string
	}{
		{"launch document", string(doc), true, `{"posted":[{"msg":{"ready":true},"origin":"*"}],"sendInstalled":true}`},
		{"refused document (404 page)", "<html><body><pre>Not Found</pre></body></html>", true, `{"posted":[],"sendInstalled":false}`},
		{"no native handler", string(doc), false, `{"posted":[],"sendInstalled":false}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runChain(t, map[string]any{
				"mode": "probe", "channel": Channel, "isolation": isolationJS(t),
				"document": tt.document, "handler": tt.handler,
			}, &fakeCore{})
			if !sameJSON(t, got, []byte(tt.want)) {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}
