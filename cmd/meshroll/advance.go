package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/meshroll/meshroll/edit"
	"github.com/meshroll/meshroll/render"
	"github.com/meshroll/meshroll/schema"
)

type phaseOptions struct {
	src    intentSource
	force  bool
	dryRun bool
	out    string
	// now is the hidden --now flag: the time the command runs at, so that
	// tests and reproducible scripts do not depend on the clock.
	now string
}

func (o *phaseOptions) flags(cmd *cobra.Command) {
	o.src.register(cmd, true)
	cmd.Flags().BoolVar(&o.dryRun, "dry-run", false, "print the diff of the intent files and write nothing (not even --out)")
	cmd.Flags().StringVar(&o.out, "out", "", "re-render the live phases into `DIR` afterwards, as meshroll render --out DIR")
	cmd.Flags().StringVar(&o.now, "now", "", "the current time (RFC 3339), instead of the clock")
	_ = cmd.Flags().MarkHidden("now")
}

// clock returns the time the command runs at: UTC, whole seconds, as since
// is written.
func (o *phaseOptions) clock() (time.Time, error) {
	if o.now == "" {
		return time.Now().UTC().Truncate(time.Second), nil
	}
	t, err := time.Parse(time.RFC3339, o.now)
	if err != nil {
		return time.Time{}, usageErrorf("--now %q is not an RFC 3339 time such as 2026-11-22T09:30:00Z", o.now)
	}
	return t.UTC().Truncate(time.Second), nil
}

func newAdvanceCmd(a *app) *cobra.Command {
	var o phaseOptions
	cmd := &cobra.Command{
		Use:   "advance ROLLOUT",
		Short: "Move a rollout to the next phase of its ladder",
		Long: `Advance moves a rollout to the next phase of its ladder. It edits the
rollout's phase and since fields in its intent file in place (since becomes
now, in UTC) and leaves every other byte of the file, its formatting and its
comments, as it was. From rollback it moves to the first phase. ROLLOUT is a
rollout name, or namespace/name when the name is ambiguous.

Advance refuses, with exit status 1, while the live phase's hold has not
passed since since, when the live phase holds but since is not set, and at
the last phase; --force overrides a hold. An unknown rollout, invalid intent,
or a phase meshroll cannot edit in place (a reference, a default, a
definition) is exit status 2. Nothing is written on a refusal or an error.

--dry-run prints the diff of the intent file and writes nothing. --out DIR
renders the live phases into DIR afterwards, as meshroll render does.`,
		Example: `  meshroll advance reviews
  meshroll advance bookinfo/reviews --intents intents --dry-run
  meshroll advance reviews --out rendered`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return changePhase(a, &o, args[0], true)
		},
	}
	o.flags(cmd)
	cmd.Flags().BoolVar(&o.force, "force", false, "advance even though the live phase's hold has not passed or cannot be checked")
	return cmd
}

func newRollbackCmd(a *app) *cobra.Command {
	var o phaseOptions
	cmd := &cobra.Command{
		Use:   "rollback ROLLOUT",
		Short: "Send all of a rollout's traffic back to stable",
		Long: `Rollback sets a rollout's phase to rollback, which sends every request to
stable, without waiting for any hold. It edits the rollout's phase and since
fields in its intent file in place (since becomes now, in UTC) and leaves
every other byte of the file as it was. A rollout already rolled back is left
alone, with exit status 0. meshroll advance later restarts the ladder at its
first phase.

--dry-run prints the diff of the intent file and writes nothing. --out DIR
renders the live phases into DIR afterwards, as meshroll render does.`,
		Example: `  meshroll rollback reviews
  meshroll rollback reviews --out rendered`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return changePhase(a, &o, args[0], false)
		},
	}
	o.flags(cmd)
	return cmd
}

// changePhase advances or rolls back the rollout ref, then prints what
// changed and re-renders when asked.
func changePhase(a *app, o *phaseOptions, ref string, advance bool) error {
	now, err := o.clock()
	if err != nil {
		return err
	}
	paths, err := o.src.paths(nil)
	if err != nil {
		return err
	}
	in, err := schema.Load(paths)
	if err != nil {
		return err
	}
	r, err := in.Find(ref)
	if err != nil {
		return err
	}
	to := schema.PhaseRollback
	var hold *edit.Refusal
	if advance {
		// The step is computed as if forced, so that an intent meshroll
		// cannot edit is reported before a hold that has not passed.
		st, err := edit.Next(r, now, true)
		var refusal *edit.Refusal
		if errors.As(err, &refusal) {
			return &exitError{code: 1, err: refusal}
		}
		if err != nil {
			return err
		}
		to, hold = st.To, st.Refusal
	} else if r.Phase == schema.PhaseRollback {
		since := ""
		if !r.Since.IsZero() {
			since = " since " + r.Since.UTC().Format(time.RFC3339)
		}
		if !a.quiet {
			fmt.Fprintf(a.stdout, "%s is already rolled back%s; nothing to do\n", r.Name, since)
		}
		return nil
	}
	e, err := edit.SetPhase(r, to, now)
	if err != nil {
		return err
	}
	if hold != nil {
		if !o.force {
			return &exitError{code: 1, err: fmt.Errorf("%s; pass --force to advance anyway", hold.Msg)}
		}
		fmt.Fprintf(a.stderr, "meshroll: --force: %s\n", hold.Msg)
	}
	if o.dryRun {
		a.stdout.Write(e.Diff())
	} else if err := e.Apply(); err != nil {
		return err
	}
	summary, err := stepSummary(r, to)
	if err != nil {
		return err
	}
	if o.dryRun {
		fmt.Fprintln(a.stdout, summary)
		fmt.Fprintln(a.stdout, "dry run: nothing written")
		return nil
	}
	if !a.quiet {
		fmt.Fprintln(a.stdout, summary)
		for _, f := range e.Files {
			fmt.Fprintf(a.stdout, "updated  %s\n", f.Path)
		}
	}
	if o.out != "" {
		return renderTree(a, paths, o.out, render.Live, a.quiet)
	}
	return nil
}

// stepSummary describes the move of r to phase to:
// "reviews: canary → expand (stable 75%, canary 25%); next hold 2h".
func stepSummary(r *schema.Rollout, to string) (string, error) {
	stable, canary, err := render.Weights(r, to)
	if err != nil {
		return "", err
	}
	s := fmt.Sprintf("%s: %s → %s (stable %d%%, canary %d%%)", r.Name, r.Phase, to, stable, canary)
	p, ok := r.PhaseNamed(to)
	switch {
	case !ok:
		s += "; advance restarts at " + r.Phases[0].Name
	case p.Hold > 0:
		s += "; next hold " + edit.FormatDuration(p.Hold)
	case p.Name == r.Phases[len(r.Phases)-1].Name:
		s += "; the last phase"
	default:
		s += "; no hold"
	}
	return s, nil
}
