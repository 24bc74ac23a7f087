package main

import (
	"strings"
	"testing"

	"github.com/wardenhq/warden/plugins/manager"
)

// TestShowConsentQuotesTheAuthor: the author's reasons appear verbatim,
// under the permission or scope they are about, and as the author's
// words.
func TestShowConsentQuotesTheAuthor(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	showConsent(&b, manager.ConsentRequest{
		ID: "com.example.notes", Name: "Notes", Version: "1.0.0", Signer: "unsigned",
		Permissions: []manager.Permission{
			{Name: "storage", Description: "Store its own data on this computer", Reason: `Keeps "your" notes — between runs.`},
			{Name: "http", Description: "Connect to the websites it lists", Scopes: []string{"https://a.example/*", "https://b.example/*"},
				ScopeReasons: map[string]string{"https://b.example/*": "Fetches your feed."}},
		},
	})
	want := `Notes 1.0.0 (com.example.notes)
unsigned
It asks to:
  - Store its own data on this computer (storage)
      the author says: "Keeps "your" notes — between runs."
  - Connect to the websites it lists (http): https://a.example/*, https://b.example/*
      for https://b.example/*, the author says: "Fetches your feed."
`
	if got := b.String(); got != want {
		t.Errorf("consent text:\n%s\nwant:\n%s", got, want)
	}
}
