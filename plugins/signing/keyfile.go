package signing

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/wardenhq/warden/internal/atomicfile"
)

// WriteKeyPair writes sk to secretPath (an unencrypted minisign secret key
// file, mode 0600) and its public key to publicPath (mode 0644). Each file
// is written atomically: a temporary file in the same directory, fsync,
// then a rename (or, without overwrite, a hard link that fails when the
// name exists), then an fsync of the directory. Without overwrite an
// existing file at either path is ErrKeyExists and nothing is written.
func WriteKeyPair(secretPath, publicPath string, sk *SecretKey, overwrite bool) error {
	if !overwrite {
		for _, p := range []string{secretPath, publicPath} {
			if _, err := os.Lstat(p); err == nil {
				return fmt.Errorf("write key %s: %w", p, ErrKeyExists)
			}
		}
	}
	if err := writeKeyFile(secretPath, sk.File(), 0o600, overwrite); err != nil {
		return fmt.Errorf("write secret key: %w", err)
	}
	if err := writeKeyFile(publicPath, sk.Public().File(), 0o644, overwrite); err != nil {
		return fmt.Errorf("write public key: %w", err)
	}
	return nil
}

// ReadSecretKeyFile reads and parses a minisign secret key file with
// [ParseSecretKey].
func ReadSecretKeyFile(path, password string) (*SecretKey, error) {
	data, err := readSmall(path)
	if err != nil {
		return nil, fmt.Errorf("read secret key: %w", err)
	}
	sk, err := ParseSecretKey(data, password)
	if err != nil {
		return nil, fmt.Errorf("read secret key %s: %w", path, err)
	}
	return sk, nil
}

// ReadPublicKeyFile reads and parses a minisign public key file with
// [ParsePublicKey].
func ReadPublicKeyFile(path string) (PublicKey, error) {
	data, err := readSmall(path)
	if err != nil {
		return PublicKey{}, fmt.Errorf("read public key: %w", err)
	}
	pk, err := ParsePublicKey(string(data))
	if err != nil {
		return PublicKey{}, fmt.Errorf("read public key %s: %w", path, err)
	}
	return pk, nil
}

// readSmall reads a key file, refusing one larger than any key file.
func readSmall(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxKeyText+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxKeyText {
		return nil, fmt.Errorf("%s: %w: larger than a key file", path, ErrMalformed)
	}
	return data, nil
}

// writeKeyFile writes one key file atomically and durably; without
// overwrite an existing path is ErrKeyExists and is left as it was.
func writeKeyFile(path string, data []byte, perm fs.FileMode, overwrite bool) error {
	if overwrite {
		return atomicfile.WriteFile(path, data, perm)
	}
	err := atomicfile.WriteNew(path, data, perm)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s: %w", path, ErrKeyExists)
	}
	return err
}
