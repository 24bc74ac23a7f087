package webview

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
)

// maxConsoleMessage bounds one forwarded console message.
const maxConsoleMessage = 8 << 10

// captureConsole routes WebKit's console output to send. With
// write-console-messages-to-stdout on, the web process writes lines like
//
//	plugin://id/ui/app.js:3:1: CONSOLE JS ERROR TypeError: ...
//
// to the stderr it inherits from this process, and the UI process API has
// no console signal. So fd 2 becomes a pipe: console lines go to send,
// anything else to the original stderr. Call it before the web process
// starts (before the first Navigate). It costs one pipe and one goroutine.
func captureConsole(send func(level, msg string)) error {
	orig, err := syscall.Dup(2)
	if err != nil {
		return fmt.Errorf("capture console: %w", err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		syscall.Close(orig)
		return fmt.Errorf("capture console: %w", err)
	}
	if err := syscall.Dup3(int(w.Fd()), 2, 0); err != nil {
		syscall.Close(orig)
		r.Close()
		w.Close()
		return fmt.Errorf("capture console: %w", err)
	}
	w.Close()
	go forwardConsole(r, os.NewFile(uintptr(orig), "stderr"), send)
	return nil
}

// forwardConsole splits r into console messages and other output.
func forwardConsole(r io.Reader, other io.Writer, send func(level, msg string)) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if level, msg, ok := parseConsoleLine(line); ok {
			send(level, msg)
			continue
		}
		fmt.Fprintln(other, line)
	}
}

// consoleLevels maps WebKit's console level words to TypeLog levels.
var consoleLevels = map[string]string{
	"LOG": "info", "INFO": "info", "DEBUG": "info", "WARN": "warn", "ERROR": "error",
}

// parseConsoleLine parses "[location: ]CONSOLE [SOURCE] LEVEL message".
// The message keeps the location, which says where the page logged.
func parseConsoleLine(line string) (level, msg string, ok bool) {
	loc, rest, found := strings.Cut(line, "CONSOLE ")
	if !found || (loc != "" && !strings.HasSuffix(loc, ": ")) {
		return "", "", false
	}
	words := strings.SplitN(rest, " ", 3)
	for i := 0; i < len(words) && i < 2; i++ {
		if l, isLevel := consoleLevels[words[i]]; isLevel {
			msg = loc + strings.Join(words[i+1:], " ")
			if len(msg) > maxConsoleMessage {
				msg = msg[:maxConsoleMessage]
			}
			return l, msg, true
		}
	}
	return "", "", false
}
