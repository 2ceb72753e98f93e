package report

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/meshroll/meshroll/lint"
)

// Reporter writes a report in one format.
type Reporter interface {
	Report(w io.Writer, r *lint.Report) error
}

// Options tune the reporters.
type Options struct {
	// Color makes the text format use ANSI colours; the caller decides
	// (a terminal, and no NO_COLOR in the environment).
	Color bool
	// Version is meshroll's version, for SARIF's tool description.
	Version string
	// Root is the repository root (absolute; "" for the working
	// directory): SARIF and GitHub annotations name files relative to it,
	// as code scanning and the pull request diff resolve them.
	Root string
	// Quiet drops the summary line of the text and github formats, leaving
	// the findings alone.
	Quiet bool
}

// formats maps each format's name to its constructor.
func formats() map[string]func(Options) Reporter {
	return map[string]func(Options) Reporter{
		"text":     func(o Options) Reporter { return text{color: o.Color, quiet: o.Quiet} },
		"json":     func(Options) Reporter { return jsonReporter{} },
		"sarif":    func(o Options) Reporter { return sarifReporter{version: o.Version, root: o.Root} },
		"github":   func(o Options) Reporter { return github{quiet: o.Quiet, root: o.Root} },
		"markdown": func(Options) Reporter { return markdown{} },
	}
}

// Formats returns the names of the formats, sorted.
func Formats() []string {
	var names []string
	for n := range formats() {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// New returns the reporter for a format name.
func New(format string, o Options) (Reporter, error) {
	f, ok := formats()[format]
	if !ok {
		return nil, fmt.Errorf("unknown output format %q (want one of %s)", format, strings.Join(Formats(), ", "))
	}
	return f(o), nil
}

// summary is the one-line count every human-readable format ends with.
func summary(r *lint.Report) string {
	return fmt.Sprintf("%s, %s, %s in %s (%s)",
		plural(r.Count(lint.Error), "error"), plural(r.Count(lint.Warning), "warning"), plural(r.Count(lint.Info), "info"),
		plural(r.Resources, "resource"), plural(r.Files, "file"))
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
