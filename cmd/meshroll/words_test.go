package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/meshroll/meshroll/internal/scaffold"
	"github.com/meshroll/meshroll/lint"
	"github.com/meshroll/meshroll/schema"
)

// internalWords are words of the project's own history, not of the product:
// a user never saw the documents the project started from, nor knows whose
// practice is meant.
var internalWords = regexp.MustCompile(`(?i)\bseeds?'?\b|the team's practice`)

// TestProductWords checks the text users read — every command's help and
// flags, every rule's documentation, the schema meshroll schema prints, the
// files meshroll init writes, docs/rules.md and the README — for words of
// the project's own history.
func TestProductWords(t *testing.T) {
	texts := map[string]string{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		texts["help of "+c.CommandPath()] = c.Short + "\n" + c.Long + "\n" + c.Example
		c.Flags().VisitAll(func(f *pflag.Flag) { texts["flag --"+f.Name+" of "+c.CommandPath()] = f.Usage })
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRootCmd(&app{getenv: func(string) string { return "" }}))
	for _, r := range lint.All() {
		texts["rule "+r.ID] = strings.Join([]string{r.Summary, r.Doc, r.Anchor, r.Bad, r.Good}, "\n")
	}
	texts["schema/intent.cue"] = string(schema.Source)
	files, err := scaffold.Files(scaffold.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		texts["meshroll init: "+f.Path] = string(f.Content)
	}
	for _, p := range []string{"../../docs/rules.md", "../../README.md"} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		texts[p] = string(b)
	}
	for where, text := range texts {
		if m := internalWords.FindString(text); m != "" {
			t.Errorf("%s says %q: use product words", where, m)
		}
	}
}
