package permissions

import (
	"regexp"
	"strings"
	"testing"
)

func TestValidPluginID(t *testing.T) {
	t.Parallel()
	for id, want := range map[string]bool{
		"com.example.search": true, "a.b": true, "dev.warden.hello-2": true, "a.1b": true,
		"": false, "a": false, "A.b": false, "1a.b": false, "a..b": false, "a.b.": false,
		"a.-b": false, "a.b_c": false, "a.b c": false, "a.b/c": false, "a.b:c": false,
		"a." + strings.Repeat("b", MaxPluginID): false,
	} {
		if got := ValidPluginID(id); got != want {
			t.Errorf("ValidPluginID(%q) = %v", id, got)
		}
	}
	if !ValidMessagingPermission("messaging:com.example.search") || ValidMessagingPermission("messaging:") ||
		ValidMessagingPermission("messaging:*") || ValidMessagingPermission("com.example.search") {
		t.Error("ValidMessagingPermission")
	}
}

// FuzzValidPluginID checks the hand-written rule against the manifest's
// regular expression.
func FuzzValidPluginID(f *testing.F) {
	re := regexp.MustCompile(`^[a-z][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+$`)
	for _, s := range []string{"com.example.x", "a.b", "a..b", "a.-b", "Z.z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		want := re.MatchString(id) && len(id) <= MaxPluginID
		if got := ValidPluginID(id); got != want {
			t.Fatalf("ValidPluginID(%q) = %v, the manifest's rule says %v", id, got, want)
		}
	})
}
