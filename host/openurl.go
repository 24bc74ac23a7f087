package host

import (
	"context"
	"fmt"
	"net/url"
	"strings"
)

// URLOpener opens a web page in the user's browser (package warden runs
// $BROWSER or xdg-open). It is given only absolute http(s) URLs without
// credentials, already checked by the core.
type URLOpener interface {
	OpenURL(ctx context.Context, u string) error
}

// maxURL bounds a URL a plugin may open.
const maxURL = 2048

type openURLArgs struct {
	URL string `json:"url"`
}

// openURL opens an http(s) URL in the user's browser.
func (h *Host) openURL(ctx context.Context, c *Call) ([]byte, error) {
	var a openURLArgs
	if err := c.DecodeArgs(&a); err != nil {
		return nil, err
	}
	u, err := webURL(a.URL)
	if err != nil {
		return nil, Deny(CodeBadArgs, "open_url: "+err.Error())
	}
	if h.opts.URLOpener == nil {
		return nil, fmt.Errorf("this desktop cannot open web pages")
	}
	if err := h.opts.URLOpener.OpenURL(ctx, u); err != nil {
		return nil, err
	}
	return nil, nil
}

// webURL checks that s is an absolute http or https URL with a host and no
// user name or password, of at most maxURL bytes and no spaces or control
// characters, and returns it in its canonical form.
func webURL(s string) (string, error) {
	if len(s) > maxURL {
		return "", fmt.Errorf("url is longer than %d bytes", maxURL)
	}
	if strings.IndexFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f }) >= 0 {
		return "", fmt.Errorf("url %q has spaces or control characters", s)
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("url %q does not parse", s)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("only http and https URLs open in the browser, not %q", s)
	}
	if u.Host == "" || u.Hostname() == "" {
		return "", fmt.Errorf("url %q has no host", s)
	}
	if u.User != nil {
		return "", fmt.Errorf("url %q carries a user name or password", s)
	}
	return u.String(), nil
}
