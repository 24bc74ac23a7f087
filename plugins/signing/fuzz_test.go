package signing

import (
	"errors"
	"testing"
)

// FuzzVerify feeds arbitrary signature text to ParseSignature and Verify:
// they must not panic, must fail with one of the sentinels, and must never
// accept a signature over a message that was not signed.
func FuzzVerify(f *testing.F) {
	sk, pk, err := GenerateKey(nil)
	if err != nil {
		f.Fatal(err)
	}
	sig, err := Sign(sk, []byte("signed"), "c")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sig)
	f.Add([]byte("untrusted comment: x\nRUQAAAAA\ntrusted comment: y\nAAAA\n"))
	f.Add([]byte("\n\n\n\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		id, err := Verify([]byte("not signed"), data, []PublicKey{pk})
		if err == nil {
			t.Fatalf("Verify accepted a signature by %v over an unsigned message", id)
		}
		if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrUntrustedKey) && !errors.Is(err, ErrBadSignature) {
			t.Fatalf("Verify error %v matches no sentinel", err)
		}
	})
}

// FuzzParsePublicKey checks that parsing never panics and that what parses
// survives a round trip.
func FuzzParsePublicKey(f *testing.F) {
	_, pk, err := GenerateKey(nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(pk.String())
	f.Add(string(pk.File()))
	f.Add("untrusted comment: \n\n")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParsePublicKey(s)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v is not ErrMalformed", err)
			}
			return
		}
		again, err := ParsePublicKey(string(k.File()))
		if err != nil || again != k {
			t.Fatalf("round trip of %q: %v, %v", s, again, err)
		}
	})
}

// FuzzParseSecretKey checks that parsing never panics. Without a password
// no scrypt runs, so the fuzzer cannot make it slow.
func FuzzParseSecretKey(f *testing.F) {
	sk, _, err := GenerateKey(nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sk.File())
	f.Add([]byte("untrusted comment: \nRWQAAEIy\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := ParseSecretKey(data, "")
		if err != nil {
			return
		}
		if _, err := Sign(k, []byte("m"), ""); err != nil {
			t.Fatalf("a parsed key cannot sign: %v", err)
		}
	})
}
