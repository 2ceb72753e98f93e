package diff

import (
	"cmp"
	"slices"
	"strings"
)

// Progress is what a change does to one rollout's phase ladder and live
// phase, read from the intents on both sides (meshroll diff --base): the
// ladder's phases added, removed, renamed, reweighted or held differently,
// and a move of the live phase that was forced (it records a reason) or that
// skips a step or cuts a hold short without one. The rendered manifests do
// not carry the ladder, so Files cannot tell it; the caller that has the
// intents fills Result.Progress.
type Progress struct {
	// Rollout is namespace/name.
	Rollout string
	// Move is the change of the live phase when it is forced or breaks the
	// ladder's holds; nil otherwise.
	Move *Move
	// Ladder lists the changes of the ladder, in the order of the new one.
	Ladder []LadderChange
}

// Move is a change of a rollout's live phase.
type Move struct {
	From, To string
	// Reason is why the move was made out of the ordinary, as recorded in
	// the intent with it; "" when none was.
	Reason string
	// Problem says why the move does not keep the ladder: it skips a phase
	// or leaves one before its hold has passed, without a reason. "" when
	// the move keeps the ladder or records a reason.
	Problem string
}

// phaseRollback is the phase every rollout has: all traffic to stable.
const phaseRollback = "rollback"

// Forced reports whether the move records a reason and is not a rollback,
// which needs none.
func (m *Move) Forced() bool { return m != nil && m.Reason != "" && m.To != phaseRollback }

// The kinds of ladder change.
const (
	LadderAdded   = "added"
	LadderRemoved = "removed"
	LadderRenamed = "renamed"
	LadderWeight  = "weight"
	LadderHold    = "hold"
	LadderOrder   = "order"
)

// LadderChange is one change of a phase ladder.
type LadderChange struct {
	// Kind is LadderAdded, LadderRemoved, LadderRenamed, LadderWeight,
	// LadderHold or LadderOrder.
	Kind string
	// Phase names the phase: as it is after the change, or before when it
	// was removed; "" for LadderOrder.
	Phase string
	// Before and After are the old and new value: the name (renamed), the
	// canary weight in percent (weight), the hold (hold, "none" without
	// one), the phase as "10%, hold 1h" (added, removed), the phase names
	// in order (order).
	Before, After string
}

// Text describes the change in words: "phase soak added (canary 5%, hold
// 30m)", "phase expand: hold 2h → 1h".
func (c LadderChange) Text() string {
	switch c.Kind {
	case LadderAdded:
		return "phase " + c.Phase + " added (canary " + c.After + ")"
	case LadderRemoved:
		return "phase " + c.Phase + " removed (was canary " + c.Before + ")"
	case LadderRenamed:
		return "phase " + c.Before + " renamed " + c.Phase
	case LadderWeight:
		return "phase " + c.Phase + ": canary " + c.Before + " → " + c.After
	case LadderHold:
		return "phase " + c.Phase + ": hold " + c.Before + " → " + c.After
	case LadderOrder:
		return "phases reordered: " + c.Before + " → " + c.After
	}
	return c.Kind + " " + c.Phase
}

// Lines describes p in lines of text, the move first — "✗ " and why it
// breaks the ladder, "forced canary → half: hotfix", "rolled back from
// half: 5xx" — then one line per ladder change.
func (p *Progress) Lines() []string {
	var out []string
	if m := p.Move; m != nil {
		if m.Problem != "" {
			out = append(out, "✗ "+m.Problem)
		}
		switch {
		case m.Reason != "" && m.To == phaseRollback:
			out = append(out, "rolled back from "+m.From+": "+m.Reason)
		case m.Reason != "":
			out = append(out, "forced "+m.From+" → "+m.To+": "+m.Reason)
		}
	}
	for _, c := range p.Ladder {
		out = append(out, "ladder: "+c.Text())
	}
	return out
}

// SetProgress sets r.Progress to ps, sorted by rollout, leaving out those
// that tell nothing.
func (r *Result) SetProgress(ps []Progress) {
	r.Progress = nil
	for _, p := range ps {
		if len(p.Ladder) == 0 && (p.Move == nil || p.Move.Reason == "" && p.Move.Problem == "") {
			continue
		}
		r.Progress = append(r.Progress, p)
	}
	slices.SortStableFunc(r.Progress, func(a, b Progress) int { return cmp.Compare(a.Rollout, b.Rollout) })
}

// Problems returns the moves that break their ladder's holds.
func (r *Result) Problems() []Progress {
	var out []Progress
	for _, p := range r.Progress {
		if p.Move != nil && p.Move.Problem != "" {
			out = append(out, p)
		}
	}
	return out
}

// progressOf returns the progress of the rollout with ID id, or nil.
func (r *Result) progressOf(id string) *Progress {
	for i := range r.Progress {
		if r.Progress[i].Rollout == id {
			return &r.Progress[i]
		}
	}
	return nil
}

// progressOnly returns the progress of rollouts whose resources did not
// change: a ladder changed in phases the live one is not.
func (r *Result) progressOnly() []Progress {
	ids := map[string]bool{}
	for _, ro := range r.Rollouts {
		ids[ro.ID()] = true
	}
	var out []Progress
	for _, p := range r.Progress {
		if !ids[p.Rollout] {
			out = append(out, p)
		}
	}
	return out
}

// progressHeadline counts the ladders changed and the moves forced or
// refused: "ladder changed in 1 rollout, 1 move forced, 1 move breaks its
// ladder".
func (r *Result) progressHeadline() string {
	ladders, forced, rollbacks, problems := 0, 0, 0, 0
	for _, p := range r.Progress {
		if len(p.Ladder) > 0 {
			ladders++
		}
		if p.Move.Forced() {
			forced++
		}
		if p.Move != nil && p.Move.To == phaseRollback {
			rollbacks++
		}
		if p.Move != nil && p.Move.Problem != "" {
			problems++
		}
	}
	var parts []string
	if ladders > 0 {
		parts = append(parts, "ladder changed in "+plural(ladders, "rollout", "rollouts"))
	}
	if forced > 0 {
		parts = append(parts, plural(forced, "move", "moves")+" forced")
	}
	if rollbacks > 0 {
		parts = append(parts, plural(rollbacks, "rollback", "rollbacks"))
	}
	if problems > 0 {
		parts = append(parts, plural(problems, "move breaks its ladder", "moves break their ladders"))
	}
	return strings.Join(parts, ", ")
}
