package host

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/wardenhq/warden/host/audit"
	"github.com/wardenhq/warden/host/backend"
)

// fakeDesktop is a window's desktop: a clipboard, a user who presses (or
// not) a key before each request, and a file dialog whose answer the test
// sets.
type fakeDesktop struct {
	mu      sync.Mutex
	text    string
	gesture bool
	picked  string // the dialog's answer; "" cancels
	shown   []FileDialog
	answer  ConsentAnswer // the consent dialog's answer
	asked   []ConsentPrompt
	taken   int // gestures used up for a dialog elsewhere
}

func (f *fakeDesktop) TakeGesture(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.gesture {
		return ErrNoUserGesture
	}
	f.taken++
	return nil
}

func (f *fakeDesktop) AskConsent(ctx context.Context, p ConsentPrompt) (ConsentAnswer, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.gesture {
		return ConsentDismissed, ErrNoUserGesture
	}
	f.asked = append(f.asked, p)
	return f.answer, nil
}

func (f *fakeDesktop) WriteClipboard(ctx context.Context, text string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.text = text
	return nil
}

func (f *fakeDesktop) ReadClipboard(ctx context.Context) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.gesture {
		return "", ErrNoUserGesture
	}
	return f.text, nil
}

func (f *fakeDesktop) PickFile(ctx context.Context, d FileDialog) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.gesture {
		return "", ErrNoUserGesture
	}
	f.shown = append(f.shown, d)
	return f.picked, nil
}

func (f *fakeDesktop) set(gesture bool, picked string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gesture, f.picked = gesture, picked
}

// desktopPlugin loads a plugin asking for perms with grants, and launches
// it with desk as its window.
func desktopPlugin(t *testing.T, h *Host, id string, perms, granted []string, desk Desktop) *client {
	t.Helper()
	p := load(t, h, writeProbe(t, probeManifest{id: id, perms: perms, tiny: true}), LoadOptions{Grants: grants(granted...)})
	c := launch(t, p)
	if desk != nil {
		c.l.SetDesktop(desk)
	}
	return c
}

func TestClipboard(t *testing.T) {
	ctx := context.Background()
	h := newHost(t, Options{})
	desk := &fakeDesktop{}
	write := map[string]string{"text": "copied ✓"}

	undeclared := desktopPlugin(t, h, "dev.warden.noclip", []string{}, nil, desk)
	if r := h.Invoke(ctx, undeclared.l, undeclared.seal(t, "clipboard.write", write)); replyCode(r) != CodeNotDeclared {
		t.Errorf("undeclared write: %+v", r.Error)
	}
	if r := h.Invoke(ctx, undeclared.l, undeclared.seal(t, "clipboard.read", nil)); replyCode(r) != CodeNotDeclared {
		t.Errorf("undeclared read: %+v", r.Error)
	}
	ungranted := desktopPlugin(t, h, "dev.warden.clipask", []string{"clipboard.read", "clipboard.write"}, nil, desk)
	if r := h.Invoke(ctx, ungranted.l, ungranted.seal(t, "clipboard.write", write)); replyCode(r) != CodeNotGranted {
		t.Errorf("ungranted write: %+v", r.Error)
	}
	desk.set(true, "")
	if r := h.Invoke(ctx, ungranted.l, ungranted.seal(t, "clipboard.read", nil)); replyCode(r) != CodeNotGranted {
		t.Errorf("ungranted read: %+v", r.Error)
	}
	if desk.text != "" {
		t.Fatalf("a refused write reached the clipboard: %q", desk.text)
	}

	c := desktopPlugin(t, h, "dev.warden.clip", []string{"clipboard.read", "clipboard.write"}, []string{"clipboard.read", "clipboard.write"}, desk)
	if r := h.Invoke(ctx, c.l, c.seal(t, "clipboard.write", write)); !r.OK || string(r.Result) != "" {
		t.Fatalf("write: %+v %s", r.Error, r.Result)
	}
	if desk.text != "copied ✓" {
		t.Fatalf("clipboard holds %q", desk.text)
	}
	r := h.Invoke(ctx, c.l, c.seal(t, "clipboard.read", map[string]any{}))
	if !r.OK || string(r.Result) != `{"text":"copied ✓"}` {
		t.Fatalf("read within a gesture: %+v %s", r.Error, r.Result)
	}
	desk.set(false, "")
	if r := h.Invoke(ctx, c.l, c.seal(t, "clipboard.read", nil)); replyCode(r) != CodeNoUserGesture || !r.Denied() {
		t.Errorf("read without a gesture: %+v", r.Error)
	}
	for name, args := range map[string]any{
		"too long":      map[string]string{"text": strings.Repeat("x", 1<<20+1)},
		"unknown field": map[string]string{"txt": "x"},
	} {
		if r := h.Invoke(ctx, c.l, c.seal(t, "clipboard.write", args)); r.OK {
			t.Errorf("%s: written", name)
		}
	}
	if r := h.Invoke(ctx, c.l, c.seal(t, "clipboard.read", map[string]string{"wait": "1"})); replyCode(r) != CodeBadArgs {
		t.Errorf("read with arguments: %+v", r.Error)
	}

	// A launch without a window (warden call) and the backend reach no
	// clipboard.
	bare := launch(t, c.l.Plugin())
	if r := h.Invoke(ctx, bare.l, bare.seal(t, "clipboard.write", write)); r.OK || replyCode(r) != CodeFailed {
		t.Errorf("without a window: %+v", r.Error)
	}
	if _, err := h.hostCall(ctx, backend.HostCall{PluginID: c.l.Plugin().ID(), Origin: c.l, Command: []byte("clipboard.read"), Args: []byte(`{}`)}); err == nil {
		t.Error("a backend read the clipboard")
	}

	if err := h.Audit().Flush(ctx); err != nil {
		t.Fatal(err)
	}
	es, err := h.Audit().Query(ctx, audit.Filter{Plugin: c.l.Plugin().ID(), Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range es {
		seen[e.Cmd+" "+e.Reason] = true
		if e.Cmd == "clipboard.read" && e.Allowed && e.Reason == "" {
			seen["clipboard.read allowed"] = true
		}
	}
	for _, want := range []string{"clipboard.write ", "clipboard.read allowed", "clipboard.read no_user_gesture", "clipboard.read not_from_backend"} {
		if !seen[want] {
			t.Errorf("no audit entry %q among %v", want, seen)
		}
	}
}

// dialogResult is dialog.open's result.
type dialogResult struct {
	Name string `json:"name"`
	Size int    `json:"size"`
	Data []byte `json:"data"`
}

func TestDialogOpen(t *testing.T) {
	ctx := context.Background()
	home := t.TempDir()
	docs := filepath.Join(home, "Documents")
	if err := os.Mkdir(docs, 0o700); err != nil {
		t.Fatal(err)
	}
	h := newHost(t, Options{Limits: Limits{MaxFileRead: 1 << 10}, Env: map[string]string{"$HOME": home, "$DOCUMENTS": docs}})
	desk := &fakeDesktop{}
	open := map[string]any{"title": "Pick notes", "filters": []FileFilter{{Name: "Text", Patterns: []string{"*.txt"}}}}

	undeclared := desktopPlugin(t, h, "dev.warden.nodialog", []string{}, nil, desk)
	desk.set(true, filepath.Join(docs, "a.txt"))
	if r := h.Invoke(ctx, undeclared.l, undeclared.seal(t, "dialog.open", open)); replyCode(r) != CodeNotDeclared {
		t.Errorf("undeclared: %+v", r.Error)
	}
	ungranted := desktopPlugin(t, h, "dev.warden.dialogask", []string{"dialog"}, nil, desk)
	if r := h.Invoke(ctx, ungranted.l, ungranted.seal(t, "dialog.open", open)); replyCode(r) != CodeNotGranted {
		t.Errorf("ungranted: %+v", r.Error)
	}
	if len(desk.shown) != 0 {
		t.Fatalf("refused requests showed %d dialogs", len(desk.shown))
	}

	c := desktopPlugin(t, h, "dev.warden.dialog", []string{"dialog"}, []string{"dialog"}, desk)
	write := func(name, body string) string {
		p := filepath.Join(docs, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	picked := write("a.txt", "one two\nthree\n")
	desk.set(true, picked)
	r := h.Invoke(ctx, c.l, c.seal(t, "dialog.open", open))
	var got dialogResult
	if !r.OK || json.Unmarshal(r.Result, &got) != nil || got.Name != "a.txt" || got.Size != 14 || string(got.Data) != "one two\nthree\n" {
		t.Fatalf("open: %+v %s", r.Error, r.Result)
	}
	if strings.Contains(string(r.Result), docs) {
		t.Errorf("the result gives the plugin the path: %s", r.Result)
	}
	d := desk.shown[len(desk.shown)-1]
	if d.Save || d.Title != "Probe: Pick notes" || d.Folder != docs || len(d.Filters) != 1 || d.Filters[0].Patterns[0] != "*.txt" {
		t.Errorf("the dialog shown: %+v", d)
	}
	// Without a Documents folder the dialog starts at home.
	os.Rename(docs, docs+".away")
	if r := h.Invoke(ctx, c.l, c.seal(t, "dialog.open", nil)); desk.shown[len(desk.shown)-1].Folder != home || desk.shown[len(desk.shown)-1].Title != "Probe: Open a file" {
		t.Errorf("without Documents: %+v, %+v", desk.shown[len(desk.shown)-1], r.Error)
	}
	os.Rename(docs+".away", docs)

	// Cancelled: null.
	desk.set(true, "")
	if r := h.Invoke(ctx, c.l, c.seal(t, "dialog.open", open)); !r.OK || string(r.Result) != "null" {
		t.Errorf("cancelled: %+v %s", r.Error, r.Result)
	}
	// No gesture: refused, no dialog.
	desk.set(false, picked)
	n := len(desk.shown)
	if r := h.Invoke(ctx, c.l, c.seal(t, "dialog.open", open)); replyCode(r) != CodeNoUserGesture {
		t.Errorf("no gesture: %+v", r.Error)
	}
	if len(desk.shown) != n {
		t.Error("a dialog was shown without a gesture")
	}

	// What the user picked must be a regular file, not through a link, and
	// small enough.
	link := filepath.Join(docs, "link.txt")
	if err := os.Symlink(picked, link); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(docs, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := write("big.txt", strings.Repeat("x", 1<<10+1))
	for _, tt := range []struct {
		name, path string
		code       Code
	}{
		{"directory", docs, CodeBadPath},
		{"symlink", link, CodeBadPath},
		{"fifo", fifo, CodeBadPath},
		{"device", "/dev/null", CodeBadPath},
		{"oversize", big, CodeTooLarge},
		{"relative", "a.txt", CodeFailed},
		{"unclean", docs + "/../Documents/a.txt", CodeFailed},
		{"missing", filepath.Join(docs, "none.txt"), CodeFailed},
	} {
		desk.set(true, tt.path)
		r := h.Invoke(ctx, c.l, c.seal(t, "dialog.open", nil))
		if r.OK || replyCode(r) != tt.code {
			t.Errorf("%s: %+v %.80s", tt.name, r.Error, r.Result)
		} else if strings.Contains(r.Error.Message, docs) {
			t.Errorf("%s: the message gives the path: %s", tt.name, r.Error.Message)
		}
	}
	// The folder may be reached through a link: the user went there.
	linkedDocs := filepath.Join(home, "docs-link")
	if err := os.Symlink(docs, linkedDocs); err != nil {
		t.Fatal(err)
	}
	desk.set(true, filepath.Join(linkedDocs, "a.txt"))
	if r := h.Invoke(ctx, c.l, c.seal(t, "dialog.open", nil)); !r.OK {
		t.Errorf("through a linked folder: %+v", r.Error)
	}

	for name, args := range map[string]any{
		"control title": map[string]any{"title": "a\nb"},
		"long title":    map[string]any{"title": strings.Repeat("t", maxDialogTitle+1)},
		"path pattern":  map[string]any{"filters": []FileFilter{{Name: "x", Patterns: []string{"/etc/*"}}}},
		"no patterns":   map[string]any{"filters": []FileFilter{{Name: "x"}}},
		"unnamed":       map[string]any{"filters": []FileFilter{{Patterns: []string{"*"}}}},
		"start folder":  map[string]any{"folder": "/etc"},
		"prefilled":     map[string]any{"path": "/etc/passwd"},
	} {
		if r := h.Invoke(ctx, c.l, c.seal(t, "dialog.open", args)); replyCode(r) != CodeBadArgs {
			t.Errorf("%s: %+v", name, r.Error)
		}
	}
	if _, err := h.hostCall(ctx, backend.HostCall{PluginID: c.l.Plugin().ID(), Origin: c.l, Command: []byte("dialog.open"), Args: []byte(`{}`)}); err == nil {
		t.Error("a backend opened a dialog")
	}

	// The pick granted nothing: fs.read of the same path is decided as
	// ever (this plugin declares no fs scope).
	if r := h.Invoke(ctx, c.l, c.seal(t, "fs.read", map[string]string{"path": picked})); replyCode(r) != CodeNotDeclared {
		t.Errorf("fs.read after the pick: %+v", r.Error)
	}

	if err := h.Audit().Flush(ctx); err != nil {
		t.Fatal(err)
	}
	es, err := h.Audit().Query(ctx, audit.Filter{Plugin: c.l.Plugin().ID(), Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string]bool{}
	for _, e := range es {
		if e.Cmd == "dialog.open" {
			reasons[e.Reason] = true
		}
	}
	for _, want := range []string{"", "no_user_gesture", "bad_path", "too_large", "bad_args"} {
		if !reasons[want] {
			t.Errorf("no dialog.open audit entry with reason %q: %v", want, reasons)
		}
	}
}

func TestDialogSave(t *testing.T) {
	ctx := context.Background()
	home := t.TempDir()
	docs := filepath.Join(home, "Documents")
	if err := os.Mkdir(docs, 0o700); err != nil {
		t.Fatal(err)
	}
	h := newHost(t, Options{Limits: Limits{MaxFileWrite: 1 << 10}, Env: map[string]string{"$HOME": home, "$DOCUMENTS": docs}})
	desk := &fakeDesktop{}
	data := base64.StdEncoding.EncodeToString([]byte("saved\n"))
	save := map[string]any{"suggested_name": "report.txt", "data": data}

	ungranted := desktopPlugin(t, h, "dev.warden.saveask", []string{"dialog"}, nil, desk)
	desk.set(true, filepath.Join(docs, "x.txt"))
	if r := h.Invoke(ctx, ungranted.l, ungranted.seal(t, "dialog.save", save)); replyCode(r) != CodeNotGranted {
		t.Errorf("ungranted: %+v", r.Error)
	}
	c := desktopPlugin(t, h, "dev.warden.save", []string{"dialog"}, []string{"dialog"}, desk)

	target := filepath.Join(docs, "chosen.txt")
	desk.set(true, target)
	r := h.Invoke(ctx, c.l, c.seal(t, "dialog.save", save))
	if !r.OK || string(r.Result) != `{"name":"chosen.txt"}` {
		t.Fatalf("save: %+v %s", r.Error, r.Result)
	}
	if b, err := os.ReadFile(target); err != nil || string(b) != "saved\n" {
		t.Fatalf("the file holds %q (%v)", b, err)
	}
	d := desk.shown[len(desk.shown)-1]
	if !d.Save || d.Name != "report.txt" || d.Folder != docs || d.Title != "Probe: Save a file" {
		t.Errorf("the dialog shown: %+v", d)
	}

	// Bad suggested names are refused before any dialog.
	n := len(desk.shown)
	for _, bad := range []string{"../x.txt", "a/b.txt", "..", ".", ".bashrc", "a..b", `a\b`, "x\x00y", "line\nbreak", " padded", strings.Repeat("n", maxSuggested+1)} {
		args := map[string]any{"suggested_name": bad, "data": data}
		if r := h.Invoke(ctx, c.l, c.seal(t, "dialog.save", args)); replyCode(r) != CodeBadArgs {
			t.Errorf("suggested %q: %+v", bad, r.Error)
		}
	}
	if len(desk.shown) != n {
		t.Errorf("bad names showed %d dialogs", len(desk.shown)-n)
	}
	if r := h.Invoke(ctx, c.l, c.seal(t, "dialog.save", map[string]any{"suggested_name": "ok.txt"})); replyCode(r) != CodeBadArgs {
		t.Errorf("no data: %+v", r.Error)
	}
	if r := h.Invoke(ctx, c.l, c.seal(t, "dialog.save", map[string]any{"data": "not base64!"})); replyCode(r) != CodeBadArgs {
		t.Errorf("bad base64: %+v", r.Error)
	}
	big := base64.StdEncoding.EncodeToString(make([]byte, 1<<10+1))
	if r := h.Invoke(ctx, c.l, c.seal(t, "dialog.save", map[string]any{"data": big})); replyCode(r) != CodeTooLarge {
		t.Errorf("oversize: %+v", r.Error)
	}

	// The final name is never followed when it is a link, and a folder is
	// not replaced.
	secret := filepath.Join(home, "secret")
	if err := os.WriteFile(secret, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(docs, "link.txt")
	if err := os.Symlink(secret, link); err != nil {
		t.Fatal(err)
	}
	for name, path := range map[string]string{"symlink": link, "directory": docs} {
		desk.set(true, path)
		if r := h.Invoke(ctx, c.l, c.seal(t, "dialog.save", save)); replyCode(r) != CodeBadPath {
			t.Errorf("%s: %+v", name, r.Error)
		}
	}
	if b, _ := os.ReadFile(secret); string(b) != "keep" {
		t.Fatalf("written through the link: %q", b)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v", err)
	}

	// Cancelled: null, nothing written; no gesture: refused.
	desk.set(true, "")
	if r := h.Invoke(ctx, c.l, c.seal(t, "dialog.save", save)); !r.OK || string(r.Result) != "null" {
		t.Errorf("cancelled: %+v %s", r.Error, r.Result)
	}
	desk.set(false, target)
	if r := h.Invoke(ctx, c.l, c.seal(t, "dialog.save", save)); replyCode(r) != CodeNoUserGesture {
		t.Errorf("no gesture: %+v", r.Error)
	}
}

// TestNoUserGestureCode: a desktop's refusal, however wrapped, reaches the
// plugin as no_user_gesture, a denial.
func TestNoUserGestureCode(t *testing.T) {
	err := errors.Join(errors.New("window"), ErrNoUserGesture)
	if c := codeOf(err); c != CodeNoUserGesture || !c.Denial() {
		t.Fatalf("code %q", c)
	}
}

// FuzzCheckBaseName: every name a plugin may suggest is one visible file
// name in the folder the dialog shows, never a path.
func FuzzCheckBaseName(f *testing.F) {
	for _, s := range []string{"report.txt", "../x", "a/b", ".hidden", "a..b", "x\x00y", " a", "é.md"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if checkBaseName(name) != nil {
			return
		}
		if name == "" || filepath.Base(name) != name || strings.ContainsAny(name, "/\\\x00") || strings.HasPrefix(name, ".") ||
			strings.Contains(name, "..") || len(name) > maxSuggested || filepath.Clean(name) != name {
			t.Fatalf("accepted %q", name)
		}
	})
}

// FuzzCheckFilters: accepted filters are bounded and their patterns match
// names only.
func FuzzCheckFilters(f *testing.F) {
	f.Add("Text", "*.txt", 1)
	f.Add("", "/etc/*", 2)
	f.Fuzz(func(t *testing.T, name, pattern string, n int) {
		n = min(max(n, 0), 20)
		fs := make([]FileFilter, n)
		for i := range fs {
			fs[i] = FileFilter{Name: name, Patterns: []string{pattern}}
		}
		if checkFilters(fs) != nil {
			return
		}
		if n > maxFilters || (n > 0 && (name == "" || pattern == "" || strings.Contains(pattern, "/") || len(pattern) > maxFilterText)) {
			t.Fatalf("accepted %d filters %q %q", n, name, pattern)
		}
	})
}
