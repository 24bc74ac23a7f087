package bundle

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/wardenhq/warden/plugins/signing"
)

// SignOptions adjust [Sign].
type SignOptions struct {
	// TrustedComment is the signature's trusted comment; empty means
	// "id:<id>\tversion:<version>".
	TrustedComment string
	// Limits are those [Open] applies to the bundle; zero fields mean
	// DefaultLimits.
	Limits Limits
}

// Sign signs the bundle at bundlePath with sk: it checks that the bundle
// reads cleanly ([Open]), signs its entry list and rewrites the file
// atomically with WARDEN/entries.minisig added (or replaced). The other
// entries are copied byte for byte. The result is read back and its
// signature verified before it replaces the original.
func Sign(ctx context.Context, bundlePath string, sk *signing.SecretKey, opts SignOptions) error {
	if sk == nil {
		return fmt.Errorf("sign bundle %s: no secret key", bundlePath)
	}
	b, err := Open(bundlePath, opts.Limits)
	if err != nil {
		return fmt.Errorf("sign bundle: %w", err)
	}
	defer b.Close()
	sig, err := signing.Sign(sk, b.list, trustedComment(opts.TrustedComment, b.m))
	if err != nil {
		return fmt.Errorf("sign bundle %s: %w", bundlePath, err)
	}
	files := slices.DeleteFunc(slices.Clone(b.zr.File), func(f *zip.File) bool { return f.Name == SignatureName })
	slices.SortFunc(files, func(x, y *zip.File) int { return strings.Compare(x.Name, y.Name) })
	fill := func(w io.Writer) error {
		zw := zip.NewWriter(w)
		added := false
		for _, f := range files {
			if err := ctx.Err(); err != nil {
				return err
			}
			if !added && f.Name > SignatureName {
				if err := addSignature(zw, sig); err != nil {
					return err
				}
				added = true
			}
			if err := zw.Copy(f); err != nil {
				return err
			}
		}
		if !added {
			if err := addSignature(zw, sig); err != nil {
				return err
			}
		}
		return zw.Close()
	}
	if err := writeAtomic(bundlePath, fill, checkWritten(opts.Limits.withDefaults(), sk)); err != nil {
		return fmt.Errorf("sign bundle %s: %w", bundlePath, err)
	}
	return nil
}

// addSignature writes the signature entry.
func addSignature(zw *zip.Writer, sig []byte) error {
	w, err := createEntry(zw, SignatureName)
	if err != nil {
		return err
	}
	_, err = w.Write(sig)
	return err
}
