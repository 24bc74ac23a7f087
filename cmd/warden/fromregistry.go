package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/plugins/manager"
	"github.com/wardenhq/warden/plugins/registry"
	"github.com/wardenhq/warden/plugins/signing"
)

// registryFlags locate the registry install and update read.
type registryFlags struct {
	url, key string
}

func addRegistryFlags(cmd *cobra.Command, f *registryFlags) {
	cmd.Flags().StringVar(&f.url, "registry", os.Getenv("WARDEN_REGISTRY"), "registry index URL or directory (env WARDEN_REGISTRY; remembered in the profile)")
	cmd.Flags().StringVar(&f.key, "registry-key", os.Getenv("WARDEN_REGISTRY_KEY"), "the registry's public key: a .pub file or the key itself (env WARDEN_REGISTRY_KEY)")
}

// registryClient builds the client from the flags, else from the profile's
// remembered registry (registry.Memory), and remembers what the flags gave.
func registryClient(cmd *cobra.Command, g *globals, f registryFlags) (*registry.Client, error) {
	mem, err := registry.LoadMemory(filepath.Join(g.profile, registry.MemoryFile))
	if err != nil {
		return nil, err
	}
	if f.url != "" {
		mem.URL = f.url
	}
	if f.key != "" {
		k, err := readKeyArg(f.key)
		if err != nil {
			return nil, err
		}
		mem.Key = k.String()
	}
	if mem.URL == "" || mem.Key == "" {
		return nil, errors.New("no registry: pass --registry URL and --registry-key PUBFILE (they are remembered in the profile)")
	}
	if f.url != "" || f.key != "" {
		if err := mem.Save(); err != nil {
			return nil, err
		}
	}
	c, err := mem.Client(func(err error) { fmt.Fprintf(cmd.ErrOrStderr(), "warning: %v\n", err) })
	if err != nil {
		return nil, err
	}
	if isTerminal(os.Stderr) {
		c.Progress = progressBar(cmd.ErrOrStderr())
	}
	return c, nil
}

// readKeyArg reads a public key from a file, or takes the argument as the key.
func readKeyArg(s string) (signing.PublicKey, error) {
	if b, err := os.ReadFile(s); err == nil {
		return signing.ParsePublicKey(string(b))
	}
	k, err := signing.ParsePublicKey(s)
	if err != nil {
		return k, fmt.Errorf("--registry-key %s: not a readable .pub file nor a public key: %w", s, err)
	}
	return k, nil
}

// progressBar draws a download's progress on a terminal.
func progressBar(w io.Writer) func(done, total int64) {
	return func(done, total int64) {
		const width = 30
		n := 0
		if total > 0 {
			n = int(done * width / total)
		}
		fmt.Fprintf(w, "\rdownloading [%s%s] %5.1f/%.1f MB", strings.Repeat("#", n), strings.Repeat(" ", width-n), float64(done)/1e6, float64(total)/1e6)
		if done >= total {
			fmt.Fprintln(w)
		}
	}
}

// installFromRegistry is install <id[@range]>.
func installFromRegistry(cmd *cobra.Command, g *globals, ref string, f installFlags, rf registryFlags) error {
	id, rng, err := registry.ParseRef(ref)
	if err != nil {
		return fmt.Errorf("install %s: not a bundle file, and %w", ref, err)
	}
	c, err := registryClient(cmd, g, rf)
	if err != nil {
		return err
	}
	return installWith(cmd, g, f, func(ctx context.Context, s *warden.Warden, opts manager.InstallOptions) (manager.Result, error) {
		return s.Plugins().InstallFrom(ctx, c, id, rng, opts)
	})
}

func newUpdate(g *globals) *cobra.Command {
	var rf registryFlags
	var f installFlags
	cmd := &cobra.Command{
		Use:   "update [id]...",
		Short: "Update plugins installed from the registry to the newest version allowed",
		Long: `update reads the registry's signed index and updates each named plugin (every
plugin installed from that registry when none is named) to the highest version
that lies in the range given at install (install id@^1), that this host
supports and that the admin policy allows. Grants are kept; a version that asks
for new permissions is installed but left disabled until warden grant approves
them. The previous version is kept for warden rollback.

A plugin whose installed version was signed by a key Warden verified is bound
to that key: a new version signed by another key, or unsigned, is refused,
since someone other than its publisher may have made it. If the publisher
really changed, update with --accept-new-publisher: the new version is then
treated as a new install and asks for its permissions again (--grant).`,
		Example: `  warden update
  warden update dev.warden.notes --registry https://plugins.example.com/ --registry-key registry.pub`,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			c, err := registryClient(cmd, g, rf)
			if err != nil {
				return err
			}
			keys, err := loadPublicKeys(f.pubs)
			if err != nil {
				return err
			}
			s, err := openSession(ctx, g)
			if err != nil {
				return err
			}
			defer s.Close(ctx)
			idx, err := c.Index(ctx)
			if err != nil {
				return err
			}
			loc, err := c.Location()
			if err != nil {
				return err
			}
			ids := args
			if len(ids) == 0 {
				list, err := s.Plugins().List()
				if err != nil {
					return err
				}
				for _, p := range list {
					if manager.FromRegistry(p.Plugin, loc) {
						ids = append(ids, p.ID)
					}
				}
				if len(ids) == 0 {
					fmt.Fprintf(cmd.OutOrStdout(), "no plugins installed from %s\n", loc)
					return nil
				}
			}
			var errs []error
			for _, id := range ids {
				opts := manager.InstallOptions{Consent: consentFor(cmd, f.grants), Keys: keys, AcceptNewPublisher: f.acceptNewPublisher}
				res, err := s.Plugins().Update(ctx, c, idx, id, opts)
				switch {
				case errors.Is(err, manager.ErrUpToDate):
					fmt.Fprintln(cmd.OutOrStdout(), err)
				case err != nil:
					errs = append(errs, err)
				default:
					printResult(cmd.OutOrStdout(), res)
				}
			}
			return errors.Join(errs...)
		},
	}
	addRegistryFlags(cmd, &rf)
	cmd.Flags().StringArrayVar(&f.grants, "grant", nil, "with --accept-new-publisher: approve this permission (repeat for each; for scripts)")
	cmd.Flags().StringArrayVar(&f.pubs, "pub", nil, "publisher public key file to verify the signature with (repeatable)")
	addAcceptFlag(cmd, &f)
	return cmd
}
