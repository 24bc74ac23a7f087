package isolation

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// fuzzKey is fixed so that seeds stay valid envelopes across runs.
var fuzzKey = Key{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32}

// FuzzOpen feeds arbitrary input to a fresh Opener. Open must never panic,
// must fail with one of the package's sentinels, and whatever it accepts
// must authenticate under the launch's key and associated data when checked
// independently here.
func FuzzOpen(f *testing.F) {
	for _, req := range []Request{
		{Seq: 1, ID: 1, Cmd: "ping"},
		{Seq: 2, ID: 9, Cmd: "storage.get", Args: json.RawMessage(`{"key":"a","n":[1,2,{"b":null}]}`)},
		{Seq: 3, Cmd: "notes.render", Args: json.RawMessage(`"héllo ✓ 😀"`)},
	} {
		env, err := Seal(fuzzKey, testPlugin, testLaunch, req)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(env)
	}
	f.Add(sealRaw(fuzzKey, testPlugin, testLaunch, nil, []byte(`{"seq":1,"cmd":"x","args":[`)))
	f.Add([]byte(`{"seq":1,"id":1,"cmd":"ping"}`))
	f.Add([]byte("w1.a.b.c.d"))
	f.Add([]byte("w2.a.b.c.d"))
	f.Add([]byte("w9..."))

	sentinels := []error{ErrEmpty, ErrTooLarge, ErrUnsealed, ErrMalformed, ErrWrongPlugin, ErrWrongLaunch, ErrTampered, ErrReplay, ErrSeqOrder}
	f.Fuzz(func(t *testing.T, env []byte) {
		o := NewOpener(fuzzKey, testPlugin, testLaunch, 4096)
		launchOf, named := LaunchOf(env)
		req, err := o.Open(env)
		if err == nil && (!named || launchOf != testLaunch) {
			t.Fatalf("opened %q, but LaunchOf says %q, %v", env, launchOf, named)
		}
		if err != nil {
			for _, s := range sentinels {
				if errors.Is(err, s) {
					return
				}
			}
			t.Fatalf("error %v is not a sentinel", err)
		}
		parts := strings.Split(string(env), ".")
		if len(parts) != 5 {
			t.Fatalf("accepted %q without 5 fields", env)
		}
		plugin, err1 := b64.DecodeString(parts[1])
		launch, err2 := b64.DecodeString(parts[2])
		nonce, err3 := b64.DecodeString(parts[3])
		ct, err4 := b64.DecodeString(parts[4])
		if err1 != nil || err2 != nil || err3 != nil || err4 != nil || string(plugin) != testPlugin || string(launch) != testLaunch {
			t.Fatalf("accepted %q with bad fields", env)
		}
		pt, err := chacha20poly1305Open(t, fuzzKey, nonce, ct, []byte("warden.envelope.v2\x00"+testPlugin+"\x00"+testLaunch))
		if err != nil {
			t.Fatalf("accepted %q that does not authenticate: %v", env, err)
		}
		var want Request
		dec := json.NewDecoder(bytes.NewReader(pt))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&want); err != nil || want.Seq != req.Seq || want.ID != req.ID || want.Cmd != req.Cmd {
			t.Fatalf("accepted plaintext %q as %+v (%v)", pt, req, err)
		}
		if _, err := o.Open(env); !errors.Is(err, ErrReplay) {
			t.Fatalf("second open of %q: %v, want ErrReplay", env, err)
		}
	})
}
