package host

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardenhq/warden/host/backend"
	"github.com/wardenhq/warden/host/ipc"
)

// TestRepliesFitInOneFrame: whatever a plugin makes a capability return,
// the reply stays within Limits.MaxReply and so within one IPC frame; a
// result over it is a reply_too_large (or too_large) error, and the next
// request is answered normally.
func TestRepliesFitInOneFrame(t *testing.T) {
	ctx := context.Background()
	const maxReply = 64 << 10
	h := newHost(t, Options{Limits: Limits{MaxReply: maxReply}})
	p := load(t, h, writeRelayPlugin(t, "http://127.0.0.1:1/*"), LoadOptions{Grants: grants("storage", "fs.read")})
	c := launch(t, p)
	c.l.OnEvent(func(Event) {})
	if err := h.store.Set(p.ID(), "big", bytes.Repeat([]byte("v"), maxReply), h.limits.StorageQuota); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(p.DataDir(), "big.bin"), make([]byte, maxReply), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		cmd  string
		args any
		want Code
	}{
		{"storage.get of a value over the limit", "storage.get", map[string]string{"key": "big"}, CodeReplyTooLarge},
		{"fs.read of a file whose encoding is over the limit", "fs.read", map[string]string{"path": "$DATA/big.bin"}, CodeTooLarge},
		{"backend output over the limit", "backend.big", maxReply, CodeReplyTooLarge},
		{"event over the limit", "backend.hostcall", map[string]any{"cmd": "event.emit", "args": map[string]any{"event": "e", "payload": strings.Repeat("x", maxReply)}}, CodeTooLarge},
		{"host call result over the limit", "backend.hostcall", map[string]any{"cmd": "storage.get", "args": map[string]string{"key": "big"}}, CodeReplyTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.Invoke(ctx, c.l, c.seal(t, tt.cmd, tt.args))
			if n := len(r.AppendJSON(nil)); n > maxReply {
				t.Fatalf("reply of %d bytes, limit %d", n, maxReply)
			}
			if tt.cmd == "backend.hostcall" {
				// The host call is refused to the backend, which reports it.
				var out struct{ Code string }
				if !r.OK || json.Unmarshal(r.Result, &out) != nil || Code(out.Code) != tt.want {
					t.Fatalf("host call: %.200s %v, want %s", r.Result, r.Error, tt.want)
				}
			} else if r.OK || r.Error.Code != tt.want || !strings.Contains(r.Error.Message, "limit") && !strings.Contains(r.Error.Message, "at most") {
				t.Fatalf("reply %+v %v, want %s naming the limit", r, r.Error, tt.want)
			}
			if r := h.Invoke(ctx, c.l, c.seal(t, "storage.list", map[string]string{})); !r.OK {
				t.Fatalf("next request: %v", r.Error)
			}
		})
	}
}

// TestDefaultRepliesFitInAFrame: the default limits leave every reply
// room in one frame.
func TestDefaultRepliesFitInAFrame(t *testing.T) {
	l := Limits{MaxReply: 1 << 30}.withDefaults()
	if l.MaxReply > ipc.MaxFrame-5 || DefaultLimits.MaxReply > ipc.MaxFrame-5 {
		t.Fatalf("MaxReply %d (default %d) exceeds a frame's payload", l.MaxReply, DefaultLimits.MaxReply)
	}
}

// TestBackendHostCallLoopIsRateLimited: a backend export that loops on
// host calls spends the plugin's rate budget, so it is throttled like a
// page flooding invokes, and the page's own next invoke finds the budget
// spent.
func TestBackendHostCallLoopIsRateLimited(t *testing.T) {
	ctx := context.Background()
	const burst = 10
	h := newHost(t, Options{Limits: Limits{Rate: 1, Burst: burst}})
	p := load(t, h, writeRelayPlugin(t, "http://127.0.0.1:1/*"), LoadOptions{Grants: grants("storage")})
	c := launch(t, p)
	r := h.Invoke(ctx, c.l, c.seal(t, "backend.hostloop", map[string]any{"cmd": "storage.get", "args": map[string]string{"key": "k"}, "n": 100}))
	if !r.OK {
		t.Fatalf("hostloop: %v", r.Error)
	}
	var codes map[string]int
	if err := json.Unmarshal(r.Result, &codes); err != nil {
		t.Fatal(err)
	}
	// The invoke took one token; a second or two may have refilled.
	if codes["ok"] > burst+2 || codes[string(CodeRateLimited)] < 100-burst-2 {
		t.Fatalf("host calls answered %v: a loop of 100 must be limited to about %d", codes, burst)
	}
	if r := h.Invoke(ctx, c.l, c.seal(t, "storage.list", map[string]string{})); r.OK || r.Error.Code != CodeRateLimited {
		t.Fatalf("page invoke after the loop: %+v %v, want rate_limited", r, r.Error)
	}
}

// TestHostCallsUseTheInvokeSlot: a host call made by a backend while it
// runs an admitted invoke is part of that invoke: with one in-flight slot
// the backend's host calls still run, instead of finding the slot taken by
// their own invoke.
func TestHostCallsUseTheInvokeSlot(t *testing.T) {
	ctx := context.Background()
	h := newHost(t, Options{Limits: Limits{MaxInFlight: 1, Rate: -1}})
	p := load(t, h, writeRelayPlugin(t, "http://127.0.0.1:1/*"), LoadOptions{Grants: grants("storage")})
	c := launch(t, p)
	r := h.Invoke(ctx, c.l, c.seal(t, "backend.hostloop", map[string]any{"cmd": "storage.get", "args": map[string]string{"key": "k"}, "n": 5}))
	if !r.OK || string(r.Result) != `{"ok":5}` {
		t.Fatalf("hostloop with one slot: %s %v", r.Result, r.Error)
	}
	// Outside an invoke, a host call takes a slot of its own.
	if !p.inflight.enter() {
		t.Fatal("slot taken after the invoke ended")
	}
	defer p.inflight.leave()
	if _, err := h.hostCall(ctx, backend.HostCall{PluginID: p.ID(), Command: []byte("storage.list"), Args: []byte(`{}`)}); err == nil || !strings.Contains(err.Error(), "in flight") {
		t.Fatalf("host call with no slot free = %v, want too_many_in_flight", err)
	}
}
