package store

import (
	"errors"
	"testing"
)

// Two minisign public keys and the first one's id.
const (
	testSignerKey   = "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3"
	testSignerID    = "E7620F1842B4E81F"
	testOtherSigner = "RWTb+mGiqxoAaRbfsyPU+VTtEbHRzzOePYHmaTI/9k6ztE3U5f7i9/cn"
)

// TestSignerKeyFollowsVersions installs 1.0.0 signed by one key and 2.0.0
// (a new publisher) by another, then rolls back and forth: the record is
// bound to the key of whichever version is current, and Modify cannot
// rebind it.
func TestSignerKeyFollowsVersions(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t, Options{})
	ctx := t.Context()
	id := "com.example.a"
	if err := install(ctx, s, Plugin{ID: id, Version: "1.0.0", Enabled: true, SignerKey: testSignerKey}); err != nil {
		t.Fatal(err)
	}
	if err := install(ctx, s, Plugin{ID: id, Version: "2.0.0", Enabled: true, SignerKey: testOtherSigner}); err != nil {
		t.Fatal(err)
	}
	got := mustGet(t, s, id)
	if got.SignerKey != testOtherSigner || got.KeptSigners["1.0.0"] != testSignerKey {
		t.Fatalf("after update: key %s, kept %v", got.SignerKey, got.KeptSigners)
	}
	back, err := s.Rollback(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if back.Version != "1.0.0" || back.SignerKey != testSignerKey || back.Signer != testSignerID || back.KeptSigners["2.0.0"] != testOtherSigner {
		t.Fatalf("after rollback: %s key %s (%s), kept %v", back.Version, back.SignerKey, back.Signer, back.KeptSigners)
	}
	if got := mustGet(t, s, id); got.SignerKey != testSignerKey {
		t.Fatalf("stored after rollback: %s", got.SignerKey)
	}
	if _, err := s.Modify(id, func(p *Plugin) error { p.SignerKey = testOtherSigner; return nil }); !errors.Is(err, ErrInvalidRecord) {
		t.Fatalf("Modify rebinding the signer: %v, want ErrInvalidRecord", err)
	}
	fwd, err := s.Rollback(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if fwd.Version != "2.0.0" || fwd.SignerKey != testOtherSigner || fwd.KeptSigners["1.0.0"] != testSignerKey {
		t.Fatalf("rolling forward: %s key %s, kept %v", fwd.Version, fwd.SignerKey, fwd.KeptSigners)
	}
}

// TestLegacySignerIsNotVerified reads a record in the form written before
// full keys were kept: it names only the key id a signature claimed, so it
// reads back as unsigned, never as a trusted signer.
func TestLegacySignerIsNotVerified(t *testing.T) {
	t.Parallel()
	p, err := decodeRecord([]byte(`{"v":1,"id":"com.example.a","version":"1.0.0","enabled":true,"signer":"` + testSignerID + `"}`))
	if err != nil {
		t.Fatal(err)
	}
	if p.Signer != "" || p.SignerKey != "" {
		t.Fatalf("legacy record reads as signed by %q (%q)", p.Signer, p.SignerKey)
	}
	if _, err := decodeRecord([]byte(`{"v":1,"id":"com.example.a","version":"1.0.0","signer_key":"RWQnot-a-key"}`)); !errors.Is(err, ErrInvalidRecord) {
		t.Fatalf("garbled signer key: %v, want ErrInvalidRecord", err)
	}
}
