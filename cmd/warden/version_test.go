package main

import (
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/wardenhq/warden/host"
)

// TestVersionText: the version names host.Version (what manifests' "host"
// ranges are checked against), the revision the build information holds
// and its Go version, in the form `go version -m` shows them.
func TestVersionText(t *testing.T) {
	const rev = "8697222c0a1b2c3d4e5f60718293a4b5c6d7e8f9"
	parse := func(text string) *debug.BuildInfo {
		t.Helper()
		info, err := debug.ParseBuildInfo(text)
		if err != nil {
			t.Fatal(err)
		}
		info.GoVersion = "go1.26.1" // the binary's header, not part of the text form
		return info
	}
	base := "path\tgithub.com/wardenhq/warden/cmd/warden\nmod\tgithub.com/wardenhq/warden\t(devel)\t\n"
	tests := []struct {
		name string
		info *debug.BuildInfo
		ok   bool
		want string
	}{
		{"clean checkout", parse(base + "build\tvcs=git\nbuild\tvcs.revision=" + rev + "\nbuild\tvcs.modified=false\n"), true,
			"warden " + host.Version + "\nrevision: " + rev + "\ngo:       go1.26.1"},
		{"uncommitted changes", parse(base + "build\tvcs=git\nbuild\tvcs.revision=" + rev + "\nbuild\tvcs.modified=true\n"), true,
			"warden " + host.Version + "\nrevision: " + rev + ", with uncommitted changes\ngo:       go1.26.1"},
		{"built without version control", parse(base), true,
			"warden " + host.Version + "\nrevision: unknown (built without version control information)\ngo:       go1.26.1"},
		{"no build information", nil, false,
			"warden " + host.Version + "\nrevision: unknown (built without version control information)\ngo:       " + runtime.Version()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := versionText(tt.info, tt.ok); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestVersionFlagAndCommand: warden --version and warden version print the
// same text: this binary's version.
func TestVersionFlagAndCommand(t *testing.T) {
	flag, _, err := runWarden(t, "--version")
	if err != nil {
		t.Fatal(err)
	}
	cmd, _, err := runWarden(t, "version")
	if err != nil {
		t.Fatal(err)
	}
	want := versionText(debug.ReadBuildInfo()) + "\n"
	if flag != want || cmd != want {
		t.Errorf("--version printed\n%s\nversion printed\n%s\nwant\n%s", flag, cmd, want)
	}
	if !strings.HasPrefix(flag, "warden "+host.Version+"\n") || !strings.Contains(flag, "go:       go1.") {
		t.Errorf("--version printed\n%s", flag)
	}
}
