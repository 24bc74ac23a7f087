package webview

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/wardenhq/warden/host/ipc"
)

func TestParseConsoleMessage(t *testing.T) {
	long := strings.Repeat("é", maxConsoleMessage)
	tests := []struct {
		raw, level, text string
		ok               bool
	}{
		{`{"level":"log","message":"hi","at":""}`, "log", "hi", true},
		{`{"level":"warn","message":"w","at":"plugin://p/ui/app.js:3:7"}`, "warn", "plugin://p/ui/app.js:3:7: w", true},
		{`{"level":"shout","message":"x"}`, "log", "x", true},
		{`{"level":"error","message":"` + long + `"}`, "error", long[:maxConsoleMessage], true},
		{`"a string"`, "", "", false},
		{`[1,2]`, "", "", false},
		{`not json`, "", "", false},
		{`{"level":"log","message":"` + strings.Repeat("x", 5*maxConsoleMessage) + `"}`, "", "", false},
	}
	for _, tt := range tests {
		level, text, ok := parseConsoleMessage(tt.raw)
		if level != tt.level || text != tt.text || ok != tt.ok {
			t.Errorf("parseConsoleMessage(%.60q) = %q, %.40q, %v; want %q, %.40q, %v", tt.raw, level, text, ok, tt.level, tt.text, tt.ok)
		}
	}
}

func FuzzParseConsoleMessage(f *testing.F) {
	f.Add(`{"level":"log","message":"hi","at":"plugin://p/a.js:1:1"}`)
	f.Add(`{"level":"error","message":"\u00e9\u00e9"}`)
	f.Fuzz(func(t *testing.T, raw string) {
		level, text, ok := parseConsoleMessage(raw)
		if !ok {
			return
		}
		if !pageConsoleLevels[level] || len(text) > maxConsoleMessage {
			t.Fatalf("%q -> %q, %d bytes", raw, level, len(text))
		}
		if utf8.ValidString(raw) && !utf8.ValidString(text) {
			t.Fatalf("%q -> invalid UTF-8 %q", raw, text)
		}
	})
}

// TestConsoleLimiter lets a burst through, then the rate, and counts the
// rest.
func TestConsoleLimiter(t *testing.T) {
	var l consoleLimiter
	now := time.Now()
	sent := 0
	for range 2 * consoleBurst {
		if l.allow(now) {
			sent++
		}
	}
	if sent != consoleBurst || l.dropped != consoleBurst {
		t.Fatalf("burst: %d sent, %d dropped; want %d each", sent, l.dropped, consoleBurst)
	}
	sent = 0
	for range consoleRate * 2 {
		now = now.Add(time.Second / consoleRate)
		if l.allow(now) {
			sent++
		}
	}
	if sent != consoleRate*2 {
		t.Fatalf("at the rate: %d of %d sent", sent, consoleRate*2)
	}
}

// devApp is the dev test's plugin script: it logs at load, and boom
// throws from a timer (an uncaught error with a file and line).
const devApp = `window.appRan = true;
console.log("loaded", {n: 1});
window.boom = function () { setTimeout(function () { throw new Error("uncaught two"); }, 0); };
`

// TestChildDev runs a webview process in developer mode: console calls
// and uncaught errors reach the core with their file and line, a flood is
// cut to the rate bound, the core's reload frame reloads the page, and
// the page's world gains the console handler and nothing else.
func TestChildDev(t *testing.T) {
	dir, _ := writePlugin(t)
	if err := os.WriteFile(filepath.Join(dir, "ui", "app.js"), []byte(devApp), 0o644); err != nil {
		t.Fatal(err)
	}
	init, _ := testInit(t, dir)
	init.Dev = true
	core := startChild(t, init)
	core.waitReady(t)

	waitLog := func(what string, match func(level, msg string) bool) {
		t.Helper()
		deadline := time.After(10 * time.Second)
		for {
			select {
			case l := <-core.logs:
				var m struct{ Level, Message string }
				if err := json.Unmarshal([]byte(l), &m); err != nil {
					t.Fatalf("log %s: %v", l, err)
				}
				if match(m.Level, m.Message) {
					return
				}
			case <-deadline:
				t.Fatalf("no console message: %s", what)
			}
		}
	}
	waitLog("the load's console.log", func(level, msg string) bool {
		return level == "log" && msg == `plugin://com.example.test/ui/app.js:2:12: loaded {"n":1}`
	})
	var handlers string
	core.evalInto(t, `return Object.keys(window.webkit.messageHandlers).join(",") + "|" + typeof window.webkit.messageHandlers.warden;`, &handlers)
	if handlers != "|undefined" && handlers != "wardenConsole|undefined" {
		t.Fatalf("the page's world sees message handlers %q", handlers)
	}
	var ok bool
	core.evalInto(t, `return typeof window.webkit.messageHandlers.wardenConsole.postMessage === "function";`, &ok)
	if !ok {
		t.Fatal("the console handler is not in the page's world")
	}
	core.evalInto(t, `boom(); return true;`, &ok)
	waitLog("the uncaught error", func(level, msg string) bool {
		return level == "error" && strings.HasPrefix(msg, "plugin://com.example.test/ui/app.js:3:") && strings.Contains(msg, "uncaught two")
	})

	// A flood: the burst goes through, then the rest is dropped and the
	// next message says how many.
	counted := make(chan int)
	go func() {
		floods := 0
		quiet := time.After(3 * time.Second)
		for {
			select {
			case l := <-core.logs:
				if strings.Contains(l, "flood ") {
					floods++
				}
			case <-quiet:
				counted <- floods
				return
			}
		}
	}()
	core.evalInto(t, `for (let i = 0; i < 1000; i++) console.log("flood " + i); return true;`, &ok)
	floods := <-counted
	if floods < consoleBurst || floods > consoleBurst+2*consoleRate {
		t.Fatalf("%d of 1000 flooding messages forwarded; want about %d", floods, consoleBurst)
	}
	time.Sleep(200 * time.Millisecond)
	core.evalInto(t, `console.log("after the flood"); return true;`, &ok)
	waitLog("the count of dropped messages", func(level, msg string) bool {
		return level == "warn" && strings.Contains(msg, "console messages dropped")
	})

	// The core's reload: a new document, whose script logs again.
	core.evalInto(t, `window.oldPage = true; return true;`, &ok)
	if err := core.conn.Send(ipc.Frame{Type: ipc.TypeReload}); err != nil {
		t.Fatal(err)
	}
	core.waitReady(t)
	waitLog("the reloaded page's console.log", func(level, msg string) bool { return strings.HasSuffix(msg, `loaded {"n":1}`) })
	var old bool
	core.evalInto(t, `return window.oldPage === true;`, &old)
	if old {
		t.Fatal("the page was not reloaded")
	}
}

// TestChildNoDevNoHandler: without developer mode the page's world has
// no message handler at all.
func TestChildNoDevNoHandler(t *testing.T) {
	dir, _ := writePlugin(t)
	if err := os.WriteFile(filepath.Join(dir, "ui", "app.js"), []byte(devApp), 0o644); err != nil {
		t.Fatal(err)
	}
	init, _ := testInit(t, dir)
	core := startChild(t, init)
	core.waitReady(t)
	var webkit string
	core.evalInto(t, `return typeof window.webkit;`, &webkit)
	if webkit != "undefined" {
		t.Fatalf("without developer mode the page sees window.webkit (%s)", webkit)
	}
	select {
	case l := <-core.logs:
		t.Fatalf("a console message was forwarded without developer mode: %s", l)
	case <-time.After(time.Second):
	}
}
