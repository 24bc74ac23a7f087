package manifest

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// cspDirective is one directive of a parsed policy.
type cspDirective struct {
	name    string   // lower case
	sources []string // as written
}

// parseCSP splits a serialized policy into directives. It refuses what a
// header could not carry safely (control characters, non-ASCII), several
// policies in one string, malformed names and repeated directives.
func parseCSP(s string) ([]cspDirective, error) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && c != '\t') || c >= 0x7f {
			return nil, fmt.Errorf("must be printable ASCII (byte %d is %#x)", i, c)
		}
	}
	if strings.Contains(s, ",") {
		return nil, errors.New("must be a single policy (no ',')")
	}
	var out []cspDirective
	seen := make(map[string]bool)
	for _, part := range strings.Split(s, ";") {
		fields := strings.Fields(part)
		if len(fields) == 0 {
			continue
		}
		name := strings.ToLower(fields[0])
		if strings.Trim(name, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
			return nil, fmt.Errorf("invalid directive name %q", fields[0])
		}
		if seen[name] {
			return nil, fmt.Errorf("directive %q appears twice", name)
		}
		seen[name] = true
		out = append(out, cspDirective{name: name, sources: fields[1:]})
	}
	if len(out) == 0 {
		return nil, errors.New("has no directives")
	}
	return out, nil
}

// fetchFallbacks lists, for each fetch directive, the directives a browser
// consults in order when it is absent (CSP Level 3 fallback lists).
var fetchFallbacks = map[string][]string{
	"default-src":      {"default-src"},
	"script-src":       {"script-src", "default-src"},
	"script-src-elem":  {"script-src-elem", "script-src", "default-src"},
	"script-src-attr":  {"script-src-attr", "script-src", "default-src"},
	"style-src":        {"style-src", "default-src"},
	"style-src-elem":   {"style-src-elem", "style-src", "default-src"},
	"style-src-attr":   {"style-src-attr", "style-src", "default-src"},
	"img-src":          {"img-src", "default-src"},
	"font-src":         {"font-src", "default-src"},
	"media-src":        {"media-src", "default-src"},
	"object-src":       {"object-src", "default-src"},
	"connect-src":      {"connect-src", "default-src"},
	"manifest-src":     {"manifest-src", "default-src"},
	"child-src":        {"child-src", "default-src"},
	"frame-src":        {"frame-src", "child-src", "default-src"},
	"fenced-frame-src": {"fenced-frame-src", "frame-src", "child-src", "default-src"},
	"worker-src":       {"worker-src", "child-src", "script-src", "default-src"},
	// Document directives without fallback, all set in DefaultCSP.
	"base-uri":        {"base-uri"},
	"form-action":     {"form-action"},
	"frame-ancestors": {"frame-ancestors"},
}

// sandboxTokens are the sandbox flags a manifest may use. Any sandbox
// directive only adds restrictions to a policy that has none; the flags
// that let content escape the sandbox or navigate the window are still
// refused.
var sandboxTokens = map[string]bool{
	"allow-scripts": true, "allow-forms": true, "allow-modals": true, "allow-same-origin": true,
	"allow-downloads": true, "allow-pointer-lock": true, "allow-orientation-lock": true,
	"allow-presentation": true, "allow-popups": true,
}

var defaultDirectives = func() map[string][]string {
	ds, err := parseCSP(DefaultCSP)
	if err != nil {
		panic("manifest: bad DefaultCSP: " + err.Error())
	}
	out := make(map[string][]string, len(ds))
	for _, d := range ds {
		out[d.name] = d.sources
	}
	return out
}()

// effectiveDefault returns the source list DefaultCSP applies to directive.
func effectiveDefault(directive string) (name string, sources []string) {
	for _, f := range fetchFallbacks[directive] {
		if s, ok := defaultDirectives[f]; ok {
			return f, s
		}
	}
	return "", nil
}

// checkCSP reports why policy would loosen DefaultCSP, or nil when every
// directive it sets is at least as strict as the default's.
func checkCSP(policy string) error {
	ds, err := parseCSP(policy)
	if err != nil {
		return err
	}
	for _, d := range ds {
		if err := checkDirective(d); err != nil {
			return err
		}
	}
	return nil
}

func checkDirective(d cspDirective) error {
	switch d.name {
	case "report-uri", "report-to":
		return fmt.Errorf("directive %q is not allowed: reports would send data off the machine", d.name)
	case "upgrade-insecure-requests":
		if len(d.sources) > 0 {
			return fmt.Errorf("directive %q takes no value", d.name)
		}
		return nil
	case "require-trusted-types-for":
		if len(d.sources) != 1 || d.sources[0] != "'script'" {
			return fmt.Errorf("directive %q must be exactly 'script'", d.name)
		}
		return nil
	case "trusted-types":
		for _, s := range d.sources {
			if s != "'none'" && s != "'allow-duplicates'" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-#=_/@.%") != "" {
				return fmt.Errorf("directive %q: invalid policy name %q", d.name, s)
			}
		}
		return nil
	case "sandbox":
		for _, s := range d.sources {
			if !sandboxTokens[strings.ToLower(s)] {
				return fmt.Errorf("directive \"sandbox\": flag %q is not allowed (allowed: %s)", s, sortedKeys(sandboxTokens))
			}
		}
		return nil
	}
	if _, ok := fetchFallbacks[d.name]; !ok {
		return fmt.Errorf("unknown or unsupported directive %q", d.name)
	}
	from, allowed := effectiveDefault(d.name)
	if len(d.sources) == 0 || (len(d.sources) == 1 && strings.EqualFold(d.sources[0], "'none'")) {
		return nil
	}
	for _, s := range d.sources {
		if strings.EqualFold(s, "'none'") {
			return fmt.Errorf("directive %q: 'none' must be the only source", d.name)
		}
		if !containsFold(allowed, s) {
			return fmt.Errorf("directive %q: source %q is not allowed; the default policy's %s allows only %s, so use a subset of that or 'none'",
				d.name, s, from, strings.Join(allowed, " "))
		}
	}
	return nil
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) && x != "'none'" {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]bool) string {
	return strings.Join(slices.Sorted(maps.Keys(m)), ", ")
}
