package review

import (
	"fmt"
	"strings"
	"time"

	"github.com/meshroll/meshroll/diff"
	"github.com/meshroll/meshroll/schema"
)

// Change is what a change does to one rollout present on both sides.
type Change struct {
	diff.Progress
	// Pos is the work side's phase field (or the rollout when it has
	// none): where a finding about the move goes.
	Pos schema.Pos
	// Rollout is the work side's rollout.
	Rollout *schema.Rollout
}

// Compare compares each rollout of work with the same rollout (by
// namespace and name) of base. now is when the check runs: a move whose
// new since is unset, unchanged or in the future is judged as made now.
// Rollouts new in work, or gone from it, have no progress to judge. The
// result is in work's order and holds a Change for every rollout on both
// sides, even one that tells nothing.
func Compare(base, work *schema.Intent, now time.Time) []Change {
	byID := map[string]*schema.Rollout{}
	for _, r := range base.Rollouts {
		byID[r.ID()] = r
	}
	var out []Change
	for _, w := range work.Rollouts {
		b := byID[w.ID()]
		if b == nil {
			continue
		}
		c := Change{Progress: diff.Progress{Rollout: w.ID(), Ladder: Ladder(b.Phases, w.Phases)}, Pos: w.Pos("phase"), Rollout: w}
		c.Move = move(b, w, now)
		out = append(out, c)
	}
	return out
}

// Progress returns the diff.Progress of each change.
func Progress(cs []Change) []diff.Progress {
	out := make([]diff.Progress, len(cs))
	for i, c := range cs {
		out[i] = c.Progress
	}
	return out
}

// forced reports whether w records a reason of its own: set, and not the
// one base already had.
func forced(b, w *schema.Rollout) bool { return w.Reason != "" && w.Reason != b.Reason }

// move judges the change of the live phase from b to w; nil when there is
// none, and since did not move back either.
func move(b, w *schema.Rollout, now time.Time) *diff.Move {
	m := &diff.Move{From: b.Phase, To: w.Phase}
	if forced(b, w) {
		m.Reason = w.Reason
	}
	if b.Phase == w.Phase {
		// A since moved back without a move makes a hold look passed.
		if !m.Forced() && !w.Since.IsZero() && (b.Since.IsZero() || w.Since.Before(b.Since)) {
			was := "unset"
			if !b.Since.IsZero() {
				was = stamp(b.Since)
			}
			if p, ok := w.PhaseNamed(w.Phase); ok && p.Hold > 0 {
				m.Problem = fmt.Sprintf("rollout %s stays at %s, but its since moved from %s to %s, which shortens what is left of the %s hold; since records when the phase began: put it back, or record why in the rollout's reason", w.Name, w.Phase, was, stamp(w.Since), fmtDur(p.Hold))
				return m
			}
		}
		if m.Forced() {
			return m
		}
		return nil
	}
	if m.Forced() {
		return m
	}
	m.Problem = problem(b, w, now)
	return m
}

// problem says why the move from b's phase to w's breaks the ladder, or
// returns "".
func problem(b, w *schema.Rollout, now time.Time) string {
	if w.Phase == schema.PhaseRollback {
		return "" // back to stable is always allowed
	}
	// Steps are counted on the new ladder when it has both phases, else on
	// the old one; rollback stands before the first phase.
	from, to, ok := index(w.Phases, b.Phase), index(w.Phases, w.Phase), true
	ladder := w.Phases
	if from == -2 || to == -2 {
		from, to, ladder = index(b.Phases, b.Phase), index(b.Phases, w.Phase), b.Phases
		ok = from != -2 && to != -2
	}
	fix := "advance one phase at a time once each hold has passed (meshroll advance), or record why in the rollout's reason (meshroll advance --force --reason TEXT)"
	if !ok {
		return fmt.Sprintf("rollout %s moved from %s to %s, and the ladder changed so that no one ladder has both phases, so how far it moved cannot be told; %s", w.Name, b.Phase, w.Phase, fix)
	}
	steps := to - from
	if steps <= 0 {
		return "" // backwards: less traffic to the canary
	}
	var msgs []string
	if steps > 1 {
		var skipped []string
		for _, p := range ladder[from+1 : to] {
			s := p.Name
			if p.Hold > 0 {
				s += " (hold " + fmtDur(p.Hold) + ")"
			}
			skipped = append(skipped, s)
		}
		msgs = append(msgs, fmt.Sprintf("moved %d steps forward, from %s to %s, skipping %s", steps, b.Phase, w.Phase, strings.Join(skipped, ", ")))
	}
	if h := holdOf(b, b.Phase); h > 0 {
		end := now
		if !w.Since.IsZero() && w.Since.After(b.Since) && w.Since.Before(now) {
			end = w.Since
		}
		switch {
		case b.Since.IsZero():
			msgs = append(msgs, fmt.Sprintf("left %s, whose hold is %s, but its since is not set at the base, so the hold cannot be checked", b.Phase, fmtDur(h)))
		case end.Sub(b.Since) < h:
			msgs = append(msgs, fmt.Sprintf("left %s %s into its %s hold (since %s; the hold ends at %s)", b.Phase, fmtDur(end.Sub(b.Since)), fmtDur(h), stamp(b.Since), stamp(b.Since.Add(h))))
		}
	}
	if len(msgs) == 0 {
		return ""
	}
	return fmt.Sprintf("rollout %s %s; %s", w.Name, strings.Join(msgs, ", and "), fix)
}

// index returns the place of phase in ladder: -1 for rollback, -2 when the
// ladder does not have it.
func index(ladder []schema.Phase, phase string) int {
	if phase == schema.PhaseRollback {
		return -1
	}
	for i, p := range ladder {
		if p.Name == phase {
			return i
		}
	}
	return -2
}

// holdOf returns the hold of phase in r's ladder: the hold in force while r
// was there.
func holdOf(r *schema.Rollout, phase string) time.Duration {
	p, _ := r.PhaseNamed(phase)
	return p.Hold
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
