package manifest

import (
	"strings"
	"testing"
)

func TestCheckCSP(t *testing.T) {
	t.Parallel()
	allowed := []string{
		"default-src 'self'; img-src 'self'",
		"connect-src 'none'",
		"default-src 'self'; img-src 'self' data:",
		"img-src data:",
		"img-src",
		"IMG-SRC 'SELF'",
		"script-src-elem 'self'; style-src-attr 'none'",
		"frame-src isolation:",
		"child-src isolation:",
		"worker-src 'none'",
		"object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
		"manifest-src 'self'",
		"  default-src 'none' ;; ",
		"sandbox allow-scripts allow-same-origin",
		"sandbox",
		"upgrade-insecure-requests",
		"require-trusted-types-for 'script'; trusted-types notes-html 'allow-duplicates'",
	}
	for _, p := range allowed {
		if err := checkCSP(p); err != nil {
			t.Errorf("checkCSP(%q) = %v, want allowed", p, err)
		}
	}
	refused := []struct{ policy, want string }{
		{"connect-src https://x.com", `"connect-src": source "https://x.com"`},
		{"script-src 'self' 'unsafe-eval'", `"script-src": source "'unsafe-eval'"`},
		{"img-src *", `"img-src": source "*"`},
		{"style-src 'unsafe-inline'", `"style-src": source "'unsafe-inline'"`},
		{"script-src-elem 'self' 'unsafe-inline'", `"script-src-elem": source "'unsafe-inline'"`},
		{"script-src 'nonce-abc'", `'nonce-abc'`},
		{"font-src data:", `"font-src": source "data:"`},
		{"worker-src 'self'", `"worker-src": source "'self'"`},
		{"frame-src 'self'", `"frame-src": source "'self'"`},
		{"frame-src isolation: https:", `source "https:"`},
		{"base-uri 'self'", `"base-uri": source "'self'"`},
		{"frame-ancestors *", `"frame-ancestors"`},
		{"default-src 'self' https:", `"default-src": source "https:"`},
		{"connect-src 'self'", `"connect-src": source "'self'"`},
		{"img-src 'none' 'self'", "'none' must be the only source"},
		{"report-uri https://x.com/r", `"report-uri" is not allowed`},
		{"img-src 'self'; report-to grp", `"report-to" is not allowed`},
		{"navigate-to 'self'", `unknown or unsupported directive "navigate-to"`},
		{"foo-src 'self'", `unknown or unsupported directive "foo-src"`},
		{"sandbox allow-top-navigation", `flag "allow-top-navigation"`},
		{"sandbox allow-popups-to-escape-sandbox", `flag "allow-popups-to-escape-sandbox"`},
		{"upgrade-insecure-requests x", "takes no value"},
		{"img-src 'self'; img-src 'none'", "appears twice"},
		{"img-src 'self', connect-src *", "single policy"},
		{"img-src 'self'\nX: y", "printable ASCII"},
		{"img-src 'sélf'", "printable ASCII"},
		{"img_src 'self'", "invalid directive name"},
		{" ; ;", "no directives"},
	}
	for _, tt := range refused {
		err := checkCSP(tt.policy)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("checkCSP(%q) = %v, want an error containing %q", tt.policy, err, tt.want)
		}
	}
}

func TestDefaultCSPIsItsOwnTightening(t *testing.T) {
	t.Parallel()
	if err := checkCSP(DefaultCSP); err != nil {
		t.Errorf("DefaultCSP does not pass its own check: %v", err)
	}
}
