package js

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// nodePath returns the node binary. The scripts in this package are
// JavaScript and node is how they are tested without a browser, so a
// missing node fails the test rather than skipping it.
func nodePath(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node >= 20 is required: apt-get install nodejs")
	}
	return node
}

// harnessFiles are the testdata scripts node loads. runNode reads them
// from Go too, so that go test's result cache notices when they change
// (it cannot see what a child process opens).
var harnessFiles = []string{"bridge_harness.js", "chain_harness.js", "fakedom.js"}

// runNode runs a harness script with stdin as JSON and returns its stdout.
// The scripts under test travel in stdin from the embedded variables, so
// the harness checks exactly what the webview process injects.
func runNode(t *testing.T, script string, stdin any) []byte {
	t.Helper()
	for _, f := range harnessFiles {
		if _, err := os.ReadFile(filepath.Join("testdata", f)); err != nil {
			t.Fatal(err)
		}
	}
	in, err := json.Marshal(stdin)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, nodePath(t), script)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node %s: %v\n%s", script, err, stderr.String())
	}
	return out
}

// sameJSON reports whether two JSON texts hold equal values.
func sameJSON(t *testing.T, got, want []byte) bool {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("got is not JSON: %v: %s", err, got)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("want is not JSON: %v: %s", err, want)
	}
	return reflect.DeepEqual(g, w)
}
