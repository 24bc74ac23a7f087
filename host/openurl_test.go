package host

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/wardenhq/warden/host/backend"
)

type recordingOpener struct {
	mu     sync.Mutex
	opened []string
}

func (r *recordingOpener) OpenURL(ctx context.Context, u string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.opened = append(r.opened, u)
	return nil
}

func TestOpenURL(t *testing.T) {
	ctx := context.Background()
	rec := &recordingOpener{}
	h := newHost(t, Options{URLOpener: rec})
	undeclared := launch(t, load(t, h, writeProbe(t, probeManifest{id: "dev.warden.nolinks", perms: []string{}}), LoadOptions{}))
	if r := h.Invoke(ctx, undeclared.l, undeclared.seal(t, "open_url", map[string]string{"url": "https://example.com/"})); replyCode(r) != CodeNotDeclared {
		t.Fatalf("undeclared: %+v", r.Error)
	}
	p := load(t, h, writeProbe(t, probeManifest{id: "dev.warden.links", perms: []string{"open_url"}}), LoadOptions{})
	c := launch(t, p)
	if r := h.Invoke(ctx, c.l, c.seal(t, "open_url", map[string]string{"url": "https://example.com/"})); replyCode(r) != CodeNotGranted {
		t.Fatalf("not granted: %+v", r.Error)
	}
	if err := p.SetGrants(grants("open_url")); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{
		"javascript:alert(1)", "file:///etc/passwd", "data:text/html,<script>x</script>", "about:blank",
		"https://user:pass@example.com/", "https:///nohost", "//example.com/", "https://example.com/a b",
		"https://example.com/\n", "http://example.com/" + strings.Repeat("a", maxURL), "", "warden://x",
	} {
		if r := h.Invoke(ctx, c.l, c.seal(t, "open_url", map[string]string{"url": bad})); replyCode(r) != CodeBadArgs {
			t.Errorf("%q: %+v", bad, r.Error)
		}
	}
	if r := h.Invoke(ctx, c.l, c.seal(t, "open_url", map[string]string{"url": "https://example.com/a?b=c#d"})); !r.OK {
		t.Fatalf("allowed: %+v", r.Error)
	}
	// Only the page: a backend cannot pop up browser windows.
	if _, err := h.hostCall(ctx, backend.HostCall{PluginID: p.ID(), Command: []byte("open_url"), Args: []byte(`{"url":"https://example.com/"}`)}); err == nil {
		t.Error("a backend opened a URL")
	}
	if len(rec.opened) != 1 || rec.opened[0] != "https://example.com/a?b=c#d" {
		t.Errorf("opened %q", rec.opened)
	}
}
