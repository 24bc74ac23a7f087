package registry

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/wardenhq/warden/plugins/signing"
)

// Refresh re-signs the index in the registry directory dir with sk,
// unchanged except for a new "updated" time (now, or a second after the
// last one) and a new "expires" time validFor later (DefaultValidity when
// zero), and returns the new index. Clients refuse an index past its
// expiry (ErrExpiredIndex), so a registry that publishes nothing new must
// still be refreshed before then, for instance daily from cron. The index
// must exist and verify with sk's public key (ErrBadIndexSignature).
// Writes are atomic as in [Add], under the same directory lock.
func Refresh(ctx context.Context, dir string, sk *signing.SecretKey, validFor time.Duration) (*Index, error) {
	if sk == nil {
		return nil, fmt.Errorf("refresh %s: no registry key given", dir)
	}
	if _, err := os.Stat(filepath.Join(dir, IndexName)); err != nil {
		return nil, fmt.Errorf("refresh %s: %w; publish a bundle with warden registry add first", dir, err)
	}
	unlock, err := lockDir(ctx, dir)
	if err != nil {
		return nil, fmt.Errorf("refresh %s: %w", dir, err)
	}
	defer unlock()
	ix, err := loadLocal(dir, sk.Public(), false)
	if err != nil {
		return nil, fmt.Errorf("refresh %s: %w", dir, err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	if !now.After(ix.Updated) {
		now = ix.Updated.Add(time.Second)
	}
	ix.Updated = now
	ix.Expires = now.Add(validity(validFor))
	if err := publish(dir, ix, sk, now); err != nil {
		return nil, fmt.Errorf("refresh %s: %w", dir, err)
	}
	return ix, nil
}
