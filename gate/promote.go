package gate

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/meshroll/meshroll/edit"
	"github.com/meshroll/meshroll/schema"
)

// The actions of meshroll promote.
const (
	Advance  = "advance"
	Rollback = "rollback"
	Wait     = "wait"
	None     = "none"
)

// Decision is what meshroll promote does with one rollout.
type Decision struct {
	Rollout *schema.Rollout
	// From is the live phase, To the phase after the decision (From when
	// the rollout stays).
	From, To string
	// Action is Advance, Rollback, Wait or None.
	Action string
	// Reason says why, in a sentence fragment; for a rollback it is also
	// the reason recorded in the intent.
	Reason string
	// Gate is the verdict the decision rests on; nil when the rollout was
	// not gated (no canary, no analysis, rolled back).
	Gate *Result
}

// Gated reports whether promote gates r: it has a canary and an analysis,
// and is not rolled back.
func Gated(r *schema.Rollout) bool {
	return r.Canary != nil && r.Analysis != nil && r.Phase != schema.PhaseRollback
}

// RequireAnalysis refuses to gate a rollout that has no analysis, with
// what to do about it.
func RequireAnalysis(r *schema.Rollout) error {
	if r.Analysis == nil {
		return fmt.Errorf("rollout %s has no analysis to gate on; add an analysis block to its intent", r.ID())
	}
	return nil
}

// Skip returns the decision for a rollout promote does not gate.
func Skip(r *schema.Rollout) Decision {
	d := Decision{Rollout: r, From: r.Phase, To: r.Phase, Action: None}
	switch {
	case r.Canary == nil:
		d.Reason = "no canary: the rollout is in steady state"
	case r.Analysis == nil:
		d.Reason = "no analysis: nothing to gate on; advance it by hand"
	default:
		d.Reason = "rolled back; meshroll advance restarts the ladder"
	}
	return d
}

// Decide returns what promote does with the gated rollout r, given the
// gate's verdict g at time now:
//
//   - fail: roll back, with the failing metrics as the reason;
//   - no data: wait, unless the live phase sends the canary no weighted
//     traffic (start), where there is nothing to measure yet;
//   - pass (or nothing to measure yet): advance when the live phase's hold
//     has passed, wait while it has not, nothing at the last phase.
func Decide(r *schema.Rollout, g *Result, now time.Time) Decision {
	d := Decision{Rollout: r, From: r.Phase, To: r.Phase, Gate: g}
	p, _ := r.LivePhase()
	switch {
	case g.Verdict == Fail:
		d.Action, d.To = Rollback, schema.PhaseRollback
		d.Reason = clip("meshroll promote: the gate failed in "+r.Phase+": "+strings.Join(g.Failing(), "; "), edit.MaxReasonLength)
		return d
	case g.Verdict == NoData && p.CanaryWeight > 0:
		d.Action = Wait
		d.Reason = "no data to judge the canary by: " + strings.Join(g.Failing(), "; ")
		return d
	}
	gate := "the gate passes"
	if g.Verdict == NoData {
		gate = "nothing to measure at " + pct(p.CanaryWeight) + " to the canary"
	}
	st, err := edit.Next(r, now, false)
	var refusal *edit.Refusal
	switch {
	case errors.As(err, &refusal) && !refusal.Forcible:
		d.Action = None
		d.Reason = gate + "; " + refusal.Msg
	case errors.As(err, &refusal):
		d.Action = Wait
		d.Reason = gate + "; " + refusal.Msg
	case err != nil:
		d.Action = None
		d.Reason = err.Error()
	default:
		d.Action, d.To = Advance, st.To
		d.Reason = gate
		if p.Hold > 0 {
			d.Reason += " and the " + edit.FormatDuration(p.Hold) + " hold of " + r.Phase + " has passed"
		}
	}
	return d
}

// clip cuts s to at most n characters, marking the cut.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func pct(w int) string { return fmt.Sprintf("%d%%", w) }
