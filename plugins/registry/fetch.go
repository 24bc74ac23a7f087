package registry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"
)

// defaultHTTP is the HTTP client used when Client.HTTP is nil: the default
// transport with bounded connection and header waits, refusing redirects
// from https to http.
var defaultHTTP = func() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSHandshakeTimeout = 10 * time.Second
	t.ResponseHeaderTimeout = DefaultTimeout
	return &http.Client{
		Transport: t,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 10 {
				return errors.New("stopped after 10 redirects")
			}
			if via[0].URL.Scheme == "https" && req.URL.Scheme != "https" {
				return fmt.Errorf("refusing redirect from https to %s", req.URL.Redacted())
			}
			return nil
		},
	}
}()

// errDeadline and errStalled are the causes of Warden's own timeouts, to
// tell them from a cancellation by the caller.
var (
	errDeadline = errors.New("deadline")
	errStalled  = errors.New("stalled")
)

// open starts reading u (http, https or file) and returns the body and its
// length, -1 when unknown. A status other than 200 is ErrFetch; a missing
// file or a 404 also wraps fs.ErrNotExist.
func (c *Client) open(ctx context.Context, u *url.URL) (io.ReadCloser, int64, error) {
	if u.Scheme == "file" {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		f, err := os.Open(u.Path)
		if err != nil {
			return nil, 0, err
		}
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, 0, err
		}
		if !fi.Mode().IsRegular() {
			f.Close()
			return nil, 0, fmt.Errorf("%s is not a regular file", u.Path)
		}
		return f, fi.Size(), nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("User-Agent", "Warden")
	// Caches must revalidate so that an index and its signature match.
	req.Header.Set("Cache-Control", "no-cache")
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return nil, 0, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		err := fmt.Errorf("%w: the server answered %s", ErrFetch, resp.Status)
		if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone {
			err = fmt.Errorf("%w (%w)", err, fs.ErrNotExist)
		}
		return nil, 0, err
	}
	return resp.Body, resp.ContentLength, nil
}

// fetchSmall reads all of u, at most max bytes, within the client's
// timeout.
func (c *Client) fetchSmall(ctx context.Context, u *url.URL, max int64) ([]byte, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, c.timeout(), errDeadline)
	defer cancel()
	body, n, err := c.open(ctx, u)
	if err != nil {
		return nil, c.fetchErr(ctx, u, err)
	}
	defer body.Close()
	if n > max {
		return nil, fmt.Errorf("get %s: %w: it is %d bytes, more than the %d allowed", display(u), ErrTooLarge, n, max)
	}
	data, err := io.ReadAll(io.LimitReader(body, max+1))
	if err != nil {
		return nil, c.fetchErr(ctx, u, err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("get %s: %w: it is more than the %d bytes allowed", display(u), ErrTooLarge, max)
	}
	return data, nil
}

// fetchErr wraps a fetch error, naming Warden's own timeouts ErrTimeout.
func (c *Client) fetchErr(ctx context.Context, u *url.URL, err error) error {
	var ne net.Error
	switch cause := context.Cause(ctx); {
	case errors.Is(cause, errDeadline):
		return fmt.Errorf("get %s: %w: no complete answer within %s; check the URL and the network, or try again", display(u), ErrTimeout, c.timeout())
	case errors.Is(cause, errStalled):
		return fmt.Errorf("get %s: %w: nothing received for %s; check the network, or try again", display(u), ErrTimeout, c.timeout())
	case ctx.Err() != nil:
		return fmt.Errorf("get %s: %w", display(u), cause)
	case errors.As(err, &ne) && ne.Timeout():
		return fmt.Errorf("get %s: %w: %w", display(u), ErrTimeout, err)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // the URL is named once, below
	}
	return fmt.Errorf("get %s: %w", display(u), err)
}
