package host

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/wardenhq/warden/host/audit"
	"github.com/wardenhq/warden/isolation"
)

// countingServer is an HTTP server on 127.0.0.1 that counts the requests it sees.
func countingServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		h(w, r)
	}))
	t.Cleanup(s.Close)
	return s, &hits
}

// flip changes one character inside the last dot-separated field of an
// envelope (the ciphertext) to another valid base64url character.
func flip(env []byte) []byte {
	out := bytes.Clone(env)
	i := len(out) - 8
	if out[i] == 'A' {
		out[i] = 'B'
	} else {
		out[i] = 'A'
	}
	return out
}

// TestMediatorDecisions feeds the mediator hostile and allowed requests and
// checks each reply's code and the audit entry it left.
func TestMediatorDecisions(t *testing.T) {
	ctx := context.Background()
	forbidden, forbiddenHits := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("secret"))
	})
	allowed, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, forbidden.URL+"/stolen", http.StatusFound)
			return
		}
		w.Write([]byte("hello from " + r.URL.Path))
	})

	h := newHost(t, Options{Limits: Limits{MaxEnvelope: 64 << 10}})
	all := []string{"storage", "fs.read", "fs.write", "http"}
	probe := func(id string) string {
		return writeProbe(t, probeManifest{id: id, perms: all, read: []string{"$DATA/**"}, write: []string{"$DATA/**"}, http: []string{allowed.URL + "/*"}})
	}
	a := load(t, h, probe("test.warden.a"), LoadOptions{Grants: grants(all...)})
	b := load(t, h, probe("test.warden.b"), LoadOptions{
		Grants:  grants("storage", "fs.read", "http"), // fs.write declared, not granted
		Ceiling: ceiling("http"),                      // granted, but the admin blocks it
	})
	ca, cb := launch(t, a), launch(t, b)

	// A secret outside the plugin's data dir, reachable only through a symlink inside it.
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("top secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(a.DataDir(), "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(a.DataDir(), "notes.txt"), []byte("my notes"), 0o600); err != nil {
		t.Fatal(err)
	}

	var accepted []byte // an envelope the core accepted, replayed later
	otherKey, _ := isolation.NewKey()

	steps := []struct {
		name  string
		on    *client
		cmd   string // expected in the audit entry ("" when the envelope never opened)
		env   func() []byte
		want  Code // "" means allowed
		check func(t *testing.T, r Reply)
	}{
		{name: "allowed storage.set", on: ca, cmd: "storage.set",
			env: func() []byte { return ca.seal(t, "storage.set", map[string]string{"key": "k", "value": "v"}) }},
		{name: "allowed storage.get", on: ca, cmd: "storage.get",
			env: func() []byte { return ca.seal(t, "storage.get", map[string]string{"key": "k"}) },
			check: func(t *testing.T, r Reply) {
				if string(r.Result) != `{"value":"v","found":true}` {
					t.Errorf("result = %s", r.Result)
				}
			}},
		{name: "unsealed request", on: ca, want: CodeUnsealed,
			env: func() []byte { return []byte(`{"seq":99,"id":1,"cmd":"storage.get","args":{"key":"k"}}`) }},
		{name: "sealed with no arguments under the wrong key", on: ca, want: CodeTampered,
			env: func() []byte {
				e, err := isolation.Seal(otherKey, a.ID(), ca.l.ID(), isolation.Request{Seq: 1000, ID: 1, Cmd: "storage.list"})
				if err != nil {
					t.Fatal(err)
				}
				return e
			}},
		{name: "flipped ciphertext byte", on: ca, want: CodeTampered,
			env: func() []byte { return flip(ca.seal(t, "storage.get", map[string]string{"key": "k"})) }},
		{name: "allowed backend.greet", on: ca, cmd: "backend.greet",
			env: func() []byte { accepted = ca.seal(t, "backend.greet", "Ada"); return accepted },
			check: func(t *testing.T, r Reply) {
				if string(r.Result) != `"Hello, Ada!"` {
					t.Errorf("result = %s", r.Result)
				}
			}},
		{name: "replay of an accepted envelope", on: ca, want: CodeReplay,
			env: func() []byte { return accepted }},
		{name: "envelope of plugin A on plugin B's connection", on: cb, want: CodeWrongPlugin,
			env: func() []byte { return ca.seal(t, "storage.get", map[string]string{"key": "k"}) }},
		{name: "seq going backwards", on: ca, want: CodeSeqOrder,
			env: func() []byte {
				e, err := isolation.Seal(ca.key, a.ID(), ca.l.ID(), isolation.Request{Seq: 2, ID: 2, Cmd: "storage.list"})
				if err != nil {
					t.Fatal(err)
				}
				return e
			}},
		{name: "command not in the manifest", on: ca, cmd: "backend.shutdown", want: CodeNotDeclared,
			env: func() []byte { return ca.seal(t, "backend.shutdown", nil) }},
		{name: "command no capability answers to", on: ca, cmd: "system.exec", want: CodeUnknownCmd,
			env: func() []byte { return ca.seal(t, "system.exec", "rm -rf /") }},
		{name: "permission declared but not granted", on: cb, cmd: "fs.write", want: CodeNotGranted,
			env: func() []byte {
				return cb.seal(t, "fs.write", map[string]any{"path": "$DATA/x.txt", "data": []byte("x")})
			}},
		{name: "permission above the admin ceiling", on: cb, cmd: "http.fetch", want: CodeAboveCeiling,
			env: func() []byte { return cb.seal(t, "http.fetch", map[string]string{"url": allowed.URL + "/hi"}) }},
		{name: "fs.read of $DATA/../../etc/passwd", on: ca, cmd: "fs.read", want: CodeOutOfScope,
			env: func() []byte { return ca.seal(t, "fs.read", map[string]string{"path": "$DATA/../../etc/passwd"}) }},
		{name: "symlink inside an allowed dir pointing outside", on: ca, cmd: "fs.read", want: CodeOutOfScope,
			env: func() []byte { return ca.seal(t, "fs.read", map[string]string{"path": "$DATA/link/secret.txt"}) }},
		{name: "allowed fs.read inside $DATA", on: ca, cmd: "fs.read",
			env: func() []byte { return ca.seal(t, "fs.read", map[string]string{"path": "$DATA/notes.txt"}) },
			check: func(t *testing.T, r Reply) {
				var out struct{ Data []byte }
				if err := json.Unmarshal(r.Result, &out); err != nil || string(out.Data) != "my notes" {
					t.Errorf("result = %s (%v)", r.Result, err)
				}
			}},
		{name: "allowed fs.write inside $DATA", on: ca, cmd: "fs.write",
			env: func() []byte {
				return ca.seal(t, "fs.write", map[string]any{"path": "$DATA/out.txt", "data": []byte("written")})
			},
			check: func(t *testing.T, r Reply) {
				if b, err := os.ReadFile(filepath.Join(a.DataDir(), "out.txt")); err != nil || string(b) != "written" {
					t.Errorf("out.txt = %q, %v", b, err)
				}
			}},
		{name: "http to a host not in scope", on: ca, cmd: "http.fetch", want: CodeOutOfScope,
			env: func() []byte { return ca.seal(t, "http.fetch", map[string]string{"url": forbidden.URL + "/direct"}) }},
		{name: "allowed http.fetch", on: ca, cmd: "http.fetch",
			env: func() []byte { return ca.seal(t, "http.fetch", map[string]string{"url": allowed.URL + "/hi"}) },
			check: func(t *testing.T, r Reply) {
				var out struct {
					Status int
					Body   []byte
				}
				if err := json.Unmarshal(r.Result, &out); err != nil || out.Status != 200 || string(out.Body) != "hello from /hi" {
					t.Errorf("result = %s (%v)", r.Result, err)
				}
			}},
		{name: "redirect from an allowed host to a forbidden one", on: ca, cmd: "http.fetch", want: CodeRedirectDenied,
			env: func() []byte { return ca.seal(t, "http.fetch", map[string]string{"url": allowed.URL + "/redirect"}) }},
		{name: "payload over the limit", on: ca, want: CodeTooLarge,
			env: func() []byte {
				return ca.seal(t, "storage.set", map[string]string{"key": "big", "value": strings.Repeat("x", 100<<10)})
			}},
		{name: "allowed storage.list after all that", on: ca, cmd: "storage.list",
			env: func() []byte { return ca.seal(t, "storage.list", map[string]string{"prefix": ""}) },
			check: func(t *testing.T, r Reply) {
				if string(r.Result) != `{"keys":["k"]}` {
					t.Errorf("result = %s", r.Result)
				}
			}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			r := h.Invoke(ctx, st.on.l, st.env())
			got := Code("")
			if r.Error != nil {
				got = r.Error.Code
			}
			if got != st.want || r.OK != (st.want == "") {
				t.Fatalf("reply = %+v (error %v), want code %q", r, r.Error, st.want)
			}
			if st.want != "" && !st.want.Denial() {
				t.Errorf("code %q is not a denial", st.want)
			}
			if st.check != nil {
				st.check(t, r)
			}
			checkAudit(t, h, st.on.l, st.cmd, st.want)
		})
	}
	if n := forbiddenHits.Load(); n != 0 {
		t.Errorf("forbidden server saw %d requests, want 0", n)
	}
}

// checkAudit asserts that the newest audit entry of l's plugin records this
// decision.
func checkAudit(t *testing.T, h *Host, l *Launch, cmd string, want Code) {
	t.Helper()
	es, err := h.Audit().Query(context.Background(), audit.Filter{Plugin: l.plugin.ID(), Limit: 1})
	if err != nil || len(es) != 1 {
		t.Fatalf("audit query: %v, %d entries", err, len(es))
	}
	e := es[0]
	if e.Allowed != (want == "") || e.Reason != string(want) || e.Launch != l.ID() || e.Cmd != cmd {
		t.Errorf("audit entry = %+v, want allowed=%v reason=%q cmd=%q", e, want == "", want, cmd)
	}
	if want != "" && e.Detail == "" {
		t.Errorf("audit entry for %q has no detail", want)
	}
}

// TestMediatorRateLimit floods one plugin past its rate and checks that the
// overflow is denied and audited while the burst passes.
func TestMediatorRateLimit(t *testing.T) {
	h := newHost(t, Options{Limits: Limits{Rate: 1, Burst: 5}})
	p := load(t, h, writeProbe(t, probeManifest{id: "test.warden.flood", perms: []string{"storage"}}), LoadOptions{Grants: grants("storage")})
	c := launch(t, p)
	var ok, limited int
	for range 20 {
		r := h.Invoke(context.Background(), c.l, c.seal(t, "storage.list", map[string]string{}))
		switch {
		case r.OK:
			ok++
		case r.Error.Code == CodeRateLimited:
			limited++
		default:
			t.Fatalf("unexpected reply %+v", r.Error)
		}
	}
	if ok < 5 || ok > 6 || limited != 20-ok {
		t.Fatalf("ok=%d limited=%d, want the burst of 5 through and the rest limited", ok, limited)
	}
	// The flood of identical denials is coalesced into counted entries.
	es, err := h.Audit().Query(context.Background(), audit.Filter{Plugin: p.ID(), DeniedOnly: true, Limit: 100})
	denied := 0
	for _, e := range es {
		denied += e.Count
		if e.Reason != string(CodeRateLimited) {
			t.Errorf("entry %+v", e)
		}
	}
	if err != nil || denied != limited {
		t.Fatalf("denied audit entries count %d (%v), want %d", denied, err, limited)
	}
}
