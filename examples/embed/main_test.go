package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/host/audit"
)

// TestE2EEmbed builds this program as an application would, runs it with
// a real window under the display, and checks that the page reached the
// application's own capability through the mediator: the reply carries
// the application's clock, and the audit log holds the allowed request.
func TestE2EEmbed(t *testing.T) {
	if os.Getenv("DISPLAY") == "" {
		t.Fatal("needs a display: run under xvfb-run -a (make test does)")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "embed")
	build := exec.CommandContext(t.Context(), "go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	profile := filepath.Join(dir, "profile")
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-check", "-plugin", "plugin", "-profile", profile)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("embed -check: %v\n%s", err, stderr.String())
	}
	line, ok := strings.CutPrefix(strings.TrimSpace(stdout.String()), "app.clock.now -> ")
	if !ok {
		t.Fatalf("output %q", stdout.String())
	}
	var reply struct{ Time, Zone string }
	if err := json.Unmarshal([]byte(line), &reply); err != nil {
		t.Fatalf("reply %q: %v", line, err)
	}
	at, err := time.Parse(time.RFC3339, reply.Time)
	if err != nil || reply.Zone != "UTC" || time.Since(at) > time.Hour || time.Since(at) < -time.Hour {
		t.Fatalf("reply %+v (%v): not the application's clock", reply, err)
	}

	w, err := warden.Open(t.Context(), warden.Config{Profile: profile, Capabilities: []warden.Capability{clock}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close(context.Background())
	es, err := w.Host().Audit().Query(t.Context(), audit.Filter{Plugin: "dev.warden.clock", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 || es[0].Cmd != "app.clock.now" || !es[0].Allowed || es[0].Launch == "" {
		t.Fatalf("audit entries %+v, want the one allowed app.clock.now from the page", es)
	}
}
