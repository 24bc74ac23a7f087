package main

import (
	"encoding/hex"
	"fmt"
	"io"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/wardenhq/warden/manifest"
	"github.com/wardenhq/warden/plugins/bundle"
	"github.com/wardenhq/warden/plugins/signing"
)

// bundleExt is the extension of bundle files.
const bundleExt = ".wbundle"

func newPack() *cobra.Command {
	var out, key string
	cmd := &cobra.Command{
		Use:   "pack <dir> [-o out.wbundle] [--key FILE]",
		Short: "Pack a plugin directory into one bundle file, signed with --key",
		Long: `pack runs warden lint on the plugin and refuses it when lint finds an error
(warnings are printed and do not stop it). It builds the plugin's Go backend
when its sources are newer than the .wasm, validates the manifest, and writes
one bundle: manifest.json, the
directory holding the UI entry, the backend .wasm, and the list of every
file's SHA-256. With --key the list is signed in the same step; without it
the bundle is unsigned (sign it later with warden sign). The output defaults
to <id>-<version>.wbundle in the current directory. Packing the same files
twice gives the same bytes.

An encrypted secret key (made by minisign without -W) asks for its password
on the terminal, or takes it from $WARDEN_KEY_PASSWORD.`,
		Example: `  warden pack examples/hello --key ~/.config/warden/keys/warden.key
  warden pack examples/hello -o dist/hello.wbundle`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := args[0]
			if err := lintForPack(cmd, dir); err != nil {
				return err
			}
			if out == "" {
				m, err := manifest.Load(dir)
				if err != nil {
					return err
				}
				out = m.ID + "-" + m.Version + bundleExt
			}
			var sk *signing.SecretKey
			if key != "" {
				var err error
				if sk, err = loadSecretKey(cmd, key); err != nil {
					return err
				}
				defer sk.Wipe()
			}
			if err := bundle.Pack(cmd.Context(), dir, out, bundle.PackOptions{Key: sk}); err != nil {
				return err
			}
			return describeBundle(cmd.OutOrStdout(), "packed", out)
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "bundle file to write (default <id>-<version>.wbundle)")
	cmd.Flags().StringVar(&key, "key", "", "secret key file to sign with")
	return cmd
}

func newSign() *cobra.Command {
	var key string
	cmd := &cobra.Command{
		Use:   "sign <bundle> --key FILE",
		Short: "Sign a bundle with a secret key (replacing any signature)",
		Long: `sign checks that the bundle reads cleanly, signs its list of file hashes
with the secret key and rewrites the bundle with the signature in it,
atomically. An existing signature is replaced. An encrypted secret key asks
for its password on the terminal, or takes it from $WARDEN_KEY_PASSWORD.`,
		Example: `  warden sign dev.warden.hello-1.0.0.wbundle --key ~/.config/warden/keys/warden.key`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			sk, err := loadSecretKey(cmd, key)
			if err != nil {
				return err
			}
			defer sk.Wipe()
			if err := bundle.Sign(cmd.Context(), args[0], sk, bundle.SignOptions{}); err != nil {
				return err
			}
			return describeBundle(cmd.OutOrStdout(), "signed", args[0])
		},
	}
	cmd.Flags().StringVar(&key, "key", "", "secret key file to sign with (required)")
	cmd.MarkFlagRequired("key")
	return cmd
}

// describeBundle prints what pack and sign wrote.
func describeBundle(w io.Writer, verb, path string) error {
	b, err := bundle.Open(path, bundle.Limits{})
	if err != nil {
		return err
	}
	defer b.Close()
	m := b.Manifest()
	digest := b.Digest()
	fmt.Fprintf(w, "%s %s %s\n", verb, m.ID, m.Version)
	fmt.Fprintf(w, "  bundle: %s\n", path)
	fmt.Fprintf(w, "  size:   %d bytes, %d files\n", b.Size(), len(b.Entries()))
	fmt.Fprintf(w, "  sha256: %s\n", hex.EncodeToString(digest[:]))
	if id, ok := b.Signer(); ok {
		fmt.Fprintf(w, "  signed: key %s\n", id)
	} else {
		fmt.Fprintf(w, "  signed: no; sign it with: warden sign %s --key FILE\n", path)
	}
	return nil
}

func newVerify() *cobra.Command {
	var pubs []string
	cmd := &cobra.Command{
		Use:   "verify <bundle> [--pub FILE]...",
		Short: "Check a bundle's structure, file hashes and signature",
		Long: `verify reads the bundle as install does: it refuses path traversal,
absolute names, links, duplicates, unlisted or missing files, oversized or
over-compressed entries, and any file whose SHA-256 differs from the
bundle's list. With --pub (a public key file, or the key itself; repeat for
several) it also checks that the list is signed by one of those keys.
Without --pub it says which key signed the bundle but not whether to trust
it. It exits non-zero when a check fails.`,
		Example: `  warden verify dev.warden.hello-1.0.0.wbundle --pub warden.pub
  warden verify dev.warden.hello-1.0.0.wbundle --pub RWQkJyv1XZoiVwPH346w/B76CFRrY3TccCiPvlBZ2djmH09eksRxG1Oh`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			keys, err := loadPublicKeys(pubs)
			if err != nil {
				return err
			}
			return runVerify(cmd.OutOrStdout(), args[0], keys)
		},
	}
	cmd.Flags().StringArrayVar(&pubs, "pub", nil, "trusted public key file or key (repeatable)")
	return cmd
}

func runVerify(w io.Writer, path string, keys []signing.PublicKey) error {
	fmt.Fprintf(w, "bundle:    %s\n", filepath.Clean(path))
	b, err := bundle.Open(path, bundle.Limits{})
	if err != nil {
		fmt.Fprintln(w, "checks:    FAILED")
		return err
	}
	defer b.Close()
	m := b.Manifest()
	digest := b.Digest()
	var total int64
	for _, e := range b.Entries() {
		total += e.Size
	}
	n := len(b.Entries())
	fmt.Fprintf(w, "sha256:    %s (%d bytes)\n", hex.EncodeToString(digest[:]), b.Size())
	fmt.Fprintf(w, "plugin:    %s %s (%q by %q)\n", m.ID, m.Version, m.Name, m.Publisher)
	fmt.Fprintf(w, "structure: ok (names, file types, duplicates, sizes and compression ratios within limits)\n")
	fmt.Fprintf(w, "entries:   ok (%d files listed, all present, none unlisted, %d bytes)\n", n, total)
	fmt.Fprintf(w, "hashes:    ok (%d of %d match the list)\n", n, n)
	if len(keys) == 0 {
		if id, ok := b.Signer(); ok {
			fmt.Fprintf(w, "signature: present, by key %s; NOT checked against a trusted key (pass --pub FILE to check it)\n", id)
		} else if b.Signature() != nil {
			fmt.Fprintln(w, "signature: present but empty or malformed, so the bundle counts as unsigned")
		} else {
			fmt.Fprintln(w, "signature: none (unsigned bundle)")
		}
		return nil
	}
	id, err := b.Verify(keys)
	if err != nil {
		fmt.Fprintln(w, "signature: FAILED")
		return err
	}
	fmt.Fprintf(w, "signature: ok (by trusted key %s)\n", id)
	return nil
}
