package signing

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"testing"

	"golang.org/x/crypto/blake2b"
	"golang.org/x/crypto/scrypt"
)

// encryptedKeyFile encrypts sk as minisign does, with small scrypt limits
// (opslimit 32768, memlimit 16 MiB: N=1024, r=8, p=1) so the test is fast.
func encryptedKeyFile(t *testing.T, sk *SecretKey, password string) []byte {
	t.Helper()
	salt := [32]byte{1, 2, 3}
	stream, err := scrypt.Key([]byte(password), salt[:], 1024, 8, 1, 104)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := blake2b.New256(nil)
	h.Write([]byte("Ed"))
	h.Write(sk.id[:])
	h.Write(sk.key[:])
	plain := append(append(append([]byte(nil), sk.id[:]...), sk.key[:]...), h.Sum(nil)...)
	for i := range plain {
		plain[i] ^= stream[i]
	}
	bin := []byte("EdScB2")
	bin = append(bin, salt[:]...)
	bin = binary.LittleEndian.AppendUint64(bin, 32768)
	bin = binary.LittleEndian.AppendUint64(bin, 16<<20)
	bin = append(bin, plain...)
	return []byte("untrusted comment: minisign encrypted secret key\n" + base64.StdEncoding.EncodeToString(bin) + "\n")
}

func TestParseEncryptedSecretKey(t *testing.T) {
	t.Parallel()
	sk, pk := newKey(t)
	file := encryptedKeyFile(t, sk, "correct horse")
	if _, err := ParseSecretKey(file, ""); !errors.Is(err, ErrEncryptedKey) {
		t.Fatalf("no password: %v, want ErrEncryptedKey", err)
	}
	if _, err := ParseSecretKey(file, "wrong"); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("wrong password: %v, want ErrWrongPassword", err)
	}
	got, err := ParseSecretKey(file, "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if *got != *sk {
		t.Fatal("decrypted key differs from the original")
	}
	sig, err := Sign(got, []byte("m"), "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Verify([]byte("m"), sig, []PublicKey{pk}); err != nil {
		t.Fatal(err)
	}
}
