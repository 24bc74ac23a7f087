package webview

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/wardenhq/warden/host/ipc"
	"github.com/wardenhq/warden/internal/helperproc"
)

// childRole is the helper process role that runs RunChild on fd 3 instead
// of the tests.
const childRole = "webview-child"

// displayErr is why this process has no GTK; nil when it has.
var displayErr error

// TestMain runs GTK's main loop on the main thread while the tests run in
// other goroutines, or plays the webview process for the child tests.
func TestMain(m *testing.M) {
	helperproc.Roles{childRole: runTestChild}.Dispatch()
	if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		displayErr = errors.New("no DISPLAY")
	} else {
		displayErr = Init()
	}
	if displayErr != nil {
		os.Exit(m.Run())
	}
	code := make(chan int, 1)
	go func() {
		code <- m.Run()
		Dispatch(Quit)
	}()
	Run()
	os.Exit(<-code)
}

// needDisplay fails (never skips) a test that needs GTK without a display.
func needDisplay(t testing.TB) {
	t.Helper()
	if displayErr != nil {
		t.Fatalf("needs a display: run under xvfb-run -a (%v)", displayErr)
	}
}

// runTestChild is the webview process of the child tests, with small test
// scripts in place of the SDK's bridge and channel.
func runTestChild() int {
	bridgeJS, channelJS = testBridge, testChannel
	f := os.NewFile(3, "ipc")
	if f == nil {
		fmt.Fprintln(os.Stderr, "test child: fd 3 is not open")
		return 2
	}
	conn := ipc.NewConn(f, 0)
	defer conn.Close()
	if err := RunChild(context.Background(), conn); err != nil {
		fmt.Fprintln(os.Stderr, "test child:", err)
		return 1
	}
	return 0
}

// testBridge stands in for sdk/js's bridge: it creates the isolation
// frame, relays testInvoke calls to it and collects core events.
const testBridge = `(function () {
  var frame = document.createElement('iframe');
  frame.setAttribute('sandbox', 'allow-scripts');
  frame.src = 'isolation://' + location.host + '/';
  frame.style.display = 'none';
  var loaded = new Promise(function (r) { frame.addEventListener('load', function () { r(); }); });
  var pending = new Map();
  var next = 0;
  window.addEventListener('message', function (e) {
    if (e.source !== frame.contentWindow || !e.data) return;
    var p = pending.get(e.data.id);
    if (!p) return;
    pending.delete(e.data.id);
    if ('error' in e.data) p.reject(new Error(e.data.error)); else p.resolve(e.data.reply);
  });
  window.testInvoke = function (cmd, args) {
    return loaded.then(function () {
      return new Promise(function (resolve, reject) {
        var id = ++next;
        pending.set(id, { resolve: resolve, reject: reject });
        frame.contentWindow.postMessage({ id: id, cmd: cmd, args: args }, '*');
      });
    });
  };
  window.testEvents = [];
  Object.defineProperty(window, '__wardenEvent', { value: function (e) { window.testEvents.push(e); } });
  (document.documentElement || document).appendChild(frame);
})();`

// testChannel stands in for sdk/js's channel: it runs in the isolation
// world after isolation.js and hands envelopes to the native handler.
const testChannel = `WardenIsolation.send = function (envelope, id) {
  return window.webkit.messageHandlers.warden.postMessage(envelope).then(function (reply) {
    window.parent.postMessage({ id: JSON.parse(reply).id || id, reply: reply }, '*');
  });
};`
