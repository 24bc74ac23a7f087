package registry

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/wardenhq/warden/internal/atomicfile"
	"github.com/wardenhq/warden/plugins/signing"
)

// urlDir is a base for resolving an index's relative bundle URLs into
// paths inside the registry directory: "file:///bundles/x.wbundle" is
// dir/bundles/x.wbundle.
var urlDir = url.URL{Scheme: "file", Path: "/" + IndexName}

// loadLocal reads the index in dir and checks its signature with pk,
// finishing an interrupted publish first. A missing index is a new, empty
// one. A signature that does not verify is ErrBadIndexSignature, or a
// warning when force is set.
func loadLocal(dir string, pk signing.PublicKey, force bool) (*Index, error) {
	ip := filepath.Join(dir, IndexName)
	data, err := readLimited(ip, DefaultMaxIndex)
	if errors.Is(err, fs.ErrNotExist) {
		return NewIndex(), nil
	}
	if err != nil {
		return nil, err
	}
	verr := verifyLocal(dir, data, pk)
	if verr != nil && finishPublish(dir, data, pk) {
		verr = nil
	}
	if verr != nil {
		if !force {
			return nil, fmt.Errorf("%s: %w; use the registry's key, or pass --force to re-sign the index with this one after checking it", ip, verr)
		}
		slog.Warn("registry: re-signing an index whose signature does not verify with this key", "index", ip, "err", verr)
	}
	ix, err := ParseIndex(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ip, err)
	}
	return ix, nil
}

// verifyLocal checks dir's index.json.minisig over data with pk; a
// failure wraps ErrBadIndexSignature.
func verifyLocal(dir string, data []byte, pk signing.PublicKey) error {
	sig, err := readLimited(filepath.Join(dir, SignatureName), signing.MaxSignatureSize)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %s is missing", ErrBadIndexSignature, SignatureName)
	}
	if err != nil {
		return err
	}
	signer, err := signing.Verify(data, sig, []signing.PublicKey{pk})
	if err != nil {
		return signatureErr(signer, pk, err)
	}
	return nil
}

// finishPublish completes a publish interrupted between its two renames:
// when the pending signature verifies the current index with pk, it is
// renamed into place. It reports whether it did so.
func finishPublish(dir string, data []byte, pk signing.PublicKey) bool {
	pending := filepath.Join(dir, pendingSignature)
	sig, err := readLimited(pending, signing.MaxSignatureSize)
	if err != nil {
		return false
	}
	if _, err := signing.Verify(data, sig, []signing.PublicKey{pk}); err != nil {
		return false
	}
	if err := atomicfile.Rename(pending, filepath.Join(dir, SignatureName)); err != nil {
		return false
	}
	slog.Info("registry: finished an interrupted publish", "dir", dir)
	return true
}

// publish signs ix and replaces dir's index and signature. Both are
// written durably under pending names first, then renamed index first,
// with a directory fsync after each rename so that the signature never
// lands before the index it signs.
func publish(dir string, ix *Index, sk *signing.SecretKey, now time.Time) error {
	data, err := ix.Marshal()
	if err != nil {
		return err
	}
	if _, err := ParseIndex(data); err != nil {
		return fmt.Errorf("the new index would be rejected: %w", err)
	}
	sig, err := signing.Sign(sk, data, fmt.Sprintf("timestamp:%d\tfile:%s\thashed", now.Unix(), IndexName))
	if err != nil {
		return fmt.Errorf("sign index: %w", err)
	}
	if !bytes.HasSuffix(sig, []byte("\n")) {
		sig = append(sig, '\n')
	}
	pi, ps := filepath.Join(dir, pendingIndex), filepath.Join(dir, pendingSignature)
	if err := atomicfile.WriteFile(pi, data, 0o644); err != nil {
		return fmt.Errorf("write index: %w", err)
	}
	if err := atomicfile.WriteFile(ps, sig, 0o644); err != nil {
		return fmt.Errorf("write index signature: %w", err)
	}
	if err := atomicfile.Rename(pi, filepath.Join(dir, IndexName)); err != nil {
		return fmt.Errorf("publish index: %w", err)
	}
	if err := atomicfile.Rename(ps, filepath.Join(dir, SignatureName)); err != nil {
		return fmt.Errorf("publish index signature: %w", err)
	}
	return nil
}

// readLimited reads a file of at most max bytes.
func readLimited(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s: %w: more than %d bytes", path, ErrTooLarge, max)
	}
	return data, nil
}
