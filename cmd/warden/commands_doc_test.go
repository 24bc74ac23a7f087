package main

import (
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// pendingCommands are commands the documentation already names while they
// are being added. The test logs their mentions instead of failing, and
// fails once one is registered, so that its line goes with the change
// that adds it.
var pendingCommands = []string{}

// TestDocumentedCommandsExist: every `warden <command>` that the guides
// (docs/*.md, README.md) or the guest SDK's Go comments show, in code
// spans and code blocks, is a command warden has, down to the subcommand
// (`warden registry add`). A line that says the command is "not built"
// (README's status table) names it as missing, and is left out.
func TestDocumentedCommandsExist(t *testing.T) {
	root := newRoot()
	mentions, err := commandMentions(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if len(mentions) < 20 {
		t.Fatalf("found only %d mentions of warden commands: the scan is broken", len(mentions))
	}
	t.Logf("%d mentions of warden commands", len(mentions))
	for _, m := range mentions {
		if slices.Contains(pendingCommands, m.words[0]) {
			t.Logf("%s: `warden %s` is pending (pendingCommands)", m.where, m.words[0])
			continue
		}
		if err := resolveCommand(root, m.words); err != nil {
			t.Errorf("%s: `warden %s`: %v", m.where, strings.Join(m.words, " "), err)
		}
	}
	for _, name := range pendingCommands {
		if c, _, err := root.Find([]string{name}); err == nil && c != root {
			t.Errorf("warden %s is registered now: remove it from pendingCommands", name)
		}
	}
}

// resolveCommand checks that words name a command of root: the first a
// command, and the second one of its subcommands when it has some and
// runs nothing itself (so the second word can only be a subcommand).
func resolveCommand(root *cobra.Command, words []string) error {
	c, _, err := root.Find(words[:1])
	if err != nil || c == root {
		return fmt.Errorf("warden has no command %q", words[0])
	}
	if !c.HasSubCommands() || c.Runnable() || len(words) < 2 {
		return nil
	}
	for _, sub := range c.Commands() {
		if sub.Name() == words[1] || slices.Contains(sub.Aliases, words[1]) {
			return nil
		}
	}
	return fmt.Errorf("warden %s has no subcommand %q", words[0], words[1])
}

// mention is one `warden <command> [<subcommand>]` found in a file.
type mention struct {
	where string   // file:line
	words []string // the command and, when there is one, the next word
}

// wardenCommand matches "warden" as a command word (at the start, after
// a space, a prompt or a backtick; not in "warden.invoke" or a path)
// followed by one or two words.
var wardenCommand = regexp.MustCompile("(?:^|[\\s$`(])warden[ \\t]+([a-z][a-z0-9-]*)(?:[ \\t]+([a-z][a-z0-9-]*))?")

// codeSpan is an inline code span of Markdown and of Go doc comments.
var codeSpan = regexp.MustCompile("`[^`\n]+`")

// commandMentions scans the guides and the guest SDK's comments under
// root for mentions of warden commands in code.
func commandMentions(root string) ([]mention, error) {
	var out []mention
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		return nil, err
	}
	for _, f := range append(docs, filepath.Join(root, "README.md")) {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		rel, _ := filepath.Rel(root, f)
		out = append(out, markdownMentions(rel, string(b))...)
	}
	err = filepath.WalkDir(filepath.Join(root, "sdk"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		ms, err := goCommentMentions(rel, path)
		out = append(out, ms...)
		return err
	})
	return out, err
}

// markdownMentions returns the mentions in the code blocks and code spans
// of a Markdown document.
func markdownMentions(name, text string) []mention {
	var out []mention
	inBlock := false
	for i, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inBlock = !inBlock
			continue
		}
		where := fmt.Sprintf("%s:%d", name, i+1)
		if strings.Contains(line, "not built") {
			continue
		}
		if inBlock {
			out = append(out, lineMentions(where, line)...)
			continue
		}
		for _, span := range codeSpan.FindAllString(line, -1) {
			out = append(out, lineMentions(where, span)...)
		}
	}
	return out
}

// goCommentMentions returns the mentions in the code spans and indented
// code blocks of the comments of a Go file.
func goCommentMentions(name, path string) ([]mention, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	var out []mention
	for _, group := range f.Comments {
		for _, c := range group.List {
			line := fset.Position(c.Pos()).Line
			for i, text := range strings.Split(c.Text, "\n") {
				text = strings.TrimPrefix(strings.TrimPrefix(text, "//"), "/*")
				where := fmt.Sprintf("%s:%d", name, line+i)
				if strings.HasPrefix(text, "\t") || strings.HasPrefix(text, "   ") {
					out = append(out, lineMentions(where, text)...) // a code block
					continue
				}
				for _, span := range codeSpan.FindAllString(text, -1) {
					out = append(out, lineMentions(where, span)...)
				}
			}
		}
	}
	return out, nil
}

// lineMentions returns the mentions in one piece of code.
func lineMentions(where, code string) []mention {
	var out []mention
	for _, m := range wardenCommand.FindAllStringSubmatch(code, -1) {
		words := []string{m[1]}
		if m[2] != "" {
			words = append(words, m[2])
		}
		out = append(out, mention{where: where, words: words})
	}
	return out
}
