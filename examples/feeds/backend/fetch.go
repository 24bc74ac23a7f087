package main

import (
	"errors"
	"fmt"
	"net/url"

	"github.com/wardenhq/warden/sdk/guest"
)

// accept asks for a feed, and takes whatever XML the server has.
const accept = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"

// fetchFeed fetches the feed at u through the host's http capability and
// parses it. The host decides the URL (and every redirect) against the
// manifest's http list: a URL outside it fails with the host's code,
// out_of_scope, and no request is sent.
func fetchFeed(u *url.URL) (Feed, error) {
	resp, err := guest.Fetch(guest.HTTPRequest{URL: u.String(), Headers: map[string]string{"Accept": accept}})
	if err != nil {
		var he *guest.HostError
		if errors.As(err, &he) && (he.Code == "out_of_scope" || he.Code == "redirect_denied") {
			return Feed{}, fmt.Errorf("fetch %s: %s is not among the hosts this plugin may read (its manifest's http list): %w", u, u.Host, err)
		}
		return Feed{}, fmt.Errorf("fetch %s: %w", u, err)
	}
	if resp.Status != 200 {
		return Feed{}, fmt.Errorf("fetch %s: the server answered %d, not 200", u, resp.Status)
	}
	f, err := ParseFeed(resp.Body, u)
	if err != nil {
		return Feed{}, fmt.Errorf("read %s: %w", u, err)
	}
	return f, nil
}
