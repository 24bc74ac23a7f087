package registry

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"time"

	"github.com/wardenhq/warden/internal/atomicfile"
	"github.com/wardenhq/warden/plugins/signing"
)

// Defaults for the Client fields left zero.
const (
	// DefaultMaxIndex bounds index.json: thousands of plugins with many
	// versions each.
	DefaultMaxIndex = 16 << 20
	// DefaultMaxBundle is a little above the largest bundle file that
	// bundle.DefaultLimits accept (256 MiB of content plus zip overhead).
	DefaultMaxBundle = 288 << 20
	// DefaultTimeout bounds fetching the index and its signature, and how
	// long a bundle download may go without receiving a byte.
	DefaultTimeout = 30 * time.Second
)

// retryDelay is the wait before fetching an index again whose signature
// did not match: the index and its signature are two files, replaced one
// after the other.
const retryDelay = 250 * time.Millisecond

// Client reads a registry. Its zero fields take the defaults above; only
// IndexURL (and Key, for [Client.Index]) must be set. A Client is safe for
// concurrent use if its fields are not changed.
type Client struct {
	// IndexURL locates the index: an http(s) URL, a file:// URL or a local
	// path. One whose last element ends in ".json" names index.json itself;
	// any other names the directory (or URL prefix) holding it.
	IndexURL string
	// Key is the registry's public key; the index must be signed by it.
	Key signing.PublicKey
	// HTTP is the client for http(s) URLs; nil means one with bounded
	// connection, TLS and response-header waits.
	HTTP *http.Client
	// MaxIndex bounds index.json, in bytes.
	MaxIndex int64
	// MaxBundle bounds a bundle download, in bytes.
	MaxBundle int64
	// Timeout bounds fetching the index and its signature, and each wait
	// for data during a bundle download.
	Timeout time.Duration
	// Progress, when set, is called as a download proceeds with the bytes
	// received so far and the bundle's size, from the calling goroutine.
	Progress func(done, total int64)
	// NotBefore, when set, is the Updated time of the newest index seen
	// from this registry: Index refuses an older one (ErrStaleIndex), so a
	// replayed index cannot hide versions published since.
	NotBefore time.Time
	// Verified, when set, is called with each index Index accepts, so the
	// caller can remember its Updated time for NotBefore.
	Verified func(*Index)
	// Now is the clock an index's expiry is checked against; nil means
	// time.Now.
	Now func() time.Time
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return defaultHTTP
}

func (c *Client) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return DefaultTimeout
}

func (c *Client) maxIndex() int64 {
	if c.MaxIndex > 0 {
		return c.MaxIndex
	}
	return DefaultMaxIndex
}

func (c *Client) maxBundle() int64 {
	if c.MaxBundle > 0 {
		return c.MaxBundle
	}
	return DefaultMaxBundle
}

// Location returns the URL of the index the client reads, resolved from
// IndexURL (a local path becomes a file:// URL) in its canonical form
// ([NormalizeLocation]), so that every spelling of a registry gives the
// same location.
func (c *Client) Location() (string, error) {
	return NormalizeLocation(c.IndexURL)
}

// Identity names the registry for remembering what was read from it: the
// registry's public key and its canonical location, so that neither
// another spelling of the URL nor another key sharing the URL starts from
// a clean slate (or inherits another's memory). It fails when IndexURL is
// invalid or Key is not set.
func (c *Client) Identity() (string, error) {
	if c.Key.IsZero() {
		return "", fmt.Errorf("registry %s: no registry key", c.IndexURL)
	}
	loc, err := c.Location()
	if err != nil {
		return "", err
	}
	return c.Key.String() + " " + loc, nil
}

// Index fetches index.json and index.json.minisig, verifies the signature
// with Key and parses the index ([ParseIndex]). A signature that is
// missing, malformed, made by another key or not matching is
// ErrBadIndexSignature (also wrapping signing's ErrUntrustedKey or
// ErrBadSignature); when it does not match, both files are fetched once
// more first, since a registry being updated replaces them one after the
// other. A verified index older than NotBefore is ErrStaleIndex; one past
// its "expires" time, or without one, is ErrExpiredIndex. Cost:
// two requests (four on a retry), each bounded by Timeout.
func (c *Client) Index(ctx context.Context) (*Index, error) {
	if c.Key == (signing.PublicKey{}) {
		return nil, fmt.Errorf("registry %s: no registry key to verify the index with: give the registry's public key", c.IndexURL)
	}
	loc, err := indexLocation(c.IndexURL)
	if err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		data, err := c.fetchSmall(ctx, loc, c.maxIndex())
		if err != nil {
			return nil, fmt.Errorf("registry index: %w", err)
		}
		sig, err := c.fetchSmall(ctx, signatureURL(loc), signing.MaxSignatureSize)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("registry index: %w: %w; the registry must publish %s beside %s", ErrBadIndexSignature, err, SignatureName, IndexName)
		}
		if err != nil {
			return nil, fmt.Errorf("registry index signature: %w", err)
		}
		signer, err := signing.Verify(data, sig, []signing.PublicKey{c.Key})
		if err == nil {
			ix, err := ParseIndex(data)
			if err != nil {
				return nil, fmt.Errorf("registry index %s: %w", display(loc), err)
			}
			if ix.Updated.Before(c.NotBefore) {
				return nil, fmt.Errorf("registry index %s: %w: it was written at %s, and one written at %s was read before; the server may be out of date, or someone may be replaying an old index", display(loc), ErrStaleIndex, ix.Updated.Format(time.RFC3339), c.NotBefore.Format(time.RFC3339))
			}
			if err := checkExpiry(ix, c.now()); err != nil {
				return nil, fmt.Errorf("registry index %s: %w", display(loc), err)
			}
			if c.Verified != nil {
				c.Verified(ix)
			}
			return ix, nil
		}
		if attempt == 0 && errors.Is(err, signing.ErrBadSignature) {
			if err := sleep(ctx, retryDelay); err != nil {
				return nil, err
			}
			continue
		}
		return nil, fmt.Errorf("registry index %s: %w", display(loc), signatureErr(signer, c.Key, err))
	}
}

// checkExpiry refuses an index that has no expiry or is past it.
func checkExpiry(ix *Index, now time.Time) error {
	if ix.Expires.IsZero() {
		return fmt.Errorf("%w: it has no expiry time, so an old copy could be served forever; the registry's maintainer must re-sign it with a current warden (warden registry refresh)", ErrExpiredIndex)
	}
	if !now.Before(ix.Expires) {
		return fmt.Errorf("%w: it expired at %s (it is now %s): the registry has not re-signed it since, or a mirror or attacker is serving an old copy to hide updates; try again later, or ask the registry's maintainer to run warden registry refresh", ErrExpiredIndex, ix.Expires.Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	return nil
}

// UnverifiedIndex fetches and parses index.json without checking its
// signature. Use it only to show what a registry lists; never install
// from it.
func (c *Client) UnverifiedIndex(ctx context.Context) (*Index, error) {
	loc, err := indexLocation(c.IndexURL)
	if err != nil {
		return nil, err
	}
	data, err := c.fetchSmall(ctx, loc, c.maxIndex())
	if err != nil {
		return nil, fmt.Errorf("registry index: %w", err)
	}
	ix, err := ParseIndex(data)
	if err != nil {
		return nil, fmt.Errorf("registry index %s: %w", display(loc), err)
	}
	return ix, nil
}

// BundleURL returns the absolute URL of v's bundle: its URL resolved
// against the index's.
func (c *Client) BundleURL(v Version) (string, error) {
	loc, err := indexLocation(c.IndexURL)
	if err != nil {
		return "", err
	}
	u, err := resolveBundle(loc, v)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

// Download fetches v's bundle to the file dst. It streams into a temporary
// file beside dst while hashing, stops at v.Size bytes, compares size and
// SHA-256 with v (in constant time) and only then renames the file into
// place, so dst is either absent (or as it was) or exactly the bundle the
// signed index lists. A mismatch is ErrBundleHash; a bundle larger than
// MaxBundle is ErrTooLarge; no data for Timeout is ErrTimeout. Progress
// is called after each chunk. v must come from an index returned by
// [Client.Index] for the hash to mean anything. Cost: one pass over the
// bundle, and two fsyncs (the file's and its directory's).
func (c *Client) Download(ctx context.Context, v Version, dst string) (err error) {
	if v.Size <= 0 {
		return fmt.Errorf("download %s: the index gives no size", v)
	}
	if v.Size > c.maxBundle() {
		return fmt.Errorf("download %s: %w: the index lists %d bytes, more than the %d this client accepts", v, ErrTooLarge, v.Size, c.maxBundle())
	}
	want, err := hex.DecodeString(v.SHA256)
	if err != nil || len(want) != sha256.Size {
		return fmt.Errorf("download %s: the index gives no valid sha256", v)
	}
	loc, err := indexLocation(c.IndexURL)
	if err != nil {
		return err
	}
	u, err := resolveBundle(loc, v)
	if err != nil {
		return fmt.Errorf("download %s: %w", v, err)
	}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	guard := time.AfterFunc(c.timeout(), func() { cancel(errStalled) })
	defer guard.Stop()
	body, n, err := c.open(ctx, u)
	if err != nil {
		return fmt.Errorf("download %s: %w", v, c.fetchErr(ctx, u, err))
	}
	defer body.Close()
	if n > v.Size {
		return fmt.Errorf("download %s: %w: %s is %d bytes, the signed index lists %d", v, ErrBundleHash, display(u), n, v.Size)
	}

	err = atomicfile.Write(dst, 0o644, func(f *os.File) error {
		got, sum, err := c.copyBody(ctx, guard, f, body, v.Size)
		if err != nil {
			return c.fetchErr(ctx, u, err)
		}
		if got != v.Size {
			return fmt.Errorf("%w: received %d bytes from %s, the signed index lists %d", ErrBundleHash, got, display(u), v.Size)
		}
		if subtle.ConstantTimeCompare(sum, want) != 1 {
			return fmt.Errorf("%w: sha256 of %s is %x, the signed index lists %s; the bundle was changed after it was published", ErrBundleHash, display(u), sum, v.SHA256)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("download %s: %w", v, err)
	}
	return nil
}

// copyBody copies at most size+1 bytes of body to w, hashing them,
// resetting guard after each read and reporting progress.
func (c *Client) copyBody(ctx context.Context, guard *time.Timer, w io.Writer, body io.Reader, size int64) (int64, []byte, error) {
	h := sha256.New()
	buf := make([]byte, 64<<10)
	var done int64
	if c.Progress != nil {
		c.Progress(0, size)
	}
	r := io.LimitReader(body, size+1)
	for {
		if err := ctx.Err(); err != nil {
			return done, nil, err
		}
		n, rerr := r.Read(buf)
		if n > 0 {
			guard.Reset(c.timeout())
			if _, err := w.Write(buf[:n]); err != nil {
				return done, nil, err
			}
			h.Write(buf[:n])
			done += int64(n)
			if c.Progress != nil {
				c.Progress(min(done, size), size)
			}
		}
		if rerr == io.EOF {
			return done, h.Sum(nil), nil
		}
		if rerr != nil {
			return done, nil, rerr
		}
	}
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// signatureErr wraps a failed index signature check in
// ErrBadIndexSignature, naming both keys when the index was signed by
// another one (signing's own message speaks of publishers).
func signatureErr(signer signing.KeyID, want signing.PublicKey, err error) error {
	if errors.Is(err, signing.ErrUntrustedKey) {
		return fmt.Errorf("%w: %w: the index is signed by key %s, not by the registry key given (%s)", ErrBadIndexSignature, signing.ErrUntrustedKey, signer, want.ID())
	}
	return fmt.Errorf("%w: %w", ErrBadIndexSignature, err)
}
