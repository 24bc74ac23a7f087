package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/host/window"
	"github.com/wardenhq/warden/plugins/policy"
)

// demoStep is one thing the demo does in a plugin's page, as the user
// would: fill a field, press a button, read what the page shows.
type demoStep struct {
	plugin string // directory under examples/
	what   string
	js     string // body of an async function run in the page; its result is printed
}

var demoSteps = []demoStep{
	{"hello", `type "Ada", press Greet, read the reply`, `
		document.getElementById("name").value = "Ada";
		document.getElementById("greet").click();
		const reply = document.getElementById("reply");
		for (let i = 0; i < 250 && !reply.textContent; i++) await new Promise(r => setTimeout(r, 20));
		return reply.textContent;`},
	{"notes", `write a note, press Save, read the list`, `
		document.getElementById("text").value = "Try Warden's **isolation hook**";
		document.getElementById("save").click();
		const list = document.getElementById("notes");
		for (let i = 0; i < 250 && !list.textContent.includes("isolation hook"); i++) await new Promise(r => setTimeout(r, 20));
		return Array.from(list.querySelectorAll("li p")).map(p => p.textContent);`},
}

func newDemo(g *globals) *cobra.Command {
	var examples, shot string
	var keep bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the bundled example plugins in a throwaway profile and show what they do",
		Long: `demo loads the example plugins (hello, notes) into a throwaway profile, granting
what their manifests declare, opens each in its own webview process, drives
its main action through the page the way a user would, prints what each
invoke returned and saves a screenshot. With no $DISPLAY it starts its own
Xvfb server and says so.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			pol, err := loadPolicy(g)
			if err != nil {
				return err
			}
			return runDemo(cmd.Context(), cmd.OutOrStdout(), pol, examples, shot, keep)
		},
	}
	cmd.Flags().StringVar(&examples, "examples", "examples", "directory holding the example plugins")
	cmd.Flags().StringVar(&shot, "screenshot", "", "where to write the PNG screenshot (default: in the throwaway profile)")
	cmd.Flags().BoolVar(&keep, "keep", false, "keep the windows open until interrupted")
	return cmd
}

func runDemo(ctx context.Context, out io.Writer, pol *policy.Policy, examples, shot string, keep bool) error {
	profile, err := os.MkdirTemp("", "warden-demo-")
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "demo: throwaway profile %s\n", profile)
	if shot == "" {
		shot = filepath.Join(profile, "demo.png")
	}
	env := os.Environ()
	if os.Getenv("DISPLAY") == "" {
		display, stop, err := startXvfb(ctx)
		if err != nil {
			return err
		}
		defer stop()
		env = append(env, "DISPLAY="+display)
		os.Setenv("DISPLAY", display)
		fmt.Fprintf(out, "demo: no $DISPLAY, started Xvfb on %s\n", display)
	}

	w, err := warden.Open(ctx, warden.Config{Profile: profile, CacheDir: cacheDir(), Policy: pol})
	if err != nil {
		return err
	}
	defer w.Close(context.Background())

	uis := map[string]*window.Window{}
	for i, name := range []string{"hello", "notes"} {
		dir := filepath.Join(examples, name)
		p, err := w.LoadSource(ctx, dir, nil)
		if err != nil {
			return fmt.Errorf("demo: %w (run from the repository root or pass --examples)", err)
		}
		m := p.Manifest()
		fmt.Fprintf(out, "demo: loaded %s %s, granted %v\n", m.ID, m.Version, m.Permissions)
		opts := cliWindow(window.Options{Env: env, Ephemeral: true, X: 40 + i*520, Y: 40})
		ui, err := w.OpenWindow(ctx, p, &opts)
		if err != nil {
			return err
		}
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err = ui.WaitReady(wctx)
		cancel()
		if err != nil {
			return err
		}
		uis[name] = ui
	}

	for _, st := range demoSteps {
		sctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		res, err := uis[st.plugin].Eval(sctx, st.js)
		cancel()
		if err != nil {
			return fmt.Errorf("demo: %s: %s: %w", st.plugin, st.what, err)
		}
		var pretty any
		json.Unmarshal(res, &pretty)
		b, _ := json.Marshal(pretty)
		fmt.Fprintf(out, "demo: %s: %s -> %s\n", st.plugin, st.what, b)
	}
	for _, name := range []string{"hello", "notes"} {
		direct, relayed := uis[name].Invokes()
		route := "straight from the web process to the core (web extension)"
		if relayed > 0 {
			route = "relayed by the webview process (web extension not found: build it with make build)"
		}
		n, noun := direct+relayed, "invokes"
		if n == 1 {
			noun = "invoke"
		}
		fmt.Fprintf(out, "demo: %s: %d %s, %s\n", name, n, noun, route)
		if nw := uis[name].Network(); nw.Isolated {
			fmt.Fprintf(out, "demo: %s: its web page and WebKit's processes run with no network at all (empty network namespace)\n", name)
		} else {
			fmt.Fprintf(out, "demo: %s: NOT isolated from the network: %s\n", name, nw.Reason)
		}
	}

	if err := screenshot(ctx, shot); err != nil {
		return err
	}
	fmt.Fprintf(out, "demo: screenshot saved to %s\n", shot)
	if keep {
		fmt.Fprintln(out, "demo: windows stay open; press Ctrl-C to stop")
		<-ctx.Done()
	}
	return nil
}

// startXvfb starts an Xvfb server on a free display and returns its name
// and a function that stops it.
func startXvfb(ctx context.Context) (string, func(), error) {
	if _, err := exec.LookPath("Xvfb"); err != nil {
		return "", nil, fmt.Errorf("demo: no $DISPLAY and no Xvfb: apt-get install xvfb, or run under a desktop session")
	}
	r, w, err := os.Pipe()
	if err != nil {
		return "", nil, err
	}
	cmd := exec.CommandContext(ctx, "Xvfb", "-displayfd", "3", "-screen", "0", "1280x720x24", "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("demo: start Xvfb: %w", err)
	}
	w.Close()
	var n int
	_, err = fmt.Fscan(r, &n)
	r.Close()
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return "", nil, fmt.Errorf("demo: Xvfb did not report its display: %w", err)
	}
	stop := func() { cmd.Process.Kill(); cmd.Wait() }
	return fmt.Sprintf(":%d", n), stop, nil
}

// screenshot captures the whole X screen to a PNG after the windows had
// time to paint (the first frames can be stale).
func screenshot(ctx context.Context, path string) error {
	if _, err := exec.LookPath("import"); err != nil {
		return fmt.Errorf("demo: screenshot needs ImageMagick's import: apt-get install imagemagick")
	}
	time.Sleep(500 * time.Millisecond)
	if out, err := exec.CommandContext(ctx, "import", "-window", "root", path).CombinedOutput(); err != nil {
		return fmt.Errorf("demo: screenshot: %w: %s", err, out)
	}
	return nil
}
