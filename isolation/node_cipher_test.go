package isolation

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"golang.org/x/crypto/chacha20"
	"golang.org/x/crypto/chacha20poly1305"
)

// cipherOp is one operation for testdata/cipher.js; byte fields are hex.
type cipherOp map[string]any

// runCipher runs ops through isolation.js's cipher under Node and returns
// one result per op (a hex or text string, or nil).
func runCipher(t *testing.T, ops []cipherOp) []*string {
	t.Helper()
	out := runNode(t, "testdata/cipher.js", map[string]any{"ops": ops})
	var res []*string
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("harness output %.200q: %v", out, err)
	}
	if len(res) != len(ops) {
		t.Fatalf("harness returned %d results for %d ops", len(res), len(ops))
	}
	return res
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// str returns a result for printing.
func str(p *string) string {
	if p == nil {
		return "<null>"
	}
	return *p
}

// TestNodeRFC8439 checks the JavaScript cipher against the test vectors of
// RFC 8439 sections 2.3.2 (ChaCha20 block), 2.5.2 (Poly1305) and 2.8.2
// (AEAD), and that the AEAD refuses each kind of tampering.
func TestNodeRFC8439(t *testing.T) {
	t.Parallel()
	blockKey := "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	blockWant := `10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e
		d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e`
	polyKey := "85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b"
	polyMsg := hex.EncodeToString([]byte("Cryptographic Forum Research Group"))
	polyWant := "a8061dc1305136c6c22b8baf0c0127a9"

	aeadKey := "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
	aeadNonce := "070000004041424344454647"
	aeadAD := "50515253c0c1c2c3c4c5c6c7"
	aeadPT := hex.EncodeToString([]byte("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it."))
	aeadWant := `d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6
		3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36
		92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc
		3ff4def08e4b7a9de576d26586cec64b6116` + // ciphertext
		"1ae10b594f09e26a7e902ecbd0600691" // tag

	// Go's implementation agrees with the vector as written here, so a typo
	// in it cannot pass for a JavaScript bug.
	want := unhex(t, aeadWant)
	aead, err := chacha20poly1305.New(unhex(t, aeadKey))
	if err != nil {
		t.Fatal(err)
	}
	if got := aead.Seal(nil, unhex(t, aeadNonce), unhex(t, aeadPT), unhex(t, aeadAD)); !bytes.Equal(got, want) {
		t.Fatalf("the 2.8.2 vector in this test is wrong: Go seals %x", got)
	}

	tampered := func(i int) string {
		b := append([]byte(nil), want...)
		b[i] ^= 0x01
		return hex.EncodeToString(b)
	}
	ops := []cipherOp{
		{"op": "block", "key": blockKey, "counter": 1, "nonce": "000000090000004a00000000"},
		{"op": "poly", "key": polyKey, "msg": polyMsg},
		{"op": "seal", "key": aeadKey, "nonce": aeadNonce, "ad": aeadAD, "pt": aeadPT},
		{"op": "open", "key": aeadKey, "nonce": aeadNonce, "ad": aeadAD, "sealed": hex.EncodeToString(want)},
	}
	results := []string{strings.Join(strings.Fields(blockWant), ""), polyWant, hex.EncodeToString(want), aeadPT}
	refused := []struct {
		name string
		op   cipherOp
	}{
		{"flipped ciphertext", cipherOp{"op": "open", "key": aeadKey, "nonce": aeadNonce, "ad": aeadAD, "sealed": tampered(5)}},
		{"flipped tag", cipherOp{"op": "open", "key": aeadKey, "nonce": aeadNonce, "ad": aeadAD, "sealed": tampered(len(want) - 1)}},
		{"flipped ad", cipherOp{"op": "open", "key": aeadKey, "nonce": aeadNonce, "ad": "50515253c0c1c2c3c4c5c6c6", "sealed": hex.EncodeToString(want)}},
		{"other nonce", cipherOp{"op": "open", "key": aeadKey, "nonce": "070000004041424344454648", "ad": aeadAD, "sealed": hex.EncodeToString(want)}},
		{"other key", cipherOp{"op": "open", "key": blockKey, "nonce": aeadNonce, "ad": aeadAD, "sealed": hex.EncodeToString(want)}},
		{"truncated", cipherOp{"op": "open", "key": aeadKey, "nonce": aeadNonce, "ad": aeadAD, "sealed": hex.EncodeToString(want[:len(want)-1])}},
		{"shorter than tag", cipherOp{"op": "open", "key": aeadKey, "nonce": aeadNonce, "ad": aeadAD, "sealed": hex.EncodeToString(want[:15])}},
	}
	for _, r := range refused {
		ops = append(ops, r.op)
	}
	got := runCipher(t, ops)
	for i, name := range []string{"2.3.2 block", "2.5.2 poly1305", "2.8.2 seal", "2.8.2 open"} {
		if got[i] == nil || *got[i] != results[i] {
			t.Errorf("%s: JS gives %s, want %s", name, str(got[i]), results[i])
		}
	}
	for i, r := range refused {
		if p := got[len(results)+i]; p != nil {
			t.Errorf("%s: JS opened it as %s", r.name, *p)
		}
	}
}

// poly1305Ref is Poly1305 straight from its definition in RFC 8439
// section 2.5, with big integers.
func poly1305Ref(key, msg []byte) []byte {
	le := func(b []byte) *big.Int {
		r := make([]byte, len(b))
		for i := range b {
			r[len(b)-1-i] = b[i]
		}
		return new(big.Int).SetBytes(r)
	}
	one := big.NewInt(1)
	clamp, _ := new(big.Int).SetString("0ffffffc0ffffffc0ffffffc0fffffff", 16)
	p := new(big.Int).Sub(new(big.Int).Lsh(one, 130), big.NewInt(5))
	r := new(big.Int).And(le(key[:16]), clamp)
	acc := new(big.Int)
	for i := 0; i < len(msg); i += 16 {
		block := append(msg[i:min(i+16, len(msg)):min(i+16, len(msg))], 1)
		acc.Add(acc, le(block))
		acc.Mul(acc, r)
		acc.Mod(acc, p)
	}
	acc.Add(acc, le(key[16:]))
	out := make([]byte, 16)
	for i, b := range acc.Bytes() {
		if j := len(acc.Bytes()) - 1 - i; j < 16 {
			out[j] = b
		}
	}
	return out
}

// TestNodePoly1305 compares the JavaScript Poly1305 with poly1305Ref on
// inputs chosen to hit the limb carries and the final reduction (an
// accumulator in [2^130-5, 2^130)), and on random ones.
func TestNodePoly1305(t *testing.T) {
	t.Parallel()
	ff := bytes.Repeat([]byte{0xff}, 16)
	rOne := append([]byte{1}, make([]byte, 31)...)
	rTwo := append([]byte{2}, make([]byte, 31)...)
	maxKey := bytes.Repeat([]byte{0xff}, 32)
	type tc struct{ key, msg []byte }
	cases := []tc{
		{make([]byte, 32), make([]byte, 64)},
		{rTwo, ff}, // 2*(2^129-1) = 2^130-2: reduces to 3
		{rOne, append(append([]byte{}, ff...), append([]byte{0xfd}, ff[1:]...)...)}, // sum 2^130-4: reduces to 1
		{rOne, append(append([]byte{}, ff...), append([]byte{0xfc}, ff[1:]...)...)}, // sum exactly p: 0
		{rOne, append(append([]byte{}, ff...), ff...)},                              // sum 2^130-2
		{rOne, append(append([]byte{}, ff...), append([]byte{0xfb}, ff[1:]...)...)}, // sum p-1: kept
		{rOne, bytes.Repeat(ff, 3)},                                                 // above 2^130 before the final reduction
		{rOne, bytes.Repeat(ff, 4)},
		{append(make([]byte, 16), ff...), nil}, // empty message: tag is s
		{append(append([]byte{}, ff...), make([]byte, 16)...), nil},
	}
	for n := 0; n <= 200; n += 7 {
		cases = append(cases, tc{maxKey, bytes.Repeat([]byte{0xff}, n)})
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 150; n++ {
		key := make([]byte, 32)
		msg := make([]byte, rng.IntN(301))
		for i := range key {
			key[i] = byte(rng.Uint32())
		}
		for i := range msg {
			msg[i] = byte(rng.Uint32())
		}
		cases = append(cases, tc{key, msg})
	}
	ops := make([]cipherOp, len(cases))
	for i, c := range cases {
		ops[i] = cipherOp{"op": "poly", "key": hex.EncodeToString(c.key), "msg": hex.EncodeToString(c.msg)}
	}
	got := runCipher(t, ops)
	for i, c := range cases {
		want := hex.EncodeToString(poly1305Ref(c.key, c.msg))
		if got[i] == nil || *got[i] != want {
			t.Errorf("case %d (key %x, %d-byte message %.40x): JS tag %s, want %s", i, c.key, len(c.msg), c.msg, str(got[i]), want)
		}
	}
	// The edge cases above mean what their comments say.
	if got := poly1305Ref(cases[2].key, cases[2].msg); got[0] != 1 || !bytes.Equal(got[1:], make([]byte, 15)) {
		t.Errorf("reference reduces 2^130-4 to %x", got)
	}
}

// TestNodeChaCha20Blocks compares JavaScript keystream blocks with Go's
// ChaCha20 for random keys, nonces and counters.
func TestNodeChaCha20Blocks(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	var ops []cipherOp
	var want []string
	for n := 0; n < 40; n++ {
		key, nonce := make([]byte, 32), make([]byte, 12)
		for i := range key {
			key[i] = byte(rng.Uint32())
		}
		for i := range nonce {
			nonce[i] = byte(rng.Uint32())
		}
		counter := rng.Uint32() >> 1 // below 2^31: no wrap within the block
		c, err := chacha20.NewUnauthenticatedCipher(key, nonce)
		if err != nil {
			t.Fatal(err)
		}
		c.SetCounter(counter)
		ks := make([]byte, 64)
		c.XORKeyStream(ks, ks)
		ops = append(ops, cipherOp{"op": "block", "key": hex.EncodeToString(key), "counter": counter, "nonce": hex.EncodeToString(nonce)})
		want = append(want, hex.EncodeToString(ks))
	}
	got := runCipher(t, ops)
	for i := range want {
		if got[i] == nil || *got[i] != want[i] {
			t.Errorf("block %d (%v): JS %s, want %s", i, ops[i], str(got[i]), want[i])
		}
	}
}

// TestNodeAEADCrossCheck seals every plaintext length from 0 to 300 with
// random keys, nonces and associated data in Go and in JavaScript: the
// outputs must be identical, each side opens the other's, and flipping any
// one byte makes the JavaScript open refuse.
func TestNodeAEADCrossCheck(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 6))
	randBytes := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	type tc struct{ key, nonce, ad, pt, sealed []byte }
	var cases []tc
	var ops []cipherOp
	for n := 0; n <= 300; n++ {
		c := tc{key: randBytes(32), nonce: randBytes(12), ad: randBytes(rng.IntN(80)), pt: randBytes(n)}
		aead, err := chacha20poly1305.New(c.key)
		if err != nil {
			t.Fatal(err)
		}
		c.sealed = aead.Seal(nil, c.nonce, c.pt, c.ad)
		cases = append(cases, c)
		bad := append([]byte(nil), c.sealed...)
		bad[rng.IntN(len(bad))] ^= byte(1 + rng.IntN(255))
		k, no, ad := hex.EncodeToString(c.key), hex.EncodeToString(c.nonce), hex.EncodeToString(c.ad)
		ops = append(ops,
			cipherOp{"op": "seal", "key": k, "nonce": no, "ad": ad, "pt": hex.EncodeToString(c.pt)},
			cipherOp{"op": "open", "key": k, "nonce": no, "ad": ad, "sealed": hex.EncodeToString(c.sealed)},
			cipherOp{"op": "open", "key": k, "nonce": no, "ad": ad, "sealed": hex.EncodeToString(bad)},
		)
	}
	got := runCipher(t, ops)
	for i, c := range cases {
		sealed, opened, tamper := got[3*i], got[3*i+1], got[3*i+2]
		if sealed == nil || *sealed != hex.EncodeToString(c.sealed) {
			t.Errorf("length %d: JS sealed %s, Go %x", len(c.pt), str(sealed), c.sealed)
		}
		if opened == nil || *opened != hex.EncodeToString(c.pt) {
			t.Errorf("length %d: JS opened Go's seal as %s, want %x", len(c.pt), str(opened), c.pt)
		}
		if tamper != nil {
			t.Errorf("length %d: JS opened a tampered seal as %s", len(c.pt), *tamper)
		}
	}
}

// randomID returns a random id of 1 to 40 characters, mixing ASCII with
// multi-byte UTF-8, so that the associated data varies in length and
// content.
func randomID(rng *rand.Rand) string {
	pool := []rune("abcxyzABC019.-_ \"\\/<&>éüß日本語😀✓")
	var b strings.Builder
	for n := 1 + rng.IntN(40); n > 0; n-- {
		b.WriteRune(pool[rng.IntN(len(pool))])
	}
	return b.String()
}

// TestNodeEnvelopeCrossCheck seals random requests (a few of them large)
// for random plugin and launch ids in JavaScript and opens them with
// Opener, and seals them in Go and opens them with the JavaScript test
// routine.
func TestNodeEnvelopeCrossCheck(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 8))
	key := newTestKey(t)
	keyHex := hex.EncodeToString(key[:])
	type tc struct {
		plugin, launch string
		req            Request
		goEnv          []byte
	}
	var cases []tc
	var ops []cipherOp
	for n := 0; n < 150; n++ {
		pad := rng.IntN(301)
		if n%50 == 7 {
			pad = 20000 + rng.IntN(20000) // several base64url chunks
		}
		text, err := json.Marshal(strings.Repeat("x", pad) + randomID(rng))
		if err != nil {
			t.Fatal(err)
		}
		c := tc{
			plugin: randomID(rng),
			launch: randomID(rng),
			req: Request{
				Seq:  1 + rng.Uint64N(1<<53-1),
				ID:   rng.Uint64N(1 << 53),
				Cmd:  randomID(rng),
				Args: json.RawMessage(`{"text":` + string(text) + `,"n":[1,true,null]}`),
			},
		}
		if n%5 == 0 {
			c.req.Args = nil
		}
		c.goEnv = mustSeal(t, key, c.plugin, c.launch, c.req)
		request := map[string]any{"seq": c.req.Seq, "id": c.req.ID, "cmd": c.req.Cmd}
		if c.req.Args != nil {
			request["args"] = c.req.Args
		}
		cases = append(cases, c)
		ops = append(ops,
			cipherOp{"op": "sealEnvelope", "key": keyHex, "plugin": c.plugin, "launch": c.launch, "request": request},
			cipherOp{"op": "openEnvelope", "key": keyHex, "plugin": c.plugin, "launch": c.launch, "envelope": string(c.goEnv)},
		)
	}
	got := runCipher(t, ops)
	for i, c := range cases {
		jsEnv, opened := got[2*i], got[2*i+1]
		if jsEnv == nil {
			t.Fatalf("case %d: JS sealed nothing", i)
		}
		req, err := NewOpener(key, c.plugin, c.launch, 0).Open([]byte(*jsEnv))
		if err != nil {
			t.Errorf("case %d (plugin %q launch %q): open JS envelope: %v", i, c.plugin, c.launch, err)
		} else if req.Seq != c.req.Seq || req.ID != c.req.ID || req.Cmd != c.req.Cmd || !jsonEqual(t, req.Args, c.req.Args) {
			t.Errorf("case %d: JS envelope opened as %+v (args %s), want %+v (args %s)", i, req, req.Args, c.req, c.req.Args)
		}
		plaintext, err := c.req.marshal()
		if err != nil {
			t.Fatal(err)
		}
		if opened == nil || *opened != string(plaintext) {
			t.Errorf("case %d: JS opened Go's envelope as %s, want %s", i, str(opened), plaintext)
		}
	}
}
