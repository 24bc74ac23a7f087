package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"

	"github.com/wardenhq/warden/plugins/signing"
)

// Names of the key files keygen writes into a directory.
const (
	secretKeyFile = "warden.key"
	publicKeyFile = "warden.pub"
)

// passwordEnv names the variable holding the password of an encrypted
// secret key, for scripts.
const passwordEnv = "WARDEN_KEY_PASSWORD"

func newKeygen() *cobra.Command {
	var dir, file string
	var force bool
	cmd := &cobra.Command{
		Use:   "keygen [--out DIR | -o FILE] [--force]",
		Short: "Make a signing key pair for publishing plugins",
		Long: `keygen makes an Ed25519 key pair in minisign's formats: a secret key
(written unencrypted, mode 0600) and a public key to give to the users and
admins who trust your plugins. minisign itself can use both files.

By default the keys are written as warden.key and warden.pub in
$XDG_CONFIG_HOME/warden/keys (~/.config/warden/keys). --out DIR writes them
into DIR; -o FILE writes the secret key to FILE and the public key beside it
(FILE with .pub in place of .key). An existing key is never replaced
without --force.`,
		Example: `  warden keygen
  warden keygen --out ./keys
  warden keygen -o release.key`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			secret, public, err := keyPaths(dir, file)
			if err != nil {
				return err
			}
			return runKeygen(cmd.OutOrStdout(), secret, public, force)
		},
	}
	cmd.Flags().StringVar(&dir, "out", "", "directory for warden.key and warden.pub (default $XDG_CONFIG_HOME/warden/keys)")
	cmd.Flags().StringVarP(&file, "output", "o", "", "secret key file; the public key goes beside it with .pub")
	cmd.Flags().BoolVar(&force, "force", false, "replace existing key files (the old key is lost)")
	cmd.MarkFlagsMutuallyExclusive("out", "output")
	return cmd
}

// keyPaths resolves where keygen writes, creating the key directory.
func keyPaths(dir, file string) (secret, public string, err error) {
	if file != "" {
		base := strings.TrimSuffix(file, ".key")
		return file, base + ".pub", nil
	}
	if dir == "" {
		if dir, err = defaultKeyDir(); err != nil {
			return "", "", err
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", "", fmt.Errorf("create key directory: %w", err)
	}
	return filepath.Join(dir, secretKeyFile), filepath.Join(dir, publicKeyFile), nil
}

// defaultKeyDir is $XDG_CONFIG_HOME/warden/keys, falling back to
// ~/.config/warden/keys.
func defaultKeyDir() (string, error) {
	if d := os.Getenv("XDG_CONFIG_HOME"); d != "" {
		return filepath.Join(d, "warden", "keys"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("find the key directory: %w; pass --out DIR", err)
	}
	return filepath.Join(home, ".config", "warden", "keys"), nil
}

func runKeygen(out io.Writer, secret, public string, force bool) error {
	sk, pk, err := signing.GenerateKey(nil)
	if err != nil {
		return err
	}
	defer sk.Wipe()
	if err := signing.WriteKeyPair(secret, public, sk, force); err != nil {
		if errors.Is(err, signing.ErrKeyExists) {
			return fmt.Errorf("%w; keep using it, or pass --force to replace it (users who trust the old public key will refuse bundles signed with the new one)", err)
		}
		return err
	}
	fmt.Fprintf(out, "key id:      %s\n", pk.ID())
	fmt.Fprintf(out, "public key:  %s\n", pk)
	fmt.Fprintf(out, "secret key:  %s (keep it private: anyone who has it can sign as you)\n", secret)
	fmt.Fprintf(out, "public file: %s (give it to the users and admins who trust your plugins)\n", public)
	return nil
}

// loadSecretKey reads a secret key file. An encrypted key's password comes
// from $WARDEN_KEY_PASSWORD or, on a terminal, a prompt without echo.
func loadSecretKey(cmd *cobra.Command, path string) (*signing.SecretKey, error) {
	sk, err := signing.ReadSecretKeyFile(path, "")
	if !errors.Is(err, signing.ErrEncryptedKey) {
		return sk, err
	}
	password := os.Getenv(passwordEnv)
	if password == "" {
		in, ok := cmd.InOrStdin().(*os.File)
		if !ok || !isTerminal(in) {
			return nil, fmt.Errorf("%w: set %s or run on a terminal to be asked for its password", err, passwordEnv)
		}
		if password, err = readPassword(in, cmd.ErrOrStderr(), fmt.Sprintf("Password for %s: ", path)); err != nil {
			return nil, err
		}
	}
	return signing.ReadSecretKeyFile(path, password)
}

// loadPublicKeys reads public keys given as files or as the base64 key
// itself.
func loadPublicKeys(args []string) ([]signing.PublicKey, error) {
	keys := make([]signing.PublicKey, 0, len(args))
	for _, a := range args {
		pk, err := signing.ReadPublicKeyFile(a)
		if errors.Is(err, os.ErrNotExist) {
			if inline, perr := signing.ParsePublicKey(a); perr == nil {
				pk, err = inline, nil
			}
		}
		if err != nil {
			return nil, err
		}
		keys = append(keys, pk)
	}
	return keys, nil
}

// isTerminal reports whether f is a terminal.
func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// readPassword prompts on w and reads one line from the terminal in with
// echo turned off.
func readPassword(in *os.File, w io.Writer, prompt string) (string, error) {
	fd := int(in.Fd())
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	noEcho := *old
	noEcho.Lflag &^= unix.ECHO
	noEcho.Lflag |= unix.ICANON | unix.ISIG
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &noEcho); err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	defer unix.IoctlSetTermios(fd, unix.TCSETS, old)
	fmt.Fprint(w, prompt)
	defer fmt.Fprintln(w)
	var line []byte
	buf := make([]byte, 1)
	for {
		n, err := in.Read(buf)
		if n == 1 && buf[0] != '\n' && buf[0] != '\r' {
			line = append(line, buf[0])
			continue
		}
		if n == 1 || errors.Is(err, io.EOF) {
			return string(line), nil
		}
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
	}
}
