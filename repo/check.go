package repo

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/meshroll/meshroll/internal/input"
	"github.com/meshroll/meshroll/internal/tree"
	"github.com/meshroll/meshroll/lint"
	"github.com/meshroll/meshroll/lint/intent"
	"github.com/meshroll/meshroll/render"
	"github.com/meshroll/meshroll/schema"
)

// CheckOptions are what a check compares and judges.
type CheckOptions struct {
	// Intents are the intent files and directories; Exclude leaves out
	// what it matches.
	Intents []string
	Exclude *input.Exclude
	// Out is the rendered tree on disk, and Mode how it was rendered.
	Out  string
	Mode render.Mode
	// Lint are the rules and settings the rendering is linted with.
	Lint lint.Options
	// Base, when set, is the intent at a base revision: each rollout's
	// move since is judged at Now (MR602).
	Base *schema.Intent
	Now  time.Time
	// Tree reports waits for the tree's lock and problems with it.
	Tree tree.Options
}

// CheckResult is what a check found: the differences between the tree on
// disk and the intent's rendering, and the lint report.
type CheckResult struct {
	// Changes are the files a render would create, update or remove.
	Changes []tree.Change
	// Interrupted is set when an interrupted render left the tree
	// half-written.
	Interrupted bool
	Report      *lint.Report
	// Rollouts is how many rollouts the intents hold.
	Rollouts int
}

// Stale reports whether the tree is out of date with the intent.
func (r *CheckResult) Stale() bool { return len(r.Changes) > 0 || r.Interrupted }

// Check renders the intents in memory, compares the result with the tree
// in o.Out, byte for byte, and lints the rendering with positions in the
// intent, as meshroll check does. The caller has checked o.Out with
// CheckOut.
func Check(o CheckOptions) (*CheckResult, error) {
	in, err := Load(o.Intents, o.Exclude)
	if err != nil {
		return nil, err
	}
	files, err := render.Tree(in, o.Mode)
	if err != nil {
		return nil, err
	}
	res := &CheckResult{Rollouts: len(in.Rollouts)}
	if o.Tree.Header == "" {
		o.Tree.Header = render.Header
	}
	res.Changes, err = tree.Diff(o.Out, TreeFiles(files), o.Tree)
	switch {
	case errors.Is(err, tree.ErrInterrupted):
		res.Interrupted = true
	case err != nil:
		return nil, err
	}
	// Findings moved to the intent keep the line of out's rendered file
	// as their origin.
	res.Report, err = intent.LintChange(in, o.Base, o.Now, files, o.Mode, o.Lint, o.Out)
	if err != nil {
		return nil, err
	}
	return res, nil
}

// TreeFiles converts rendered files into the files of a tree write.
func TreeFiles(files []render.File) []tree.File {
	out := make([]tree.File, len(files))
	for i, f := range files {
		out[i] = tree.File{Path: f.Path, Content: f.Content}
	}
	return out
}

// WriteStale lists what is stale in the tree out, with fix, the command
// that brings it up to date, and reports whether anything is; quiet says
// nothing of a tree that is up to date.
func WriteStale(w io.Writer, res *CheckResult, out, fix string, quiet bool) bool {
	if !res.Stale() {
		if !quiet {
			fmt.Fprintf(w, "%s is up to date with the intent\n", out)
		}
		return false
	}
	if res.Interrupted {
		fmt.Fprintf(w, "%s: an interrupted render left it half-written\n", out)
	}
	for _, c := range res.Changes {
		fmt.Fprintf(w, "%s/%s: %s\n", out, c.Path, StaleReason(c.Op))
	}
	files := "1 file"
	if len(res.Changes) != 1 {
		files = fmt.Sprintf("%d files", len(res.Changes))
	}
	fmt.Fprintf(w, "%s is out of date with the intent (%s); run: %s\n", out, files, fix)
	return true
}

// StaleReason says in words why a changed file is stale.
func StaleReason(op tree.Op) string {
	return map[tree.Op]string{
		tree.Create: "missing: the intent renders it, the tree lacks it",
		tree.Update: "stale: it differs from what the intent renders",
		tree.Delete: "orphaned: generated, but the intent no longer renders it",
	}[op]
}
