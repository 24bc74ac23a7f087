package isolation

import (
	"encoding/json"
	"testing"
)

// benchRequest is a typical small invoke: about 100 bytes of plaintext.
var benchRequest = Request{ID: 42, Cmd: "storage.get", Args: json.RawMessage(`{"key":"settings.theme","default":"dark","scope":"local"}`)}

func BenchmarkOpen(b *testing.B) {
	key := newTestKey(b)
	// A fresh Opener per batch lets the same envelopes be opened again
	// without replay errors; its setup is amortised over the batch.
	const batch = 1 << 12
	envs := make([][]byte, batch)
	for i := range envs {
		r := benchRequest
		r.Seq = uint64(i + 1)
		envs[i] = mustSeal(b, key, testPlugin, testLaunch, r)
	}
	b.SetBytes(int64(len(envs[0])))
	var o *Opener
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if i%batch == 0 {
			o = NewOpener(key, testPlugin, testLaunch, 0)
		}
		if _, err := o.Open(envs[i%batch]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSeal(b *testing.B) {
	key := newTestKey(b)
	r := benchRequest
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		r.Seq = uint64(i + 1)
		if _, err := Seal(key, testPlugin, testLaunch, r); err != nil {
			b.Fatal(err)
		}
	}
}
