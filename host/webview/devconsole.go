package webview

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"time"
	"unicode/utf8"
)

// Developer mode (ipc.Init.Dev) forwards the page's console to the core.
// WebKitGTK 4.1 has no console signal, and its console-to-stdout setting
// needs a persistent website data directory and mixes WebKit's own output
// in. Instead devconsole.js, injected into the page's world, posts each
// console call and uncaught error to a message handler registered in that
// world only in developer mode. The handler is a channel the page can
// reach, so it carries text and nothing else: this process turns each
// message into a TypeLog frame, cut to maxConsoleMessage, at most
// consoleRate a second (consoleBurst at once); the core only prints them.
// Without developer mode neither the script nor the handler exists.

//go:embed devconsole.js
var devConsoleJS string

// devConsoleHandler is the page-world message handler devconsole.js posts to.
const devConsoleHandler = "wardenConsole"

// The rate bound of forwarded console messages.
const (
	consoleRate  = 50  // per second
	consoleBurst = 200 // at once
)

// consoleLimiter is a token bucket for console messages that counts what
// it refused, so that the terminal says how many were dropped. GTK thread
// only.
type consoleLimiter struct {
	tokens  float64
	last    time.Time
	dropped int
}

// allow reports whether one more message may go at now.
func (l *consoleLimiter) allow(now time.Time) bool {
	if l.last.IsZero() {
		l.tokens = consoleBurst
	} else {
		l.tokens = min(consoleBurst, l.tokens+now.Sub(l.last).Seconds()*consoleRate)
	}
	l.last = now
	if l.tokens < 1 {
		l.dropped++
		return false
	}
	l.tokens--
	return true
}

// consoleMessage is what devconsole.js posts.
type consoleMessage struct {
	Level   string `json:"level"`
	Message string `json:"message"`
	At      string `json:"at"`
}

// pageConsoleLevels are the levels a page may report; anything else is "log".
var pageConsoleLevels = map[string]bool{"log": true, "info": true, "debug": true, "warn": true, "error": true}

// parseConsoleMessage reads one posted message: the level, and the text
// with its location in front ("plugin://id/ui/app.js:3:7: text"), cut to
// maxConsoleMessage bytes. ok is false for anything that is not such a
// message.
func parseConsoleMessage(raw string) (level, text string, ok bool) {
	if len(raw) > 4*maxConsoleMessage {
		raw = raw[:4*maxConsoleMessage] // the JSON is then cut, and refused
	}
	var m consoleMessage
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return "", "", false
	}
	level = m.Level
	if !pageConsoleLevels[level] {
		level = "log"
	}
	text = m.Message
	if m.At != "" {
		text = m.At + ": " + text
	}
	return level, clipUTF8(text, maxConsoleMessage), true
}

// clipUTF8 cuts s to at most n bytes without splitting a character.
func clipUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// enableDev turns developer mode on in w: the console forwarder and the
// reload keys.
func (c *child) enableDev(w *Window) {
	if !w.Handle(devConsoleHandler, "", c.devConsole) {
		c.log.Warn("page console is not forwarded: handler refused")
		return
	}
	w.AddScript(devConsoleJS, "", true, []string{"plugin://" + c.init.PluginID + "/*"})
	w.EnableReloadKeys()
}

// devConsole forwards one console message of the page (GTK thread).
func (c *child) devConsole(raw string) {
	level, text, ok := parseConsoleMessage(raw)
	if !ok {
		return
	}
	if !c.console.allow(time.Now()) {
		return
	}
	if n := c.console.dropped; n > 0 {
		c.console.dropped = 0
		c.sendLog("warn", fmt.Sprintf("%d console messages dropped: more than %d a second", n, consoleRate))
	}
	c.sendLog(level, text)
}
