package registry

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// indexLocation turns what a user gives as a registry into the URL of its
// index.json: an http(s) or file URL, or a plain path. A path or URL whose
// last element ends in ".json" names the index itself; anything else names
// the directory holding index.json.
func indexLocation(s string) (*url.URL, error) {
	if s == "" {
		return nil, fmt.Errorf("no registry given: pass the URL of its index.json or its directory")
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || len(u.Scheme) == 1 {
		return fileLocation(s)
	}
	switch u.Scheme {
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return nil, fmt.Errorf("registry %s: a file URL must name a local path (file:///dir/index.json)", s)
		}
		return fileLocation(u.Path)
	case "http", "https":
		if u.Host == "" {
			return nil, fmt.Errorf("registry %s: the URL has no host", s)
		}
		if u.User != nil || u.Fragment != "" {
			return nil, fmt.Errorf("registry %s: give the URL without credentials or #fragment", s)
		}
		out := *u
		if !strings.HasSuffix(out.Path, ".json") {
			out.Path = strings.TrimSuffix(out.Path, "/") + "/" + IndexName
		}
		out.RawPath = ""
		return &out, nil
	}
	return nil, fmt.Errorf("registry %s: scheme %q is not supported; use https://, http://, file:// or a directory", s, u.Scheme)
}

// canonical returns the one spelling of an index URL from indexLocation
// that every spelling of the same registry shares: scheme and host in
// lower case, no trailing dot on the host, no default port (80 for http,
// 443 for https), "." and ".." segments and repeated slashes resolved,
// percent-encoding in its canonical form. It is used to recognise a
// registry, never to fetch from it.
func canonical(u *url.URL) *url.URL {
	out := *u
	out.Scheme = strings.ToLower(out.Scheme)
	if out.Scheme == "http" || out.Scheme == "https" {
		host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
		port := u.Port()
		if (out.Scheme == "http" && port == "80") || (out.Scheme == "https" && port == "443") {
			port = ""
		}
		switch {
		case port != "":
			out.Host = net.JoinHostPort(host, port)
		case strings.Contains(host, ":"):
			out.Host = "[" + host + "]"
		default:
			out.Host = host
		}
	}
	if out.Path != "" {
		out.Path = path.Clean("/" + out.Path)
	}
	out.RawPath = ""
	out.ForceQuery = false
	return &out
}

// NormalizeLocation returns the canonical URL of the index that s (a URL,
// file URL or path, as [Client.IndexURL] takes) names, so that two
// spellings of one registry ("https://Example.com:443/reg/" and
// "https://example.com/reg/./index.json") compare equal.
func NormalizeLocation(s string) (string, error) {
	u, err := indexLocation(s)
	if err != nil {
		return "", err
	}
	return canonical(u).String(), nil
}

// fileLocation is indexLocation for a local path.
func fileLocation(p string) (*url.URL, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return nil, fmt.Errorf("registry %s: %w", p, err)
	}
	if fi, err := os.Stat(abs); (err == nil && fi.IsDir()) || (err != nil && !strings.HasSuffix(abs, ".json")) {
		abs = filepath.Join(abs, IndexName)
	}
	return &url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}, nil
}

// signatureURL is the URL of index.json.minisig beside index.
func signatureURL(index *url.URL) *url.URL {
	out := *index
	out.Path += ".minisig"
	out.RawPath = ""
	return &out
}

// resolveBundle resolves a version's URL against the index URL. A bundle
// of a remote index is always fetched over http(s), never from a file.
func resolveBundle(index *url.URL, v Version) (*url.URL, error) {
	if err := checkURL(v.URL); err != nil {
		return nil, fmt.Errorf("bundle URL of %s: %w", v, err)
	}
	ref, err := url.Parse(v.URL)
	if err != nil {
		return nil, fmt.Errorf("bundle URL of %s: %w", v, err)
	}
	u := index.ResolveReference(ref)
	if u.Scheme == "file" {
		u.Path = path.Clean(u.Path)
	}
	return u, nil
}

// display is a URL for messages: a file URL as its path.
func display(u *url.URL) string {
	if u.Scheme == "file" {
		return filepath.FromSlash(u.Path)
	}
	return u.Redacted()
}
