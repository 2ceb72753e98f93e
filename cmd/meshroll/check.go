package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/meshroll/meshroll/lint"
	"github.com/meshroll/meshroll/lint/report"
	"github.com/meshroll/meshroll/render"
	"github.com/meshroll/meshroll/repo"
	"github.com/meshroll/meshroll/schema"
)

type checkOptions struct {
	src       intentSource
	out       string
	allPhases bool
	output    string
	failOn    string
	// base is --base REF: judge each rollout's move since REF (MR602).
	base string
	// now is the hidden --now flag: when moves are judged.
	now   string
	istio string
}

func newCheckCmd(a *app) *cobra.Command {
	var o checkOptions
	cmd := &cobra.Command{
		Use:   "check [INTENTS...] [--out DIR]",
		Short: "Fail when the rendered tree is stale, then lint it",
		Long: `Check renders the intents in memory and compares the result with the rendered
tree in DIR, byte for byte, as a pre-commit hook or a CI job does. It fails
(exit status 1) when a generated file is stale (it differs from what the
intent renders to), missing, or orphaned (generated, but no longer produced),
lists them, and prints the one command that fixes them. Then it lints the
rendered tree — every finding reported at the intent line that produced it —
and runs the routing expectations of the intent (MR601), failing on findings
at or above --fail-on.

With --base REF (the branch a pull request merges into) it also compares
each rollout's live phase with the one at the git revision REF, and reports
(MR602, an error at the phase field) a move forward of more than one step,
or one made before the hold of the phase it left had passed — from since at
REF to the new since, or to now — unless the move records a reason
(meshroll advance --force --reason TEXT writes it).

The intents are --intents, else the intents entry of .meshroll.yaml, else the
arguments, else ./intents. When the intents come from --intents or the
configuration, arguments are ignored: pre-commit passes the names of the
files a commit changes. DIR is --out, else out in .meshroll.yaml. Lint
settings (failOn, disable, enable, severity, policies) and the Istio release
(istio, or --istio-version) come from .meshroll.yaml.`,
		Example: `  meshroll check fixtures/intents --out rendered
  meshroll check                       # intents and out from .meshroll.yaml
  meshroll check --all-phases --out review
  meshroll check -o github             # findings as GitHub annotations
  meshroll check --base origin/main    # and holds kept since main`,
		RunE: func(cmd *cobra.Command, args []string) error {
			configured, err := o.src.fromFlagOrConfig()
			if err != nil {
				return err
			}
			if configured {
				args = nil
			}
			paths, err := o.src.paths(args)
			if err != nil {
				return err
			}
			out, err := o.src.out(o.out)
			if err != nil {
				return err
			}
			cfg, err := o.src.configuration()
			if err != nil {
				return err
			}
			f := repo.LintFlags{Intents: paths, Output: o.output, FailOn: o.failOn, Istio: o.istio, Changed: cmd.Flags().Changed}
			lo, err := repo.ResolveLint(f, cfg)
			if err != nil {
				return err
			}
			rules, err := repo.LintRules(lo.Policies)
			if err != nil {
				return err
			}
			if err := repo.CheckRuleIDs(lo, rules); err != nil {
				return err
			}
			mode := render.Live
			if o.allPhases {
				mode = render.AllPhases
			}
			var base *schema.Intent
			now, err := clockAt(o.now)
			if err != nil {
				return err
			}
			if cmd.Flags().Changed("base") && o.base == "" {
				return usageErrorf("--base needs a revision, such as main or origin/main")
			}
			if o.base != "" {
				if base, err = loadBase(cmd, o.base, paths); err != nil {
					return revisionError(cmd, o.base, err)
				}
			}
			res, err := check(a, &o.src, paths, out, mode, lo.LintOptionsFor(rules), base, now)
			if err != nil {
				return err
			}
			// The staleness report is text; with a machine format on
			// standard output it goes to standard error.
			w := a.stdout
			if lo.Format != "text" {
				w = a.stderr
			}
			stale := repo.WriteStale(w, res, out, fixCommand(cmd, args, paths, out, o.allPhases), a.quiet)
			r, err := report.New(lo.Format, reportOptions(a))
			if err != nil {
				return err
			}
			if err := r.Report(a.stdout, res.Report); err != nil {
				return fmt.Errorf("writing the report: %w", err)
			}
			if stale || res.Report.Fails(lo.FailOn) {
				return errFindings
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&o.out, "out", "", "the rendered tree to check (default: out in .meshroll.yaml)")
	cmd.Flags().BoolVar(&o.allPhases, "all-phases", false, "the tree was rendered with --all-phases")
	cmd.Flags().StringVarP(&o.output, "output", "o", "text", "format of the lint findings: "+strings.Join(report.Formats(), ", "))
	cmd.Flags().StringVar(&o.failOn, "fail-on", "error", "exit 1 when a finding is at or above this severity: error, warning or info")
	cmd.Flags().StringVar(&o.base, "base", "", "git revision to judge each rollout's move of its live phase against (MR602)")
	cmd.Flags().StringVar(&o.now, "now", "", "the current time (RFC 3339), instead of the clock")
	_ = cmd.Flags().MarkHidden("now")
	cmd.Flags().StringVar(&o.istio, "istio-version", "", istioVersionUsage)
	o.src.register(cmd, true)
	return cmd
}

// loadBase loads the intents at the revision base. Intents paths that base
// does not have yet are new, with no move to judge: they are left out.
func loadBase(cmd *cobra.Command, base string, paths []string) (*schema.Intent, error) {
	return repo.LoadBase(cmd.Context(), base, paths)
}

// check compares the tree in out with the intents' rendering and lints
// the rendering, as package repo does; with base (the intent at a base
// revision), as a change of base judged at now.
func check(a *app, src *intentSource, paths []string, out string, mode render.Mode, opts lint.Options, base *schema.Intent, now time.Time) (*repo.CheckResult, error) {
	if err := src.checkOut(out, paths); err != nil {
		return nil, err
	}
	ex, err := src.excludes()
	if err != nil {
		return nil, err
	}
	return repo.Check(repo.CheckOptions{Intents: paths, Exclude: ex, Out: out, Mode: mode, Lint: opts, Base: base, Now: now, Tree: treeOptions(a, out)})
}

// fixCommand is the render command line that brings the tree up to date,
// naming what the check was given on its command line.
func fixCommand(cmd *cobra.Command, args, paths []string, out string, allPhases bool) string {
	fix := []string{"meshroll", "render"}
	switch {
	case cmd.Flags().Changed("intents"):
		fix = append(fix, "--intents", strings.Join(paths, ","))
	case len(args) > 0:
		fix = append(fix, args...)
	}
	if cmd.Flags().Changed("out") {
		fix = append(fix, "--out", out)
	}
	if cmd.Flags().Changed("config") {
		fix = append(fix, "--config", cmd.Flag("config").Value.String())
	}
	if allPhases {
		fix = append(fix, "--all-phases")
	}
	return shellJoin(fix...)
}
