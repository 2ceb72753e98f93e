package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/meshroll/meshroll/edit"
	"github.com/meshroll/meshroll/internal/input"
	"github.com/meshroll/meshroll/internal/lock"
	"github.com/meshroll/meshroll/render"
	"github.com/meshroll/meshroll/schema"
)

type phaseOptions struct {
	src    intentSource
	force  bool
	reason string
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
	cmd.Flags().StringVar(&o.reason, "reason", "", "why: recorded in the intent as the rollout's reason, next to since, for reviewers (required with --force)")
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
the last phase. --force overrides a hold and needs --reason TEXT, which is
recorded in the intent as the rollout's reason, next to since: the pull
request shows it, and meshroll check --base accepts the move because of it.
A plain advance removes the reason of the move before. An unknown rollout, invalid intent,
or a phase meshroll cannot edit in place (a reference, a default, a
definition) is exit status 2. Nothing is written on a refusal or an error.

--dry-run prints the diff of the intent file and writes nothing. --out DIR
renders the live phases into DIR afterwards, as meshroll render does.`,
		Example: `  meshroll advance reviews
  meshroll advance reviews --force --reason "hotfix for INC-42, approved by on-call"
  meshroll advance bookinfo/reviews --intents intents --dry-run
  meshroll advance reviews --out rendered`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return changePhase(a, &o, args[0], true)
		},
	}
	o.flags(cmd)
	cmd.Flags().BoolVar(&o.force, "force", false, "advance even though the live phase's hold has not passed or cannot be checked (needs --reason)")
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
every other byte of the file as it was. --reason TEXT records why, as the
rollout's reason next to since, for the pull request. A rollout already rolled back is left
alone, with exit status 0. meshroll advance later restarts the ladder at its
first phase.

--dry-run prints the diff of the intent file and writes nothing. --out DIR
renders the live phases into DIR afterwards, as meshroll render does.`,
		Example: `  meshroll rollback reviews --reason "5xx on checkout since 10:02"
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
// changed and re-renders when asked. The edit is made under an exclusive
// lock on the intent file's directory, on the intent as it is once the lock
// is held, so that two runs at once take turns: the second sees the first's
// edit (and its hold), and no edit is lost.
func changePhase(a *app, o *phaseOptions, ref string, advance bool) error {
	if err := o.checkReason(); err != nil {
		return err
	}
	now, err := o.clock()
	if err != nil {
		return err
	}
	paths, err := o.src.paths(nil)
	if err != nil {
		return err
	}
	in, err := o.src.load(paths)
	if err != nil {
		return err
	}
	r, err := in.Find(ref)
	if err != nil {
		return err
	}
	if !o.dryRun {
		lk, err := lockIntent(a, r.File)
		if err != nil {
			return err
		}
		defer lk.Unlock()
		// Read again what the edit is based on, now that no one else
		// writes it.
		if in, err = o.src.load(paths); err != nil {
			return err
		}
		if r, err = in.Find(ref); err != nil {
			return err
		}
	}
	changed, err := stepPhase(a, o, r, now, advance)
	if err != nil || !changed {
		return err
	}
	if o.out != "" && !o.dryRun {
		return renderTree(a, &o.src, paths, o.out, render.Live, renderFlags{quiet: a.quiet})
	}
	return nil
}

// lockIntent takes the lock under which intent files are edited: on the
// directory of the file, exclusive.
func lockIntent(a *app, file string) (*lock.Lock, error) {
	dir := filepath.Dir(input.ResolveExisting(file))
	return lock.Dir(dir, lock.Exclusive, 0, func() {
		fmt.Fprintf(a.stderr, "meshroll: waiting for another meshroll editing %s\n", file)
	})
}

// lockedEdit runs f, which reads the intent and edits it, under the lock of
// file's directory.
func lockedEdit(a *app, file string, f func() (edit.Edit, error)) (edit.Edit, error) {
	lk, err := lockIntent(a, file)
	if err != nil {
		return edit.Edit{}, err
	}
	defer lk.Unlock()
	return f()
}

// stepPhase makes the edit of one advance or rollback of r and prints it;
// changed is false when there was nothing to do.
func stepPhase(a *app, o *phaseOptions, r *schema.Rollout, now time.Time, advance bool) (changed bool, err error) {
	to := schema.PhaseRollback
	var hold *edit.Refusal
	if advance {
		// The step is computed as if forced, so that an intent meshroll
		// cannot edit is reported before a hold that has not passed.
		st, err := edit.Next(r, now, true)
		var refusal *edit.Refusal
		if errors.As(err, &refusal) {
			return false, &exitError{code: 1, err: refusal}
		}
		if err != nil {
			return false, err
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
		return false, nil
	}
	e, err := edit.Move(r, to, now, o.reason)
	if err != nil {
		return false, err
	}
	if hold != nil {
		if !o.force {
			return false, &exitError{code: 1, err: fmt.Errorf("%s; pass --force --reason TEXT to advance anyway", hold.Msg)}
		}
		fmt.Fprintf(a.stderr, "meshroll: --force: %s\n", hold.Msg)
	}
	if o.dryRun {
		a.stdout.Write(e.Diff())
	} else if err := e.Apply(); err != nil {
		return false, err
	}
	summary, err := stepSummary(r, to)
	if err != nil {
		return false, err
	}
	if o.dryRun {
		fmt.Fprintln(a.stdout, summary)
		fmt.Fprintln(a.stdout, "dry run: nothing written")
		return false, nil
	}
	if !a.quiet {
		fmt.Fprintln(a.stdout, summary)
		for _, f := range e.Files {
			fmt.Fprintf(a.stdout, "updated  %s\n", f.Path)
		}
	}
	return true, nil
}

// checkReason refuses --force without --reason, and a reason the intent
// could not hold.
func (o *phaseOptions) checkReason() error {
	if o.force && o.reason == "" {
		return usageErrorf("--force needs --reason TEXT: the reason is recorded in the intent next to since, so that reviewers see why the hold was cut short")
	}
	if o.reason != "" {
		if err := edit.CheckReason(o.reason); err != nil {
			return usageErrorf("--reason: %v", err)
		}
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
