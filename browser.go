package warden

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// browser opens web pages the way desktop programs do: with $BROWSER
// when it is set (its first entry; "%s" stands for the URL), else with
// xdg-open. The browser is started and left to run; only its start is
// waited for.
type browser struct{}

func (browser) OpenURL(ctx context.Context, u string) error {
	name, args := "xdg-open", []string{u}
	if b := strings.TrimSpace(strings.Split(os.Getenv("BROWSER"), ":")[0]); b != "" {
		fields := strings.Fields(b)
		name, args = fields[0], nil
		sub := false
		for _, f := range fields[1:] {
			if strings.Contains(f, "%s") {
				f, sub = strings.ReplaceAll(f, "%s", u), true
			}
			args = append(args, f)
		}
		if !sub {
			args = append(args, u)
		}
	}
	path, err := exec.LookPath(name)
	if err != nil {
		return fmt.Errorf("open %s: no browser: %w (set $BROWSER or install xdg-utils)", u, err)
	}
	cmd := exec.Command(path, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, nil, nil
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("open %s: %w", u, err)
	}
	// Reap it whenever it ends; a browser may outlive Warden.
	go cmd.Wait()
	return ctx.Err()
}
