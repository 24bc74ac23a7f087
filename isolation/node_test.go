package isolation

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"
)

// runNode runs a harness script from testdata under node with stdin.
// Node is required: the isolation app is JavaScript and these tests are
// the proof that it seals exactly as Go opens.
func runNode(t *testing.T, script string, stdin any) []byte {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is required: apt-get install nodejs")
	}
	in, err := json.Marshal(stdin)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, script)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node %s: %v\n%s", script, err, stderr.String())
	}
	return out
}

// jsonEqual compares two JSON texts by value.
func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		t.Fatalf("%s: %v", a, err)
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return reflect.DeepEqual(va, vb)
}

func TestNodeSealInterop(t *testing.T) {
	t.Parallel()
	key := newTestKey(t)
	launch, err := NewLaunchID()
	if err != nil {
		t.Fatal(err)
	}
	reqs := []Request{
		{Seq: 1, ID: 1, Cmd: "storage.get", Args: json.RawMessage(`{"key":"settings","n":[1,2.5,true,null]}`)},
		{Seq: 2, ID: 2, Cmd: "ping"},
		{Seq: 3, ID: 3, Cmd: "notes.render", Args: json.RawMessage(`{"text":"héllo ✓ 日本語 😀 \"q\" <b>&amp;","tab":"\t"}`)},
		{Seq: 4, ID: 4, Cmd: "échö", Args: json.RawMessage(`"x"`)},
		{Seq: 10, ID: 0, Cmd: "backend.render", Args: json.RawMessage(`[]`)},
	}
	out := runNode(t, "testdata/seal.js", map[string]any{
		"key":      base64.StdEncoding.EncodeToString(key[:]),
		"plugin":   testPlugin,
		"launch":   launch,
		"requests": reqs,
	})
	envs := strings.Fields(string(out))
	if len(envs) != len(reqs) {
		t.Fatalf("node printed %d envelopes, want %d:\n%s", len(envs), len(reqs), out)
	}

	o := NewOpener(key, testPlugin, launch, 0)
	for i, env := range envs {
		got, err := o.Open([]byte(env))
		if err != nil {
			t.Fatalf("open JS envelope %d %q: %v", i, env, err)
		}
		want := reqs[i]
		if got.Seq != want.Seq || got.ID != want.ID || got.Cmd != want.Cmd || !jsonEqual(t, got.Args, want.Args) {
			t.Errorf("JS envelope %d opened as %+v (args %s), want %+v (args %s)", i, got, got.Args, want, want.Args)
		}
	}

	// The same JS envelopes, changed or misdirected, are refused.
	env := envs[0]
	fresh := func() *Opener { return NewOpener(key, testPlugin, launch, 0) }
	cases := []struct {
		name string
		o    *Opener
		env  []byte
		want error
	}{
		{"mutated ciphertext", fresh(), flipChar([]byte(env), 4, 7), ErrTampered},
		{"mutated nonce", fresh(), flipChar([]byte(env), 3, 1), ErrTampered},
		{"other plugin", NewOpener(key, "com.example.other", launch, 0), []byte(env), ErrWrongPlugin},
		{"other launch", NewOpener(key, testPlugin, testLaunch, 0), []byte(env), ErrWrongLaunch},
		{"other key", NewOpener(newTestKey(t), testPlugin, launch, 0), []byte(env), ErrTampered},
		{"replay", o, []byte(env), ErrReplay},
	}
	for _, c := range cases {
		if _, err := c.o.Open(c.env); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
}

type hookResult struct {
	Sent    []string `json:"sent"`
	SentIDs []uint64 `json:"sentIds"`
	Posted  []struct {
		ID    uint64 `json:"id"`
		Error string `json:"error"`
	} `json:"posted"`
	SyncSent   []uint64 `json:"syncSent"`
	SyncPosted []uint64 `json:"syncPosted"`
	KeyLeft    bool     `json:"keyLeft"`
	APIBytes   []string `json:"apiBytes"`
}

func runHook(t *testing.T, key Key, launch, hookVia string, withSend bool, messages []map[string]any) hookResult {
	t.Helper()
	doc, err := Document(key, testPlugin, launch)
	if err != nil {
		t.Fatal(err)
	}
	out := runNode(t, "testdata/hook.js", map[string]any{
		"document": string(doc),
		"hookVia":  hookVia,
		"withSend": withSend,
		"messages": messages,
	})
	var res hookResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("harness output %q: %v", out, err)
	}
	if res.KeyLeft {
		t.Error("the key is still in the document after start-up")
	}
	if len(res.APIBytes) != 0 {
		t.Errorf("WardenIsolation members %v hold byte arrays", res.APIBytes)
	}
	return res
}

func TestNodeHook(t *testing.T) {
	t.Parallel()
	key := newTestKey(t)
	launch, err := NewLaunchID()
	if err != nil {
		t.Fatal(err)
	}
	res := runHook(t, key, launch, "global", true, []map[string]any{
		{"id": 1, "cmd": "ping", "args": map[string]any{"n": 1}},
		{"id": 2, "cmd": "deny", "args": "secret"},
		{"id": 3, "cmd": "rewrite", "args": map[string]any{"a": 1}},
		{"id": 4, "cmd": "slow", "args": "s"},
		{"id": 5, "cmd": "deny.async"},
		{"id": 6, "cmd": "mutate", "args": 5},
		{"id": 7, "cmd": "echo", "args": map[string]any{"t": "héllo ✓ 日本語 😀"}},
		{"id": 8, "cmd": "ping", "fromOther": true},
		{"id": 9, "cmd": "deny.string"},
		{"id": 10, "cmd": "noargs"},
	})

	wantPosted := map[uint64]string{2: "denied by hook", 5: "denied later", 9: "plain string"}
	if len(res.Posted) != len(wantPosted) {
		t.Errorf("posted %+v, want errors for %v", res.Posted, wantPosted)
	}
	for _, p := range res.Posted {
		if wantPosted[p.ID] != p.Error {
			t.Errorf("posted {id:%d error:%q}, want %q", p.ID, p.Error, wantPosted[p.ID])
		}
	}

	wantArgs := map[uint64]struct{ cmd, args string }{
		1:  {"ping", `{"n":1}`},
		3:  {"rewritten", `{"by":"hook","was":{"a":1}}`},
		4:  {"slow", `"s"`},
		6:  {"mutate", `{"mutated":true}`},
		7:  {"echo", `{"t":"héllo ✓ 日本語 😀"}`},
		10: {"noargs", ``},
	}
	if len(res.Sent) != len(wantArgs) {
		t.Fatalf("sent %d envelopes, want %d (rejected requests must send nothing)", len(res.Sent), len(wantArgs))
	}
	// Opening in send order proves seq increases in the order envelopes
	// leave the frame, starting at 1.
	o := NewOpener(key, testPlugin, launch, 0)
	for i, env := range res.Sent {
		req, err := o.Open([]byte(env))
		if err != nil {
			t.Fatalf("open sent envelope %d: %v", i, err)
		}
		if req.Seq != uint64(i+1) {
			t.Errorf("envelope %d has seq %d, want %d", i, req.Seq, i+1)
		}
		want, ok := wantArgs[req.ID]
		if !ok {
			t.Errorf("unexpected envelope for id %d (%s)", req.ID, req.Cmd)
			continue
		}
		delete(wantArgs, req.ID)
		if req.Cmd != want.cmd || !jsonEqual(t, req.Args, []byte(want.args)) {
			t.Errorf("id %d sealed as %s %s, want %s %s", req.ID, req.Cmd, req.Args, want.cmd, want.args)
		}
	}
	if len(wantArgs) != 0 {
		t.Errorf("never sent: %v", wantArgs)
	}

	// A hook that answers synchronously gets its request sealed and sent,
	// or refused, in the task that received it; asynchronous verdicts
	// follow in the order they settle, with later seq numbers.
	if want := []uint64{1, 6, 7, 10}; !reflect.DeepEqual(res.SyncSent, want) {
		t.Errorf("sent synchronously: %v, want %v", res.SyncSent, want)
	}
	if want := []uint64{2, 9}; !reflect.DeepEqual(res.SyncPosted, want) {
		t.Errorf("refused synchronously: %v, want %v", res.SyncPosted, want)
	}
	if want := []uint64{1, 6, 7, 10, 3, 4}; !reflect.DeepEqual(res.SentIDs, want) {
		t.Errorf("send order (by id): %v, want %v", res.SentIDs, want)
	}
}

func TestNodeHookViaAPI(t *testing.T) {
	t.Parallel()
	key := newTestKey(t)
	res := runHook(t, key, testLaunch, "api", true, []map[string]any{
		{"id": 1, "cmd": "deny"},
		{"id": 2, "cmd": "rewrite", "args": []int{1}},
	})
	if len(res.Posted) != 1 || res.Posted[0].ID != 1 || res.Posted[0].Error != "denied by hook" {
		t.Errorf("posted %+v, want the hook's rejection of id 1", res.Posted)
	}
	if len(res.Sent) != 1 {
		t.Fatalf("sent %d envelopes, want 1", len(res.Sent))
	}
	req, err := NewOpener(key, testPlugin, testLaunch, 0).Open([]byte(res.Sent[0]))
	if err != nil {
		t.Fatal(err)
	}
	if req.ID != 2 || req.Cmd != "rewritten" || !jsonEqual(t, req.Args, []byte(`{"by":"hook","was":[1]}`)) {
		t.Errorf("sealed %+v (args %s)", req, req.Args)
	}
}

func TestNodeNoChannel(t *testing.T) {
	t.Parallel()
	key := newTestKey(t)
	res := runHook(t, key, testLaunch, "none", false, []map[string]any{{"id": 4, "cmd": "ping"}})
	if len(res.Sent) != 0 {
		t.Errorf("sent %v without a channel", res.Sent)
	}
	if len(res.Posted) != 1 || res.Posted[0].ID != 4 || res.Posted[0].Error != "isolation channel unavailable" {
		t.Errorf("posted %+v, want isolation channel unavailable for id 4", res.Posted)
	}
}

// TestNodeLargeRequests sends requests of very different sizes through one
// frame, so that the sealer's buffer grows, is kept or is not, and the
// base64url encoder works in more than one chunk.
func TestNodeLargeRequests(t *testing.T) {
	t.Parallel()
	key := newTestKey(t)
	sizes := []int{10, 5000, 70000, 20, 30000, 3, 200000, 1}
	var msgs []map[string]any
	for i, n := range sizes {
		msgs = append(msgs, map[string]any{"id": i + 1, "cmd": "echo", "args": strings.Repeat("é", n/2) + strings.Repeat("x", n%2)})
	}
	res := runHook(t, key, testLaunch, "none", true, msgs)
	if len(res.Posted) != 0 || len(res.Sent) != len(sizes) {
		t.Fatalf("sent %d, posted %+v; want %d sent", len(res.Sent), res.Posted, len(sizes))
	}
	o := NewOpener(key, testPlugin, testLaunch, 0)
	for i, env := range res.Sent {
		req, err := o.Open([]byte(env))
		if err != nil {
			t.Fatalf("open envelope %d (%d bytes): %v", i, len(env), err)
		}
		var got string
		if err := json.Unmarshal(req.Args, &got); err != nil || got != msgs[i]["args"] || req.ID != uint64(i+1) {
			t.Fatalf("envelope %d opened as id %d with %d bytes of args (%v), want id %d and %d", i, req.ID, len(got), err, i+1, len(msgs[i]["args"].(string)))
		}
	}
}
