package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/wardenhq/warden/plugins/registry"
)

func newRegistryCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "registry",
		Short: "Publish bundles in a static, signed registry and list what a registry holds",
		Long: `A registry is a directory that any static file server or CDN can serve:
index.json, its minisign signature index.json.minisig, and bundles/. The index
lists every plugin's versions with the bundle's URL, SHA-256, size, host
constraint, permissions and publisher key, and is signed with the registry's
key, so clients that trust that key accept the bundles it lists whatever
server delivers them. Users install from it with
warden install <id>[@range] --registry URL --registry-key registry.pub.`,
	}
	cmd.AddCommand(newRegistryAdd(), newRegistryRefresh(), newRegistryList())
	return cmd
}

func newRegistryAdd() *cobra.Command {
	var key string
	var force bool
	var validFor time.Duration
	var pubs []string
	cmd := &cobra.Command{
		Use:   "add <dir> <bundle> --key FILE [--force]",
		Short: "Add a signed bundle to a registry directory and re-sign its index",
		Long: `add copies the bundle to <dir>/bundles/<id>-<version>.wbundle, adds its
version to <dir>/index.json and signs the index with the registry's secret key
(--key; make one with warden keygen and publish its .pub file for your users).
The bundle must be signed by its publisher. With --pub (the publisher's public
key) the signature is verified and the key is listed in the index: users who
install from the registry then get the bundle verified with it and the plugin
bound to it, so that a later version signed by another key is refused even if
the registry's own key is stolen. <dir> and an empty index are created when
missing; an existing index must be signed by the same key.

Adding the same bundle again changes nothing. A different bundle with an id and
version the registry already holds is refused: publish a new version. --force
replaces it (under a new file name, so that no URL changes content) and also
re-signs an index that another key signed.

The index expires --valid-for after it is signed (30 days unless you say):
clients refuse an expired index, so that a mirror cannot keep serving an old
one to hide updates. Re-sign it with warden registry refresh before then when
nothing new is published (from cron, say).

Every file is replaced atomically; concurrent adds to one directory wait for
each other. Upload the directory as it is: index.json, index.json.minisig and
bundles/.`,
		Example: `  warden registry add ./registry dev.warden.hello-1.0.0.wbundle --key registry.key --pub publisher.pub
  rsync -a ./registry/ www:/srv/plugins/`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if validFor <= 0 {
				return fmt.Errorf("--valid-for %s: give a positive duration such as 720h", validFor)
			}
			publishers, err := loadPublicKeys(pubs)
			if err != nil {
				return err
			}
			sk, err := loadSecretKey(cmd, key)
			if err != nil {
				return err
			}
			defer sk.Wipe()
			dir, bundlePath := args[0], args[1]
			indexPath := filepath.Join(dir, registry.IndexName)
			before, _ := os.ReadFile(indexPath)
			v, err := registry.Add(cmd.Context(), dir, bundlePath, sk, registry.AddOptions{Force: force, ValidFor: validFor, Publisher: publishers})
			if err != nil {
				return err
			}
			after, _ := os.ReadFile(indexPath)
			w := cmd.OutOrStdout()
			if bytes.Equal(before, after) {
				fmt.Fprintf(w, "unchanged: %s %s is already in the registry with these bytes\n", v.ID, v.Version)
			} else {
				fmt.Fprintf(w, "added %s %s\n", v.ID, v.Version)
			}
			fmt.Fprintf(w, "  url:         %s\n", v.URL)
			fmt.Fprintf(w, "  sha256:      %s\n", v.SHA256)
			fmt.Fprintf(w, "  size:        %d bytes\n", v.Size)
			fmt.Fprintf(w, "  host:        %s\n", v.Host)
			fmt.Fprintf(w, "  permissions: %s\n", listOr(v.Permissions, "none"))
			if v.SignerKey.IsZero() {
				fmt.Fprintf(w, "  publisher:   key %s (not verified: pass --pub with the publisher's key to list it)\n", v.Signer)
			} else {
				fmt.Fprintf(w, "  publisher:   key %s, verified and listed in full (%s)\n", v.Signer, v.SignerKey)
			}
			fmt.Fprintf(w, "  index:       %s, signed by registry key %s\n", indexPath, sk.ID())
			if ix, err := registry.ParseIndex(after); err == nil && !ix.Expires.IsZero() {
				fmt.Fprintf(w, "  expires:     %s (re-sign before then: warden registry refresh)\n", ix.Expires.UTC().Format(time.RFC3339))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&key, "key", "", "the registry's secret key file (required)")
	cmd.Flags().BoolVar(&force, "force", false, "replace a version already published with other bytes; re-sign an index signed by another key")
	cmd.Flags().DurationVar(&validFor, "valid-for", registry.DefaultValidity, "how long clients accept the new index (its expiry), such as 720h")
	cmd.Flags().StringArrayVar(&pubs, "pub", nil, "the publisher's public key (file or key) to verify the bundle with and list in the index (repeatable)")
	cmd.MarkFlagRequired("key")
	return cmd
}

func newRegistryRefresh() *cobra.Command {
	var key string
	var validFor time.Duration
	cmd := &cobra.Command{
		Use:   "refresh <dir> --key FILE [--valid-for DURATION]",
		Short: "Re-sign a registry's index with a new expiry",
		Long: `refresh re-signs <dir>/index.json with the registry's secret key, changing only
its "updated" time and its expiry (--valid-for from now, 30 days unless you
say). Clients refuse an index past its expiry, so a registry that publishes
nothing new must still be refreshed before then; run it from cron. The index
must already be signed by the same key.`,
		Example: `  warden registry refresh ./registry --key registry.key
  warden registry refresh ./registry --key registry.key --valid-for 168h`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if validFor <= 0 {
				return fmt.Errorf("--valid-for %s: give a positive duration such as 720h", validFor)
			}
			sk, err := loadSecretKey(cmd, key)
			if err != nil {
				return err
			}
			defer sk.Wipe()
			ix, err := registry.Refresh(cmd.Context(), args[0], sk, validFor)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "re-signed %s: updated %s, expires %s\n", filepath.Join(args[0], registry.IndexName),
				ix.Updated.UTC().Format(time.RFC3339), ix.Expires.UTC().Format(time.RFC3339))
			return nil
		},
	}
	cmd.Flags().StringVar(&key, "key", "", "the registry's secret key file (required)")
	cmd.Flags().DurationVar(&validFor, "valid-for", registry.DefaultValidity, "how long clients accept the index from now, such as 720h")
	cmd.MarkFlagRequired("key")
	return cmd
}

func newRegistryList() *cobra.Command {
	var key string
	cmd := &cobra.Command{
		Use:   "list <index-url|dir> [--key PUB]",
		Short: "List the plugins and versions a registry holds",
		Long: `list reads a registry's index (an https:// or http:// URL, a file:// URL or
a directory) and prints every plugin with its versions, the permissions each
asks for, the host versions it supports and the key that signed it.

With --key (the registry's public key: its .pub file or the key itself) the
index signature is verified first, as install and update do. Without it the
signature is not checked, and list says so: use that only to look.`,
		Example: `  warden registry list https://plugins.example.com/ --key registry.pub
  warden registry list ./registry`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRegistryList(cmd, args[0], key)
		},
	}
	cmd.Flags().StringVar(&key, "key", "", "the registry's public key (.pub file or the key itself) to verify the index with")
	return cmd
}

func runRegistryList(cmd *cobra.Command, loc, key string) error {
	c := &registry.Client{IndexURL: loc}
	where, err := c.Location()
	if err != nil {
		return err
	}
	var ix *registry.Index
	var check string
	if key != "" {
		keys, err := loadPublicKeys([]string{key})
		if err != nil {
			return err
		}
		c.Key = keys[0]
		if ix, err = c.Index(cmd.Context()); err != nil {
			return err
		}
		check = fmt.Sprintf("ok, signed by registry key %s", c.Key.ID())
	} else {
		if ix, err = c.UnverifiedIndex(cmd.Context()); err != nil {
			return err
		}
		check = "NOT CHECKED (pass --key with the registry's public key to verify it)"
		fmt.Fprintln(cmd.ErrOrStderr(), "warning: the index signature was not checked; do not trust this listing")
	}
	printIndex(cmd.OutOrStdout(), where, check, ix)
	return nil
}

// printIndex prints a registry listing.
func printIndex(w io.Writer, where, check string, ix *registry.Index) {
	fmt.Fprintf(w, "registry:  %s\n", strings.TrimPrefix(where, "file://"))
	fmt.Fprintf(w, "signature: %s\n", check)
	fmt.Fprintf(w, "updated:   %s\n", ix.Updated.UTC().Format(time.RFC3339))
	if ix.Expires.IsZero() {
		fmt.Fprintln(w, "expires:   never (install and update refuse it: re-sign it with warden registry refresh)")
	} else {
		fmt.Fprintf(w, "expires:   %s\n", ix.Expires.UTC().Format(time.RFC3339))
	}
	ids := ix.IDs()
	if len(ids) == 0 {
		fmt.Fprintln(w, "\nno plugins yet: add one with warden registry add")
		return
	}
	for _, id := range ids {
		p := ix.Plugins[id]
		fmt.Fprintf(w, "\n%s  %s", id, p.Name)
		if p.Publisher != "" {
			fmt.Fprintf(w, ", by %s", p.Publisher)
		}
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  VERSION\tPERMISSIONS\tHOST\tSIGNER\tSIZE\tPUBLISHED")
		for _, v := range ix.Versions(id) {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%d\t%s\n", v.Version, listOr(v.Permissions, "none"), v.Host, v.Signer,
				v.Size, v.Published.UTC().Format(time.RFC3339))
		}
		tw.Flush()
	}
}
