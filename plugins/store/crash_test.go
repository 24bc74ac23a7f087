package store

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/Masterminds/semver/v3"
	"go.etcd.io/bbolt"

	"github.com/wardenhq/warden/internal/helperproc"
	"github.com/wardenhq/warden/permissions"
)

// The test binary doubles as the crash test's child: in the helper process
// role crashRole, with a profile and a seed as arguments, it runs install,
// update, rollback and uninstall on the profile until it is killed.
const (
	crashRole = "store-crash"
	crashKeep = 2
	// crashSeedEnv sets the seed of TestCrashInstall's random runs.
	crashSeedEnv = "WARDEN_STORE_CRASH_SEED"
)

func TestMain(m *testing.M) {
	helperproc.Roles{crashRole: func() int {
		if len(os.Args) != 3 {
			fmt.Fprintln(os.Stderr, "crash child: want a profile and a seed")
			return 2
		}
		seed, _ := strconv.ParseUint(os.Args[2], 10, 64)
		if err := crashChild(os.Args[1], seed); err != nil {
			fmt.Fprintln(os.Stderr, "crash child:", err)
			return 1
		}
		return 0
	}}.Dispatch()
	os.Exit(m.Run())
}

// crashIDs are the plugins the child works on.
var crashIDs = []string{"com.example.a", "com.example.b"}

// summary renders the visible state of the records that the crash test
// compares: per plugin, current version, kept versions and enabled flag.
func summary(l []Plugin) string {
	var b strings.Builder
	for _, p := range l {
		fmt.Fprintf(&b, "%s=%s%v:%t;", p.ID, p.Version, p.Previous, p.Enabled)
	}
	return b.String()
}

// nextVersion returns a version above every version p names.
func nextVersion(p Plugin, installed bool) string {
	if !installed {
		return "1.0.0"
	}
	var top *semver.Version
	for _, v := range p.versions() {
		sv := semver.MustParse(v)
		if top == nil || sv.GreaterThan(top) {
			top = sv
		}
	}
	return top.IncPatch().String()
}

// crashChild loops over random operations. Before each it prints "next "
// and the summary of the state the operation should produce, after it
// "done"; "ready " gives the state found after Open.
func crashChild(profile string, seed uint64) error {
	r := rand.New(rand.NewPCG(seed, 7))
	db, err := openDBErr(profile)
	if err != nil {
		return err
	}
	s, err := OpenOptions(db, profile, Options{Keep: crashKeep, Logger: quiet})
	if err != nil {
		return err
	}
	ctx := context.Background()
	state, err := s.List()
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stdout, "ready %s\n", summary(state))
	for {
		id := crashIDs[r.IntN(len(crashIDs))]
		old, err := s.Get(id)
		installed := err == nil
		if err != nil && !errors.Is(err, ErrNotInstalled) {
			return err
		}
		// The model of what the operation does, computed independently
		// of the store's code.
		model := map[string]Plugin{}
		for _, p := range state {
			model[p.ID] = p
		}
		var op func(*Lock) error
		switch n := r.IntN(20); {
		case n < 10 || !installed:
			v := nextVersion(old, installed)
			rec := Plugin{ID: id, Version: v, Enabled: true}
			if installed {
				rec.Enabled, rec.Grants = old.Enabled, old.Grants
				kept := append([]string{old.Version}, old.Previous...)
				rec.Previous = kept[:min(len(kept), crashKeep)]
			}
			model[id] = rec
			op = func(*Lock) error { return install(ctx, s, rec) }
		case n < 13 && len(old.Previous) > 0:
			p := old
			p.Version, p.Previous = old.Previous[0], append([]string{old.Version}, old.Previous[1:]...)
			model[id] = p
			op = func(*Lock) error { _, err := s.Rollback(ctx, id); return err }
		case n < 15:
			delete(model, id)
			op = func(*Lock) error { return s.Uninstall(ctx, id) }
		case n < 18:
			p := old
			p.Enabled = !old.Enabled
			model[id] = p
			op = func(*Lock) error { return s.SetEnabled(id, p.Enabled, "crash test") }
		default:
			g := permissions.Grants{"storage": {Permission: "storage", GrantedAt: time.Now()}}
			op = func(*Lock) error { return s.SetGrants(id, g) }
		}
		next := make([]Plugin, 0, len(model))
		for _, p := range model {
			next = append(next, p)
		}
		slices.SortFunc(next, func(a, b Plugin) int { return strings.Compare(a.ID, b.ID) })
		fmt.Fprintf(os.Stdout, "next %s\n", summary(next))
		l, err := s.Lock(ctx)
		if err != nil {
			return err
		}
		if err := op(l); err != nil {
			return err
		}
		l.Unlock()
		if state, err = s.List(); err != nil {
			return err
		}
		if got, want := summary(state), summary(next); got != want {
			return fmt.Errorf("state %s, model %s", got, want)
		}
		fmt.Fprintln(os.Stdout, "done")
	}
}

// TestCrashInstall kills a process running installs, updates, rollbacks and
// uninstalls at random points with SIGKILL, then checks that reopening the
// profile shows the state before or after the interrupted operation, with
// every named version complete on disk and nothing else left, and that the
// next install works.
func TestCrashInstall(t *testing.T) {
	const runs = 60
	seed := uint64(1)
	if v := os.Getenv(crashSeedEnv); v != "" {
		seed, _ = strconv.ParseUint(v, 10, 64)
	}
	t.Logf("seed %d (set %s to vary)", seed, crashSeedEnv)
	r := rand.New(rand.NewPCG(seed, 1))
	profile := t.TempDir()
	startup := 50 * time.Millisecond // learnt from the runs
	var withOps, midOp, beforeReady, leftStaged, leftUnref int
	expect := "" // the state the parent left
	start := time.Now()
	for run := range runs {
		// One run in five is killed at a random point of start-up and
		// recovery; the others a random time after the child is ready,
		// so the spread of kill points does not hang on machine speed.
		afterReady := r.IntN(5) != 0
		delay := time.Duration(r.Int64N(int64(80 * time.Millisecond)))
		if !afterReady {
			delay = time.Duration(r.Int64N(int64(startup)))
		}
		res := runCrashChild(t, profile, r.Uint64(), afterReady, delay)
		if res.sawReady {
			startup = (startup + res.ready) / 2
		}

		db := openDB(t, profile)
		staged, unref := leftovers(t, db, profile)
		if staged {
			leftStaged++
		}
		if unref {
			leftUnref++
		}
		s, err := OpenOptions(db, profile, Options{Keep: crashKeep, Logger: quiet})
		if err != nil {
			t.Fatalf("run %d: reopen: %v", run, err)
		}
		got := checkProfile(t, s, profile)
		switch {
		case !res.sawReady:
			beforeReady++
			if got != expect {
				t.Fatalf("run %d: killed before ready, state %q, want %q", run, got, expect)
			}
		case res.readyState != expect:
			t.Fatalf("run %d: child found %q after Open, parent left %q", run, res.readyState, expect)
		case res.inFlight:
			midOp++
			if got != res.committed && got != res.pending {
				t.Fatalf("run %d: state %q is neither the old %q nor the new %q", run, got, res.committed, res.pending)
			}
		default:
			if got != res.committed {
				t.Fatalf("run %d: state %q, want %q; child's last output:\n%s", run, got, res.committed, strings.Join(res.lines, "\n"))
			}
		}
		if res.ops > 0 {
			withOps++
		}

		// The next install succeeds.
		p, err := s.Get("com.example.a")
		installed := err == nil
		v := nextVersion(p, installed)
		if err := install(t.Context(), s, Plugin{ID: "com.example.a", Version: v, Enabled: true}); err != nil {
			t.Fatalf("run %d: install after crash: %v", run, err)
		}
		if err := checkTree(s.Dir("com.example.a", v), "com.example.a", v); err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		expect = checkProfile(t, s, profile)
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d runs in %v: %d killed before ready, %d with completed operations, %d killed inside an operation",
		runs, time.Since(start).Round(time.Millisecond), beforeReady, withOps, midOp)
	t.Logf("crashes left staging work %d times and unreferenced version dirs %d times", leftStaged, leftUnref)
	if withOps < runs/4 || midOp < runs/4 {
		t.Errorf("too few kills landed in operations (%d with operations, %d inside one); the child is too slow to start", withOps, midOp)
	}
}

// crashResult is what the parent learnt from a killed child's output.
type crashResult struct {
	sawReady   bool
	ready      time.Duration // from start to the ready line
	readyState string
	committed  string // state after the last completed operation
	pending    string // state the interrupted operation would produce
	inFlight   bool   // an operation had started and not finished
	ops        int
	lines      []string // the last lines of output, for failure messages
}

// runCrashChild starts the child on profile, kills it with SIGKILL delay
// after its start or, with afterReady, after its ready line, and parses its
// output.
func runCrashChild(t *testing.T, profile string, seed uint64, afterReady bool, delay time.Duration) crashResult {
	t.Helper()
	cmd := helperproc.Command(crashRole, profile, strconv.FormatUint(seed, 10))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	begin := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var res crashResult
	parsed, ready := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(parsed)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			res.lines = append(res.lines, line)
			if len(res.lines) > 6 {
				res.lines = res.lines[1:]
			}
			switch {
			case strings.HasPrefix(line, "ready "):
				res.sawReady, res.ready = true, time.Since(begin)
				res.readyState = strings.TrimPrefix(line, "ready ")
				res.committed = res.readyState
				close(ready)
			case strings.HasPrefix(line, "next "):
				res.pending, res.inFlight = strings.TrimPrefix(line, "next "), true
			case line == "done":
				res.committed, res.inFlight = res.pending, false
				res.ops++
			}
		}
		if err := sc.Err(); err != nil {
			res.lines = append(res.lines, "scan: "+err.Error())
		}
		io.Copy(io.Discard, out)
	}()
	if afterReady {
		select {
		case <-ready:
		case <-parsed:
			// Ended before ready: Wait below reports why.
		case <-time.After(30 * time.Second):
			t.Error("child not ready after 30s")
		}
	}
	time.Sleep(delay)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-parsed
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("child: %v", err)
	}
	if ws, ok := ee.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
		t.Fatalf("child ended on its own (%v): %s", err, stderr.String())
	}
	return res
}

// checkProfile asserts the store's invariants after recovery and returns
// the summary of the records: every named version is a complete tree, no
// staging or unreferenced directory is left.
func checkProfile(t *testing.T, s *Store, profile string) string {
	t.Helper()
	if got := dirNames(t, filepath.Join(profile, "staging")); len(got) != 0 {
		t.Fatalf("staging leftovers after Open: %v", got)
	}
	l, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range l {
		ids = append(ids, p.ID)
		for _, v := range p.versions() {
			if err := checkTree(s.Dir(p.ID, v), p.ID, v); err != nil {
				t.Fatalf("%s %s named by its record but not complete: %v", p.ID, v, err)
			}
		}
		want := slices.Sorted(slices.Values(p.versions()))
		if got := dirNames(t, filepath.Join(profile, "plugins", p.ID)); !slices.Equal(got, want) {
			t.Fatalf("%s: version dirs %v, want %v", p.ID, got, want)
		}
	}
	if got := dirNames(t, filepath.Join(profile, "plugins")); !slices.Equal(got, ids) {
		t.Fatalf("plugin dirs %v, records %v", got, ids)
	}
	return summary(l)
}

// leftovers reports, before recovery, whether the killed child left staging
// work and version or plugin dirs that no record names.
func leftovers(t *testing.T, db *bbolt.DB, profile string) (staged, unref bool) {
	t.Helper()
	staged = len(dirNames(t, filepath.Join(profile, "staging"))) > 0
	refs := map[string]bool{}
	err := db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketInstalled)
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, v []byte) error {
			p, err := decodeRecord(v)
			if err != nil {
				return err
			}
			for _, ver := range p.versions() {
				refs[filepath.Join(p.ID, ver)] = true
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range dirNames(t, filepath.Join(profile, "plugins")) {
		for _, v := range dirNames(t, filepath.Join(profile, "plugins", id)) {
			if !refs[filepath.Join(id, v)] {
				unref = true
			}
		}
	}
	return staged, unref
}
