package signing

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// newKey makes a key pair or fails the test.
func newKey(t *testing.T) (*SecretKey, PublicKey) {
	t.Helper()
	sk, pk, err := GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	return sk, pk
}

// sigLines splits a .minisig into its four lines.
func sigLines(t *testing.T, sig []byte) []string {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(string(sig), "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("signature has %d lines:\n%s", len(lines), sig)
	}
	return lines
}

// flipBase64 decodes line, flips one bit of byte i and re-encodes it.
func flipBase64(t *testing.T, line string, i int) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(line)
	if err != nil {
		t.Fatal(err)
	}
	b[i] ^= 0x01
	return base64.StdEncoding.EncodeToString(b)
}

func TestSignVerifyRoundTrip(t *testing.T) {
	t.Parallel()
	sk, pk := newKey(t)
	if sk.ID() != pk.ID() || sk.Public() != pk {
		t.Fatalf("public key %v does not match secret key id %v", pk, sk.ID())
	}
	msg := []byte("the signed entry list\n")
	sig, err := Sign(sk, msg, "id:dev.warden.hello\tversion:1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	_, other := newKey(t)
	id, err := Verify(msg, sig, []PublicKey{other, pk})
	if err != nil || id != pk.ID() {
		t.Fatalf("Verify = %v, %v; want %v", id, err, pk.ID())
	}
	s, err := ParseSignature(sig)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Prehashed || s.KeyID != pk.ID() || s.TrustedComment != "id:dev.warden.hello\tversion:1.0.0" {
		t.Errorf("parsed signature = %+v", s)
	}
	again, err := Sign(sk, msg, "id:dev.warden.hello\tversion:1.0.0")
	if err != nil || !bytes.Equal(again, sig) {
		t.Errorf("signing twice gave different signatures:\n%s\n%s", sig, again)
	}
	// The untrusted comment is not covered by the signature.
	lines := sigLines(t, sig)
	lines[0] = "untrusted comment: anything at all"
	if _, err := Verify(msg, []byte(strings.Join(lines, "\n")), []PublicKey{pk}); err != nil {
		t.Errorf("changed untrusted comment: %v", err)
	}
	// Empty trusted comment: minisign's timestamp default.
	sig, err = Sign(sk, msg, "")
	if err != nil {
		t.Fatal(err)
	}
	if s, err := ParseSignature(sig); err != nil || !strings.HasPrefix(s.TrustedComment, "timestamp:") {
		t.Errorf("default trusted comment = %+v, %v", s, err)
	}
}

func TestVerifyRejects(t *testing.T) {
	t.Parallel()
	sk, pk := newKey(t)
	_, other := newKey(t)
	msg := []byte("manifest.json and friends")
	sig, err := Sign(sk, msg, "trusted")
	if err != nil {
		t.Fatal(err)
	}
	lines := sigLines(t, sig)
	with := func(i int, v string) []byte {
		l := append([]string(nil), lines...)
		l[i] = v
		return []byte(strings.Join(l, "\n") + "\n")
	}
	// Same key id, different key: a forged or colliding id.
	impostor := other
	impostor.id = pk.id

	tests := []struct {
		name    string
		msg     []byte
		sig     []byte
		trusted []PublicKey
		want    error
	}{
		{"untrusted key", msg, sig, []PublicKey{other}, ErrUntrustedKey},
		{"no trusted keys", msg, sig, nil, ErrUntrustedKey},
		{"same id, other key", msg, sig, []PublicKey{impostor}, ErrBadSignature},
		{"message byte changed", []byte("Manifest.json and friends"), sig, []PublicKey{pk}, ErrBadSignature},
		{"message extended", append(bytes.Clone(msg), '\n'), sig, []PublicKey{pk}, ErrBadSignature},
		{"message empty", nil, sig, []PublicKey{pk}, ErrBadSignature},
		{"trusted comment changed", msg, with(2, "trusted comment: trusteD"), []PublicKey{pk}, ErrBadSignature},
		{"signature byte flipped", msg, with(1, flipBase64(t, lines[1], 40)), []PublicKey{pk}, ErrBadSignature},
		{"global signature byte flipped", msg, with(3, flipBase64(t, lines[3], 5)), []PublicKey{pk}, ErrBadSignature},
		{"key id changed", msg, with(1, flipBase64(t, lines[1], 3)), []PublicKey{pk}, ErrUntrustedKey},
		{"algorithm changed", msg, with(1, flipBase64(t, lines[1], 1)), []PublicKey{pk}, ErrMalformed},
		{"prehash flag dropped", msg, with(1, legacyAlg(t, lines[1])), []PublicKey{pk}, ErrBadSignature},
		{"not base64", msg, with(1, "!!!!"), []PublicKey{pk}, ErrMalformed},
		{"short line", msg, with(3, lines[3][:20]), []PublicKey{pk}, ErrMalformed},
		{"no trusted comment prefix", msg, with(2, "trusted"), []PublicKey{pk}, ErrMalformed},
		{"no untrusted comment prefix", msg, with(0, "comment"), []PublicKey{pk}, ErrMalformed},
		{"three lines", msg, []byte(strings.Join(lines[:3], "\n")), []PublicKey{pk}, ErrMalformed},
		{"five lines", msg, append(bytes.Clone(sig), "extra\n"...), []PublicKey{pk}, ErrMalformed},
		{"empty", msg, nil, []PublicKey{pk}, ErrMalformed},
		{"huge", msg, bytes.Repeat([]byte("a"), MaxSignatureSize+1), []PublicKey{pk}, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Verify(tt.msg, tt.sig, tt.trusted)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
	_, err = Verify(msg, sig, []PublicKey{other})
	if !strings.Contains(err.Error(), pk.ID().String()) || !strings.Contains(err.Error(), other.ID().String()) {
		t.Errorf("untrusted key error %q should name the signer and the trusted keys", err)
	}
}

// legacyAlg rewrites a prehashed signature line to claim the legacy "Ed"
// algorithm, keeping the signature bytes.
func legacyAlg(t *testing.T, line string) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(line)
	if err != nil {
		t.Fatal(err)
	}
	b[1] = 'd'
	return base64.StdEncoding.EncodeToString(b)
}

func TestSignRejectsBadComment(t *testing.T) {
	t.Parallel()
	sk, _ := newKey(t)
	for _, c := range []string{"two\nlines", "cr\r", "naïve", "\x00", strings.Repeat("a", maxTrustedComment+1)} {
		if _, err := Sign(sk, []byte("m"), c); err == nil {
			t.Errorf("Sign with trusted comment %q succeeded", abbreviate(c))
		}
	}
	if _, err := Sign(nil, []byte("m"), ""); err == nil {
		t.Error("Sign with no key succeeded")
	}
	sk.Wipe()
	if _, err := Sign(sk, []byte("m"), ""); err == nil {
		t.Error("Sign with a wiped key succeeded")
	}
}

func TestKeyID(t *testing.T) {
	t.Parallel()
	// A key made by minisign 0.11 and the id it printed.
	pk, err := ParsePublicKey("RWQkJyv1XZoiVwPH346w/B76CFRrY3TccCiPvlBZ2djmH09eksRxG1Oh")
	if err != nil {
		t.Fatal(err)
	}
	if got := pk.ID().String(); got != "57229A5DF52B2724" {
		t.Fatalf("ID = %s, want 57229A5DF52B2724", got)
	}
	for _, s := range []string{"57229A5DF52B2724", "57229a5df52b2724"} {
		id, err := ParseKeyID(s)
		if err != nil || id != pk.ID() {
			t.Errorf("ParseKeyID(%q) = %v, %v", s, id, err)
		}
	}
	for _, s := range []string{"", "57229A5DF52B27", "57229A5DF52B2724AA", "57229A5DF52B272G"} {
		if _, err := ParseKeyID(s); !errors.Is(err, ErrMalformed) {
			t.Errorf("ParseKeyID(%q) = %v, want ErrMalformed", s, err)
		}
	}
	var id KeyID
	if err := id.UnmarshalText([]byte("57229A5DF52B2724")); err != nil || id != pk.ID() {
		t.Errorf("UnmarshalText = %v, %v", id, err)
	}
}

func TestParsePublicKey(t *testing.T) {
	t.Parallel()
	_, pk := newKey(t)
	line := pk.String()
	file := string(pk.File())
	if !strings.HasPrefix(file, "untrusted comment: minisign public key "+pk.ID().String()+"\n") {
		t.Errorf("public key file starts %q", file)
	}
	for _, s := range []string{line, line + "\n", " " + line + " ", file, strings.ReplaceAll(file, "\n", "\r\n"), "untrusted comment: anything\n" + line} {
		got, err := ParsePublicKey(s)
		if err != nil || got != pk {
			t.Errorf("ParsePublicKey(%q) = %v, %v", s, got, err)
		}
	}
	other := base64.StdEncoding.EncodeToString(append([]byte("Xx"), make([]byte, 40)...))
	for _, s := range []string{"", "RWQ", line[:len(line)-4], line + "AAAA", "comment\n" + line, file + "extra\n", other, line + " " + line, strings.Repeat("A", maxKeyText+1)} {
		if _, err := ParsePublicKey(s); !errors.Is(err, ErrMalformed) {
			t.Errorf("ParsePublicKey(%q) = %v, want ErrMalformed", abbreviate(s), err)
		}
	}
	var round PublicKey
	text, _ := pk.MarshalText()
	if err := round.UnmarshalText(text); err != nil || round != pk {
		t.Errorf("text round trip = %v, %v", round, err)
	}
}

func TestKeyFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sec, pub := filepath.Join(dir, "warden.key"), filepath.Join(dir, "warden.pub")
	sk, pk := newKey(t)
	if err := WriteKeyPair(sec, pub, sk, false); err != nil {
		t.Fatal(err)
	}
	for path, mode := range map[string]os.FileMode{sec: 0o600, pub: 0o644} {
		fi, err := os.Stat(path)
		if err != nil || fi.Mode().Perm() != mode {
			t.Errorf("%s: mode %v, %v; want %v", path, fi.Mode().Perm(), err, mode)
		}
	}
	gotSK, err := ReadSecretKeyFile(sec, "")
	if err != nil || *gotSK != *sk {
		t.Fatalf("ReadSecretKeyFile = %v", err)
	}
	gotPK, err := ReadPublicKeyFile(pub)
	if err != nil || gotPK != pk {
		t.Fatalf("ReadPublicKeyFile = %v, %v", gotPK, err)
	}

	// No overwrite without asking: both files stay as they were.
	sk2, pk2 := newKey(t)
	before, _ := os.ReadFile(sec)
	if err := WriteKeyPair(sec, filepath.Join(dir, "new.pub"), sk2, false); !errors.Is(err, ErrKeyExists) {
		t.Fatalf("WriteKeyPair over an existing key = %v, want ErrKeyExists", err)
	}
	if err := WriteKeyPair(filepath.Join(dir, "new.key"), pub, sk2, false); !errors.Is(err, ErrKeyExists) {
		t.Fatalf("WriteKeyPair over an existing public key = %v, want ErrKeyExists", err)
	}
	after, _ := os.ReadFile(sec)
	if !bytes.Equal(before, after) {
		t.Fatal("refused write changed the secret key")
	}
	for _, name := range []string{"new.key", "new.pub"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			t.Errorf("refused write left %s behind", name)
		}
	}
	if err := WriteKeyPair(sec, pub, sk2, true); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadPublicKeyFile(pub); err != nil || got != pk2 {
		t.Fatalf("overwritten public key = %v, %v", got, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("directory holds %d files, want the 2 keys (no temporary files)", len(entries))
	}
}

func TestParseSecretKeyDamaged(t *testing.T) {
	t.Parallel()
	sk, _ := newKey(t)
	file := sk.File()
	lines := strings.Split(strings.TrimSpace(string(file)), "\n")
	for _, i := range []int{1, 4, 60, 70, 100, 140} {
		damaged := lines[0] + "\n" + flipBase64(t, lines[1], i) + "\n"
		if _, err := ParseSecretKey([]byte(damaged), ""); err == nil {
			t.Errorf("secret key with byte %d flipped parsed", i)
		}
	}
	for _, s := range []string{"", lines[1], "comment\n" + lines[1], lines[0] + "\n" + lines[1][:40]} {
		if _, err := ParseSecretKey([]byte(s), ""); !errors.Is(err, ErrMalformed) {
			t.Errorf("ParseSecretKey(%q) = %v, want ErrMalformed", abbreviate(s), err)
		}
	}
}
