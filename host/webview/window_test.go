package webview

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// onMain runs fn on the GTK thread and waits for it.
func onMain(t testing.TB, fn func()) {
	t.Helper()
	done := make(chan struct{})
	Dispatch(func() {
		defer close(done)
		fn()
	})
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("GTK thread did not run the function")
	}
}

// testPage is the document served by the test scheme.
const testPage = `<!doctype html><html><head><title>binding</title></head><body>binding test</body></html>`

// openTestWindow opens a window on wtest://host/ with a with-reply handler
// "echo" in world "test-world"; it waits for the page to load.
func openTestWindow(t testing.TB, handler func(msg string, reply func(string, string))) *Window {
	t.Helper()
	needDisplay(t)
	loaded := make(chan string, 4)
	var w *Window
	onMain(t, func() {
		var err error
		w, err = New(Options{Title: "binding test", Width: 320, Height: 240})
		if err != nil {
			t.Error(err)
			return
		}
		w.RegisterScheme("wtest", func(r *Request) *Response {
			if r.URI != "wtest://host/" {
				return nil
			}
			return &Response{ContentType: "text/html", Headers: http.Header{"Content-Security-Policy": {"default-src 'none'"}}, Body: []byte(testPage)}
		})
		w.AddScript(`window.worldMarker = 'test-world';`, "test-world", false, nil)
		if !w.HandleWithReply("echo", "test-world", handler) {
			t.Error("HandleWithReply refused")
		}
		w.OnLoadFinished(func(uri string) { loaded <- uri })
		w.Navigate("wtest://host/")
	})
	t.Cleanup(func() { onMain(t, w.Destroy) })
	select {
	case u := <-loaded:
		if u != "wtest://host/" {
			t.Fatalf("loaded %q", u)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("page did not load")
	}
	return w
}

// evalWait runs EvalInWorld on the GTK thread and waits for the result.
func evalWait(t testing.TB, w *Window, world, js string) (string, error) {
	t.Helper()
	type result struct {
		v   string
		err error
	}
	ch := make(chan result, 1)
	onMain(t, func() { w.EvalInWorld(world, js, func(v string, err error) { ch <- result{v, err} }) })
	select {
	case r := <-ch:
		return r.v, r.err
	case <-time.After(10 * time.Second):
		t.Fatalf("eval %q: no result", js)
		return "", nil
	}
}

func TestWindowHandleWithReply(t *testing.T) {
	w := openTestWindow(t, func(msg string, reply func(string, string)) {
		if msg == `"fail"` || msg == "fail" {
			reply("", "refused: "+msg)
			return
		}
		// Reply from another goroutine, later, as the core does.
		go func() { reply(strings.ToUpper(msg), "") }()
	})
	tests := []struct {
		name, world, js, want, wantErr string
	}{
		{"string message round trips", "test-world", `return await window.webkit.messageHandlers.echo.postMessage('hi');`, `"HI"`, ""},
		{"non-string message arrives as JSON", "test-world", `return await window.webkit.messageHandlers.echo.postMessage({a: [1]});`, `"{\"A\":[1]}"`, ""},
		{"error reply rejects", "test-world", `return await window.webkit.messageHandlers.echo.postMessage('fail');`, "", "refused: fail"},
		{"world script ran in its world", "test-world", `return window.worldMarker;`, `"test-world"`, ""},
		{"page world has no handler", "", `return typeof window.webkit;`, `"undefined"`, ""},
		{"page world does not see the world's globals", "", `return typeof window.worldMarker;`, `"undefined"`, ""},
		{"promise is awaited", "", `return await new Promise(function (r) { setTimeout(function () { r([1, 'x']); }, 10); });`, `[1,"x"]`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := evalWait(t, w, tt.world, tt.js)
			if tt.wantErr != "" {
				if !errors.Is(err, ErrEval) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %s (%v), want %s", got, err, tt.want)
			}
		})
	}
}

func TestWindowTerminated(t *testing.T) {
	w := openTestWindow(t, func(string, func(string, string)) {})
	reasons := make(chan string, 1)
	onMain(t, func() {
		w.OnTerminated(func(r string) { reasons <- r })
		w.TerminateWebProcess()
	})
	select {
	case r := <-reasons:
		if r != "terminated by api" {
			t.Fatalf("reason %q", r)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no termination reported")
	}
}

func TestWindowDestroyed(t *testing.T) {
	needDisplay(t)
	var w *Window
	onMain(t, func() {
		var err error
		if w, err = New(Options{}); err != nil {
			t.Fatal(err)
		}
		w.Destroy()
		w.Destroy()
	})
	_, err := evalWait(t, w, "", "return 1;")
	if !errors.Is(err, ErrDestroyed) {
		t.Fatalf("eval on a destroyed window: %v", err)
	}
}
