package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/meshroll/meshroll/edit"
	"github.com/meshroll/meshroll/gate"
	"github.com/meshroll/meshroll/schema"
	"github.com/meshroll/meshroll/shift"
)

func newPromoteCmd(a *app) *cobra.Command {
	var o metricOptions
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "promote [ROLLOUT...]",
		Short: "Advance or roll back rollouts on their metrics: the step a scheduled CI job runs",
		Long: `Promote gates each rollout that has a canary and an analysis (all of them,
or those named) on its metrics in Prometheus, as meshroll gate does, and
decides:

  fail                       rollback: the phase becomes rollback, and the
                             failing metrics are recorded as the reason
  pass, and the hold passed  advance to the next phase
  pass, hold not passed      wait
  no-data                    wait (in a phase that sends the canary no
                             weighted traffic, such as start, there is
                             nothing to measure yet: the hold decides)

A rollout at the last phase, rolled back, without a canary or without an
analysis is left alone. The decisions are printed (-o json for data, -o
markdown for the body of the pull request they feed), and the intent files
are edited in place as meshroll advance and rollback edit them: commit them,
render, and open a pull request, as the example workflow does.

Every rollout is gated before anything is written: when Prometheus cannot
answer, nothing is written, and the exit status is 2. Otherwise it is 0,
whatever the decisions. --dry-run prints the decisions and writes nothing.`,
		Example: `  meshroll promote --prometheus http://prometheus.monitoring:9090
  meshroll promote reviews -o markdown > body.md
  meshroll promote --dry-run -o json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, now, paths, in, err := o.prepare(a)
			if err != nil {
				return err
			}
			rs := in.Rollouts
			if len(args) > 0 {
				if rs, err = findRollouts(in, args); err != nil {
					return err
				}
			}
			// Gate every rollout first: a Prometheus that cannot answer
			// stops the run before anything is written.
			var ds []gate.Decision
			for _, r := range rs {
				if !gate.Gated(r) {
					ds = append(ds, gate.Skip(r))
					continue
				}
				res, err := c.Evaluate(cmd.Context(), r, now)
				if err != nil {
					return gateError(err)
				}
				ds = append(ds, gate.Decide(r, res, now))
			}
			// Every edit is computed and proved before any is written.
			for _, d := range ds {
				if d.Action == gate.Advance || d.Action == gate.Rollback {
					if _, err := promoteEdit(d.Rollout, d, now); err != nil {
						return fmt.Errorf("%w\nnothing was written", err)
					}
				}
			}
			var updated []string
			if !dryRun {
				if updated, err = applyDecisions(a, &o.src, paths, ds, now); err != nil {
					return err
				}
			}
			if err := gate.WriteDecisions(a.stdout, o.output, ds); err != nil {
				return err
			}
			if o.output == "text" {
				for _, f := range updated {
					fmt.Fprintf(a.stdout, "updated  %s\n", f)
				}
				if dryRun {
					fmt.Fprintln(a.stdout, "dry run: nothing written")
				}
			}
			return nil
		},
	}
	o.flags(cmd)
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "print the decisions and write nothing")
	return cmd
}

// promoteEdit computes the edit of decision d on rollout r: an advance drops
// the reason of the move before, a rollback records why.
func promoteEdit(r *schema.Rollout, d gate.Decision, now time.Time) (edit.Edit, error) {
	reason := ""
	if d.Action == gate.Rollback {
		reason = d.Reason
	}
	return edit.Move(r, d.To, now, reason)
}

// applyDecisions writes the edits one rollout at a time, reloading the
// intents between them, since several rollouts may share a file. Each edit
// is made under the lock advance takes, on the intent as it is once the
// lock is held. It returns the files written, in order, each once.
func applyDecisions(a *app, src *intentSource, paths []string, ds []gate.Decision, now time.Time) ([]string, error) {
	var updated []string
	seen := map[string]bool{}
	for _, d := range ds {
		if d.Action != gate.Advance && d.Action != gate.Rollback {
			continue
		}
		e, err := shift.Locked(d.Rollout.File, waitingFor(a), func() (edit.Edit, error) {
			in, err := src.load(paths)
			if err != nil {
				return edit.Edit{}, err
			}
			r, err := in.Find(d.Rollout.ID())
			if err != nil {
				return edit.Edit{}, err
			}
			e, err := promoteEdit(r, d, now)
			if err != nil {
				return edit.Edit{}, err
			}
			return e, e.Apply()
		})
		if err != nil {
			return updated, err
		}
		for _, f := range e.Files {
			if !seen[f.Path] {
				seen[f.Path] = true
				updated = append(updated, f.Path)
			}
		}
	}
	return updated, nil
}
