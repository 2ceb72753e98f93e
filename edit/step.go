package edit

import (
	"fmt"
	"strings"
	"time"

	"github.com/meshroll/meshroll/schema"
)

// Refusal is a phase change that the rollout's state does not allow now: the
// intent is fine, the step is not. Forcible refusals (a hold that has not
// passed or cannot be checked) may be overridden; the others may not.
type Refusal struct {
	Msg      string
	Forcible bool
	// Left is how long the live phase still holds; zero when the refusal is
	// not about a hold that has not passed.
	Left time.Duration
}

func (e *Refusal) Error() string { return e.Msg }

// Step is a move from one phase to another.
type Step struct {
	From, To string
	// Forced is set when force overrode a refusal; Refusal says which.
	Forced  bool
	Refusal *Refusal
}

// Next returns the step that advances r at time now: from rollback to the
// first phase of the ladder, otherwise to the phase after the live one. It
// refuses (a *Refusal) past the last phase, and, unless force is set, while
// the live phase's hold has not passed since r.Since, or when the live phase
// holds and r.Since is unknown.
func Next(r *schema.Rollout, now time.Time, force bool) (Step, error) {
	if len(r.Phases) == 0 {
		return Step{}, fmt.Errorf("rollout %s has no phases", r.Name)
	}
	if r.Phase == schema.PhaseRollback {
		return Step{From: r.Phase, To: r.Phases[0].Name}, nil
	}
	i := -1
	for j, p := range r.Phases {
		if p.Name == r.Phase {
			i = j
		}
	}
	if i < 0 {
		return Step{}, fmt.Errorf("rollout %s is at phase %q, which its ladder does not have", r.Name, r.Phase)
	}
	if i == len(r.Phases)-1 {
		return Step{}, &Refusal{Msg: fmt.Sprintf("%s is at %s, the last phase; nothing to advance", r.Name, r.Phase)}
	}
	st := Step{From: r.Phase, To: r.Phases[i+1].Name}
	hold := r.Phases[i].Hold
	var ref *Refusal
	switch {
	case hold <= 0:
	case r.Since.IsZero():
		ref = &Refusal{Forcible: true, Msg: fmt.Sprintf("%s is at %s, which holds %s, but its since is not set, so the hold cannot be checked", r.Name, r.Phase, FormatDuration(hold))}
	default:
		until := r.Since.Add(hold)
		if now.Before(until) {
			left := until.Sub(now)
			msg := fmt.Sprintf("%s has held %s for %s of its %s hold; %s left, until %s", r.Name, r.Phase, FormatDuration(now.Sub(r.Since)), FormatDuration(hold), FormatDuration(left), until.UTC().Format(time.RFC3339))
			if now.Before(r.Since) {
				msg = fmt.Sprintf("%s is at %s since %s, which is in the future; its %s hold has %s left, until %s", r.Name, r.Phase, r.Since.UTC().Format(time.RFC3339), FormatDuration(hold), FormatDuration(left), until.UTC().Format(time.RFC3339))
			}
			ref = &Refusal{Forcible: true, Left: left, Msg: msg}
		}
	}
	if ref != nil {
		if !force {
			return Step{}, ref
		}
		st.Forced, st.Refusal = true, ref
	}
	return st, nil
}

// FormatDuration writes a duration in whole units without zero ones: 1h,
// 1h30m, 35m, 1m30s, 0s. Parts of a second are dropped.
func FormatDuration(d time.Duration) string {
	if d < time.Second {
		return "0s"
	}
	var b strings.Builder
	h, m, s := d/time.Hour, d%time.Hour/time.Minute, d%time.Minute/time.Second
	if h > 0 {
		fmt.Fprintf(&b, "%dh", h)
	}
	if m > 0 {
		fmt.Fprintf(&b, "%dm", m)
	}
	if s > 0 {
		fmt.Fprintf(&b, "%ds", s)
	}
	return b.String()
}
