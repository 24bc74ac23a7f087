package main

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/wardenhq/warden/host"
	"github.com/wardenhq/warden/host/window"
)

// screenPixel returns the colour of the screen at x, y, read through the X
// server (ImageMagick's import).
func screenPixel(t *testing.T, x, y int) (r, g, b uint8) {
	t.Helper()
	out, err := exec.Command("import", "-window", "root", "png:-").Output()
	if err != nil {
		t.Fatalf("screenshot (ImageMagick's import is needed): %v", err)
	}
	img, err := png.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if !(image.Point{x, y}).In(img.Bounds()) {
		t.Fatalf("%d,%d is off the screen %v", x, y, img.Bounds())
	}
	r32, g32, b32, _ := img.At(x, y).RGBA()
	return uint8(r32 >> 8), uint8(g32 >> 8), uint8(b32 >> 8)
}

// pressKey sends key (xdotool's name, such as "F5" or "ctrl+r") to the
// window under the pointer at x, y, as a user's key press.
func pressKey(t *testing.T, x, y int, key string) {
	t.Helper()
	xdotool, err := exec.LookPath("xdotool")
	if err != nil {
		t.Fatalf("xdotool is needed to press keys as a user (scripts/setup.sh installs it): %v", err)
	}
	if out, err := exec.Command(xdotool, "mousemove", strconv.Itoa(x), strconv.Itoa(y), "sleep", "0.2", "key", key).CombinedOutput(); err != nil {
		t.Fatalf("xdotool key %s: %v: %s", key, err, out)
	}
}

// TestE2EDevWindowKeysAndNotice: in developer mode F5 and Ctrl+R reload
// the page and a notice is drawn over it; without developer mode the keys
// do nothing. Not parallel: it uses the pointer and the screen.
func TestE2EDevWindowKeysAndNotice(t *testing.T) {
	needDisplay(t)
	h := e2eHost(t, host.Options{})
	dir := example(t, "hello")
	opts := uiOptions()
	opts.Dev, opts.X, opts.Y = true, 40, 40
	p, ui := openPlugin(t, h, dir, nil, opts)
	inside := func() (int, int) { return opts.X + 200, opts.Y + 150 }

	reloadedBy := func(ui *window.Window, key string) bool {
		t.Helper()
		var ok bool
		eval(t, ui, `window.oldPage = true; return true;`, &ok)
		x, y := inside()
		pressKey(t, x, y, key)
		deadline := time.Now().Add(3 * time.Second)
		for time.Now().Before(deadline) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			res, err := ui.Eval(ctx, `return window.oldPage === true;`)
			cancel()
			if err == nil && string(res) == "false" {
				return true
			}
			time.Sleep(100 * time.Millisecond)
		}
		return false
	}
	for _, key := range []string{"F5", "ctrl+r"} {
		if !reloadedBy(ui, key) {
			t.Fatalf("%s did not reload the page in developer mode", key)
		}
		wctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		err := ui.WaitReady(wctx)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
	}

	// The notice: a dark red bar over the top of the page, then gone.
	isNotice := func() bool {
		r, g, b := screenPixel(t, opts.X+5, opts.Y+5)
		return r == 0x7f && g == 0x1d && b == 0x1d
	}
	if isNotice() {
		t.Fatal("the notice colour is on the screen before any notice")
	}
	if err := ui.SetNotice("backend not updated:\n./main.go:3:1: syntax error"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the notice is drawn over the page", 5*time.Second, isNotice)
	if err := ui.SetNotice(""); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the notice is gone", 5*time.Second, func() bool { return !isNotice() })

	// Without developer mode the keys are the page's.
	if err := windowsOf(h).Stop(context.Background(), p.ID()); err != nil {
		t.Fatal(err)
	}
	opts.Dev = false
	ui, err := windowsOf(h).Open(context.Background(), p, opts)
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := ui.WaitReady(wctx); err != nil {
		t.Fatal(err)
	}
	if reloadedBy(ui, "F5") {
		t.Fatal("F5 reloaded the page outside developer mode")
	}
}
