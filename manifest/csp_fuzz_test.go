package manifest

import (
	"strings"
	"testing"
)

func FuzzCheckCSP(f *testing.F) {
	for _, s := range []string{DefaultCSP, "img-src *", "default-src 'self'; img-src 'self' data:", "sandbox allow-scripts", "a,b", "img-src 'self'\r\nX: y", ";;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, policy string) {
		if checkCSP(policy) != nil {
			return
		}
		// An accepted policy must be safe to send as a header value and
		// must not be able to add sources the default lacks.
		for i := 0; i < len(policy); i++ {
			if c := policy[i]; (c < 0x20 && c != '\t') || c >= 0x7f || c == ',' {
				t.Fatalf("accepted %q with byte %#x", policy, c)
			}
		}
		for _, bad := range []string{"'unsafe-inline'", "'unsafe-eval'", "https:", "*"} {
			if strings.Contains(strings.ToLower(policy), bad) {
				t.Fatalf("accepted %q containing %s", policy, bad)
			}
		}
		ds, err := parseCSP(policy)
		if err != nil {
			t.Fatalf("accepted %q that does not parse: %v", policy, err)
		}
		for _, d := range ds {
			if d.name == "report-uri" || d.name == "report-to" {
				t.Fatalf("accepted %q with %s", policy, d.name)
			}
		}
	})
}
