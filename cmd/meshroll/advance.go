package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/meshroll/meshroll/render"
	"github.com/meshroll/meshroll/schema"
	"github.com/meshroll/meshroll/shift"
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

// changePhase advances or rolls back the rollout ref through package
// shift (which edits under the lock of the intent file's directory, on the
// intent as it is once the lock is held), then prints what changed and
// re-renders when asked.
func changePhase(a *app, o *phaseOptions, ref string, advance bool) error {
	if err := shift.CheckReason(o.force, o.reason); err != nil {
		return reasonError(err)
	}
	now, err := o.clock()
	if err != nil {
		return err
	}
	paths, err := o.src.paths(nil)
	if err != nil {
		return err
	}
	to := ""
	if !advance {
		to = schema.PhaseRollback
	}
	res, err := shift.Change(shift.Options{
		Rollout: ref,
		To:      to,
		Force:   o.force,
		Reason:  o.reason,
		DryRun:  o.dryRun,
		Now:     now,
		Load:    func() (*schema.Intent, error) { return o.src.load(paths) },
		Waiting: waitingFor(a),
	})
	var refused *shift.Refused
	switch {
	case errors.As(err, &refused) && refused.Forcible:
		return &exitError{code: 1, err: fmt.Errorf("%s; pass --force --reason TEXT to advance anyway", refused.Msg)}
	case errors.As(err, &refused):
		return &exitError{code: 1, err: refused}
	case err != nil:
		return reasonError(err)
	}
	if res.Unchanged != "" {
		if !a.quiet {
			fmt.Fprintln(a.stdout, res.Unchanged)
		}
		return nil
	}
	if res.Forced != nil {
		fmt.Fprintf(a.stderr, "meshroll: --force: %s\n", res.Forced.Msg)
	}
	if o.dryRun {
		a.stdout.Write(res.Edit.Diff())
		fmt.Fprintln(a.stdout, res.Summary)
		fmt.Fprintln(a.stdout, "dry run: nothing written")
		return nil
	}
	if !a.quiet {
		fmt.Fprintln(a.stdout, res.Summary)
		for _, f := range res.Written {
			fmt.Fprintf(a.stdout, "updated  %s\n", f)
		}
	}
	if o.out != "" {
		return renderTree(a, &o.src, paths, o.out, render.Live, renderFlags{quiet: a.quiet})
	}
	return nil
}

// waitingFor says on standard error that another meshroll holds the lock
// of an intent file's directory.
func waitingFor(a *app) func(file string) {
	return func(file string) {
		fmt.Fprintf(a.stderr, "meshroll: waiting for another meshroll editing %s\n", file)
	}
}

// reasonError words a *shift.ReasonError in the flags' terms, as a misused
// command; other errors pass.
func reasonError(err error) error {
	var re *shift.ReasonError
	switch {
	case !errors.As(err, &re):
		return err
	case re.Missing:
		return usageErrorf("--force needs --reason TEXT: the reason is recorded in the intent next to since, so that reviewers see why the hold was cut short")
	}
	return usageErrorf("--reason: %v", re.Err)
}
