package isolation

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	key := newTestKey(t)
	tests := []struct {
		name string
		req  Request
		want Request
	}{
		{"args", Request{Seq: 1, ID: 7, Cmd: "storage.get", Args: json.RawMessage(`{"key":"a"}`)},
			Request{Seq: 1, ID: 7, Cmd: "storage.get", Args: json.RawMessage(`{"key":"a"}`)}},
		{"no args", Request{Seq: 1, Cmd: "ping"}, Request{Seq: 1, Cmd: "ping"}},
		{"null args", Request{Seq: 1, ID: 1, Cmd: "ping", Args: json.RawMessage(`null`)}, Request{Seq: 1, ID: 1, Cmd: "ping"}},
		{"unicode", Request{Seq: 1 << 60, ID: 1<<64 - 1, Cmd: "notes.render", Args: json.RawMessage(`["héllo ✓ 日本語 😀","<&>"]`)},
			Request{Seq: 1 << 60, ID: 1<<64 - 1, Cmd: "notes.render", Args: json.RawMessage(`["héllo ✓ 日本語 😀","<&>"]`)}},
		{"scalar args", Request{Seq: 3, ID: 2, Cmd: "x", Args: json.RawMessage(` 42 `)}, Request{Seq: 3, ID: 2, Cmd: "x", Args: json.RawMessage(`42`)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := NewOpener(key, testPlugin, testLaunch, 0)
			got, err := o.Open(mustSeal(t, key, testPlugin, testLaunch, tt.req))
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if got.Seq != tt.want.Seq || got.ID != tt.want.ID || got.Cmd != tt.want.Cmd || !bytes.Equal(got.Args, tt.want.Args) {
				t.Fatalf("got %+v (args %s), want %+v (args %s)", got, got.Args, tt.want, tt.want.Args)
			}
		})
	}
}

func TestWireFormat(t *testing.T) {
	t.Parallel()
	key := newTestKey(t)
	env := mustSeal(t, key, "com.example.notes", "launch-1", Request{Seq: 1, ID: 2, Cmd: "ping"})
	parts := strings.Split(string(env), ".")
	if len(parts) != 5 || parts[0] != "w2" {
		t.Fatalf("envelope %q: want 5 fields starting with w2", env)
	}
	if parts[1] != "Y29tLmV4YW1wbGUubm90ZXM" || parts[2] != "bGF1bmNoLTE" {
		t.Fatalf("id fields %q %q are not base64url of the ids", parts[1], parts[2])
	}
	nonce, err := b64.DecodeString(parts[3])
	if err != nil || len(nonce) != NonceSize {
		t.Fatalf("nonce field %q: %v", parts[3], err)
	}
	ct, err := b64.DecodeString(parts[4])
	if err != nil {
		t.Fatal(err)
	}
	// The associated data is spelled out here so a change to it breaks the
	// test (and the JavaScript side).
	pt, err := chacha20poly1305Open(t, key, nonce, ct, []byte("warden.envelope.v2\x00com.example.notes\x00launch-1"))
	if err != nil {
		t.Fatalf("open with the documented associated data: %v", err)
	}
	if string(pt) != `{"seq":1,"id":2,"cmd":"ping"}` {
		t.Fatalf("plaintext %s", pt)
	}
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	key := newTestKey(t)
	otherKey := newTestKey(t)
	valid := func() []byte { return mustSeal(t, key, testPlugin, testLaunch, Request{Seq: 1, ID: 1, Cmd: "ping"}) }
	raw := func(plaintext string) []byte { return sealRaw(key, testPlugin, testLaunch, nil, []byte(plaintext)) }

	tests := []struct {
		name string
		env  []byte
		max  int
		want error
	}{
		{"empty", nil, 0, ErrEmpty},
		{"empty slice", []byte{}, 0, ErrEmpty},
		{"oversize", bytes.Repeat([]byte("w"), 65), 64, ErrTooLarge},
		{"oversize valid envelope", valid(), 32, ErrTooLarge},
		{"oversize default", append([]byte("w2."), make([]byte, DefaultMaxEnvelope)...), 0, ErrTooLarge},
		{"plain json", []byte(`{"cmd":"storage.get","args":{"key":"a"}}`), 0, ErrUnsealed},
		{"plain json no args", []byte(`{"seq":1,"id":1,"cmd":"ping"}`), 0, ErrUnsealed},
		{"plain text", []byte("hello"), 0, ErrUnsealed},
		{"marker without dot", []byte("w2"), 0, ErrUnsealed},
		{"leading space", append([]byte(" "), valid()...), 0, ErrUnsealed},
		{"retired version 1", replaceField(valid(), 0, "w1"), 0, ErrMalformed},
		{"future version", replaceField(valid(), 0, "w3"), 0, ErrMalformed},
		{"four fields", []byte("w2.YQ.Yg.AAAAAAAAAAAAAAAA"), 0, ErrMalformed},
		{"six fields", append(valid(), ".AA"...), 0, ErrMalformed},
		{"empty plugin", replaceField(valid(), 1, ""), 0, ErrMalformed},
		{"empty launch", replaceField(valid(), 2, ""), 0, ErrMalformed},
		{"empty ciphertext", replaceField(valid(), 4, ""), 0, ErrMalformed},
		{"bad base64 plugin", flipTo(valid(), 1, 0, '*'), 0, ErrMalformed},
		{"bad base64 launch", flipTo(valid(), 2, 0, '+'), 0, ErrMalformed},
		{"bad base64 nonce", flipTo(valid(), 3, 0, '/'), 0, ErrMalformed},
		{"bad base64 ciphertext", flipTo(valid(), 4, 3, '='), 0, ErrMalformed},
		{"padded ciphertext", append(valid(), '='), 0, ErrMalformed},
		{"line break", flipTo(valid(), 4, 3, '\n'), 0, ErrMalformed},
		{"short nonce", sealRaw(key, testPlugin, testLaunch, make([]byte, 9), []byte("0123456789abcdef0123")), 0, ErrMalformed},
		{"long nonce", sealRaw(key, testPlugin, testLaunch, make([]byte, 15), []byte("0123456789abcdef0123")), 0, ErrMalformed},
		{"ciphertext shorter than tag", replaceField(valid(), 4, "AAAAAAAAAAAAAAAAAAAA"), 0, ErrMalformed},
		// Malformed fields win over a wrong plugin in the clear.
		{"wrong plugin and bad nonce", flipTo(mustSeal(t, key, "com.other", testLaunch, Request{Seq: 1, Cmd: "x"}), 3, 0, '*'), 0, ErrMalformed},
		{"wrong plugin", mustSeal(t, key, "com.other", testLaunch, Request{Seq: 1, Cmd: "ping"}), 0, ErrWrongPlugin},
		{"wrong plugin, wrong key", mustSeal(t, otherKey, "com.other", "x", Request{Seq: 1, Cmd: "ping"}), 0, ErrWrongPlugin},
		{"wrong launch", mustSeal(t, key, testPlugin, "fedcba9876543210fedcba9876543210", Request{Seq: 1, Cmd: "ping"}), 0, ErrWrongLaunch},
		// The clear ids are checked before authentication: a changed
		// character names another plugin or launch.
		{"flipped plugin id", flipChar(valid(), 1, 2), 0, ErrWrongPlugin},
		{"flipped launch id", flipChar(valid(), 2, 2), 0, ErrWrongLaunch},
		{"wrong key", mustSeal(t, otherKey, testPlugin, testLaunch, Request{Seq: 1, ID: 1, Cmd: "ping"}), 0, ErrTampered},
		{"flipped ciphertext", flipChar(valid(), 4, 5), 0, ErrTampered},
		{"flipped tag", flipChar(valid(), 4, len(splitDots(string(valid()))[4])-3), 0, ErrTampered},
		{"flipped nonce", flipChar(valid(), 3, 4), 0, ErrTampered},
		{"truncated ciphertext", valid()[:len(valid())-4], 0, ErrTampered},
		{"plaintext not json", raw("hello"), 0, ErrMalformed},
		{"plaintext empty", raw(""), 0, ErrMalformed},
		{"plaintext missing cmd", raw(`{"seq":1,"id":1}`), 0, ErrMalformed},
		{"plaintext empty cmd", raw(`{"seq":1,"id":1,"cmd":""}`), 0, ErrMalformed},
		{"plaintext unknown field", raw(`{"seq":1,"id":1,"cmd":"x","callback":"y"}`), 0, ErrMalformed},
		{"plaintext seq 0", raw(`{"seq":0,"id":1,"cmd":"x"}`), 0, ErrMalformed},
		{"plaintext missing seq", raw(`{"id":1,"cmd":"x"}`), 0, ErrMalformed},
		{"plaintext negative seq", raw(`{"seq":-1,"cmd":"x"}`), 0, ErrMalformed},
		{"plaintext duplicate cmd", raw(`{"seq":1,"cmd":"x","cmd":"y"}`), 0, ErrMalformed},
		{"plaintext trailing data", raw(`{"seq":1,"cmd":"x"} {}`), 0, ErrMalformed},
		{"plaintext bad args", raw(`{"seq":1,"cmd":"x","args":{"a":}}`), 0, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := NewOpener(key, testPlugin, testLaunch, tt.max)
			req, err := o.Open(tt.env)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Open(%.80q) = %+v, %v; want %v", tt.env, req, err, tt.want)
			}
		})
	}
}

// TestOpenRetiredVersion checks that a version 1 envelope, AES-256-GCM
// under the same key, is refused with a message naming the version.
func TestOpenRetiredVersion(t *testing.T) {
	t.Parallel()
	key := newTestKey(t)
	block, err := aes.NewCipher(key[:])
	if err != nil {
		t.Fatal(err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	nonce := make([]byte, NonceSize)
	ct := gcm.Seal(nil, nonce, []byte(`{"seq":1,"id":1,"cmd":"ping"}`), []byte("warden.envelope.v1\x00"+testPlugin+"\x00"+testLaunch))
	env := "w1." + b64.EncodeToString([]byte(testPlugin)) + "." + b64.EncodeToString([]byte(testLaunch)) + "." +
		b64.EncodeToString(nonce) + "." + b64.EncodeToString(ct)
	_, err = NewOpener(key, testPlugin, testLaunch, 0).Open([]byte(env))
	if !errors.Is(err, ErrMalformed) {
		t.Fatalf("w1 envelope: %v, want ErrMalformed", err)
	}
	for _, want := range []string{`"w1"`, "not supported", "w2"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %s", err, want)
		}
	}
}

// flipTo returns env with character pos of field i set to c.
func flipTo(env []byte, i, pos int, c byte) []byte {
	parts := splitDots(string(env))
	b := []byte(parts[i])
	b[pos] = c
	return replaceField(env, i, string(b))
}

func TestErrorsAreDistinct(t *testing.T) {
	t.Parallel()
	all := []error{ErrEmpty, ErrTooLarge, ErrUnsealed, ErrMalformed, ErrWrongPlugin, ErrWrongLaunch, ErrTampered, ErrReplay, ErrSeqOrder}
	for i, a := range all {
		for j, b := range all {
			if i != j && errors.Is(a, b) {
				t.Errorf("%v is %v", a, b)
			}
		}
	}
}

func TestReplayAndSeq(t *testing.T) {
	t.Parallel()
	key := newTestKey(t)
	o := NewOpener(key, testPlugin, testLaunch, 0)
	seal := func(seq uint64) []byte {
		return mustSeal(t, key, testPlugin, testLaunch, Request{Seq: seq, ID: seq, Cmd: "ping"})
	}
	e1, e2, e5 := seal(1), seal(2), seal(5)
	steps := []struct {
		name string
		env  []byte
		want error
	}{
		{"first", e1, nil},
		{"exact replay", e1, ErrReplay},
		{"tampered seq 5 does not advance", flipChar(e5, 4, 5), ErrTampered},
		{"wrong launch does not advance", mustSeal(t, key, testPlugin, "other", Request{Seq: 9, Cmd: "x"}), ErrWrongLaunch},
		{"second", e2, nil},
		{"replay of older", e1, ErrReplay},
		{"fresh with equal seq", seal(2), ErrSeqOrder},
		{"fresh with lower seq", seal(1), ErrSeqOrder},
		{"gap is fine", e5, nil},
		{"replay after gap", e5, ErrReplay},
		{"fresh lower after gap", seal(4), ErrSeqOrder},
		{"next", seal(6), nil},
	}
	for _, s := range steps {
		_, err := o.Open(s.env)
		if !errors.Is(err, s.want) || (s.want == nil && err != nil) {
			t.Fatalf("%s: got %v, want %v", s.name, err, s.want)
		}
	}
}

func TestReplayWindowEvicts(t *testing.T) {
	t.Parallel()
	key := newTestKey(t)
	o := NewOpener(key, testPlugin, testLaunch, 0)
	envs := make([][]byte, ReplayWindow+10)
	for i := range envs {
		envs[i] = mustSeal(t, key, testPlugin, testLaunch, Request{Seq: uint64(i + 1), Cmd: "ping"})
		if _, err := o.Open(envs[i]); err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
	}
	// Beyond the window a replay is still refused, by the seq check.
	if _, err := o.Open(envs[0]); !errors.Is(err, ErrSeqOrder) {
		t.Fatalf("evicted replay: %v, want ErrSeqOrder", err)
	}
	for _, i := range []int{10, len(envs) / 2, len(envs) - 1} {
		if _, err := o.Open(envs[i]); !errors.Is(err, ErrReplay) {
			t.Fatalf("replay %d: %v, want ErrReplay", i, err)
		}
	}
}

func TestConcurrentOpen(t *testing.T) {
	t.Parallel()
	key := newTestKey(t)
	o := NewOpener(key, testPlugin, testLaunch, 0)
	const n, workers = 400, 4
	envs := make([][]byte, n)
	for i := range envs {
		envs[i] = mustSeal(t, key, testPlugin, testLaunch, Request{Seq: uint64(i + 1), ID: uint64(i), Cmd: "ping"})
	}
	var mu sync.Mutex
	accepted := make([]int, n)
	var wg sync.WaitGroup
	errc := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, env := range envs {
				req, err := o.Open(env)
				switch {
				case err == nil:
					if req.ID != uint64(i) {
						errc <- fmt.Errorf("envelope %d opened as id %d", i, req.ID)
						return
					}
					mu.Lock()
					accepted[i]++
					mu.Unlock()
				case errors.Is(err, ErrReplay), errors.Is(err, ErrSeqOrder):
				default:
					errc <- fmt.Errorf("envelope %d: %v", i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	for i, c := range accepted {
		if c > 1 {
			t.Fatalf("envelope %d accepted %d times", i, c)
		}
	}
	if accepted[n-1] != 1 {
		t.Fatalf("last envelope accepted %d times, want 1", accepted[n-1])
	}
}

func TestSealRejects(t *testing.T) {
	t.Parallel()
	key := newTestKey(t)
	tests := []struct {
		name           string
		plugin, launch string
		req            Request
	}{
		{"seq 0", testPlugin, testLaunch, Request{Cmd: "x"}},
		{"empty cmd", testPlugin, testLaunch, Request{Seq: 1}},
		{"bad args", testPlugin, testLaunch, Request{Seq: 1, Cmd: "x", Args: json.RawMessage(`{`)}},
		{"bad utf8 cmd", testPlugin, testLaunch, Request{Seq: 1, Cmd: "\xff"}},
		{"empty plugin", "", testLaunch, Request{Seq: 1, Cmd: "x"}},
		{"empty launch", testPlugin, "", Request{Seq: 1, Cmd: "x"}},
		{"NUL in plugin", "a\x00b", testLaunch, Request{Seq: 1, Cmd: "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if env, err := Seal(key, tt.plugin, tt.launch, tt.req); err == nil {
				t.Fatalf("Seal = %q, want error", env)
			}
		})
	}
}

func TestSealFreshNonce(t *testing.T) {
	t.Parallel()
	key := newTestKey(t)
	req := Request{Seq: 1, Cmd: "ping"}
	a, b := mustSeal(t, key, testPlugin, testLaunch, req), mustSeal(t, key, testPlugin, testLaunch, req)
	if bytes.Equal(a, b) {
		t.Fatal("two seals of the same request are identical")
	}
}
