package shift

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/meshroll/meshroll/edit"
	"github.com/meshroll/meshroll/internal/input"
	"github.com/meshroll/meshroll/internal/lock"
	"github.com/meshroll/meshroll/probe"
	"github.com/meshroll/meshroll/render"
	"github.com/meshroll/meshroll/schema"
)

// Options are one change of a rollout's live phase.
type Options struct {
	// Rollout is a rollout name, or namespace/name when the name is
	// ambiguous.
	Rollout string
	// To is the phase to move to: "" advances to the phase after the live
	// one (from rollback, to the first phase), schema.PhaseRollback rolls
	// back, and any other name of the ladder moves there (a move forward of
	// more than one phase is refused unless forced).
	To string
	// Force overrides a hold that has not passed, or cannot be checked,
	// and a move that skips phases; it needs Reason.
	Force bool
	// Reason is recorded in the intent as the rollout's reason, next to
	// since; "" removes the reason of the move before.
	Reason string
	// DryRun computes the edit and writes nothing, and takes no lock.
	DryRun bool
	// Now is the time of the change: since becomes it, and holds are
	// judged at it.
	Now time.Time
	// Load reads the intents as they are when called. Change calls it
	// again once the lock is held, so that the edit is based on the intent
	// as the last writer left it.
	Load func() (*schema.Intent, error)
	// Waiting, when not nil, is called once when another process holds
	// the lock of the intent file's directory.
	Waiting func(file string)
}

// Result is what a change did.
type Result struct {
	// Rollout is the rollout as it was before the change.
	Rollout *schema.Rollout
	// From and To are the phases of the move.
	From, To string
	// Stable and Canary are the weights of To.
	Stable, Canary int
	// Summary describes the move: "reviews: canary → expand (stable 75%,
	// canary 25%); next hold 2h".
	Summary string
	// Unchanged, when not "", says why there was nothing to do ("reviews
	// is already rolled back since ...; nothing to do"): no edit, no write.
	Unchanged string
	// Edit is the edit made, or that a dry run would make.
	Edit edit.Edit
	// Forced is the refusal that Force overrode, nil when none did.
	Forced *Refused
	// Written are the files written, none on a dry run.
	Written []string
}

// Refused is a change that the rollout's state does not allow now: the
// intent is fine, the move is not. A forcible refusal (a hold that has not
// passed or cannot be checked, phases skipped) may be overridden with
// Force and a Reason; the others (the last phase) may not.
type Refused struct {
	Msg      string
	Forcible bool
	// Left is how long the live phase still holds; zero when the refusal
	// is not about a hold that has not passed.
	Left time.Duration
}

func (e *Refused) Error() string { return e.Msg }

// ReasonError is a Force without a Reason, or a Reason the intent could
// not hold.
type ReasonError struct {
	// Missing is set when Force came without a Reason; otherwise Err says
	// what is wrong with the reason.
	Missing bool
	Err     error
}

func (e *ReasonError) Error() string {
	if e.Missing {
		return "forcing a move needs a reason: the reason is recorded in the intent next to since, so that reviewers see why the hold was cut short"
	}
	return "the reason: " + e.Err.Error()
}

func (e *ReasonError) Unwrap() error { return e.Err }

// CheckReason refuses Force without a Reason, and a Reason the intent
// could not hold.
func CheckReason(force bool, reason string) error {
	if force && reason == "" {
		return &ReasonError{Missing: true}
	}
	if reason != "" {
		if err := edit.CheckReason(reason); err != nil {
			return &ReasonError{Err: err}
		}
	}
	return nil
}

// Change moves the rollout o.Rollout as o says. Unless o.DryRun, the edit
// is made under an exclusive lock on the intent file's directory (Lock),
// on the intent as it is once the lock is held, so that two changes at
// once take turns: the second sees the first's edit (and its hold), and no
// edit is lost.
//
// It returns a *ReasonError for a bad reason, a *Refused when the rollout's
// state does not allow the move, and the error of the intent (a
// schema.Errors, an unknown rollout, a phase meshroll cannot edit in
// place) otherwise; nothing is written on any of them.
func Change(o Options) (*Result, error) {
	if err := CheckReason(o.Force, o.Reason); err != nil {
		return nil, err
	}
	in, err := o.Load()
	if err != nil {
		return nil, err
	}
	r, err := in.Find(o.Rollout)
	if err != nil {
		return nil, err
	}
	if !o.DryRun {
		lk, err := Lock(r.File, o.Waiting)
		if err != nil {
			return nil, err
		}
		defer lk.Unlock()
		// Read again what the edit is based on, now that no one else
		// writes it.
		if in, err = o.Load(); err != nil {
			return nil, err
		}
		if r, err = in.Find(o.Rollout); err != nil {
			return nil, err
		}
	}
	return step(r, o)
}

// Lock takes the lock under which intent files are edited: on the
// directory of file, exclusive. waiting, when not nil, is called once if
// another process holds it.
func Lock(file string, waiting func(file string)) (*lock.Lock, error) {
	dir := filepath.Dir(input.ResolveExisting(file))
	var told func()
	if waiting != nil {
		told = func() { waiting(file) }
	}
	return lock.Dir(dir, lock.Exclusive, 0, told)
}

// Locked runs f, which reads the intent and edits it, under the lock of
// file's directory.
func Locked(file string, waiting func(file string), f func() (edit.Edit, error)) (edit.Edit, error) {
	lk, err := Lock(file, waiting)
	if err != nil {
		return edit.Edit{}, err
	}
	defer lk.Unlock()
	return f()
}

// step makes the edit of one move of r, or, on a dry run, computes it.
func step(r *schema.Rollout, o Options) (*Result, error) {
	to, refusal, err := target(r, o)
	if err != nil {
		return nil, err
	}
	res := &Result{Rollout: r, From: r.Phase, To: to}
	if to == r.Phase {
		since := ""
		if !r.Since.IsZero() {
			since = " since " + r.Since.UTC().Format(time.RFC3339)
		}
		if to == schema.PhaseRollback {
			res.Unchanged = fmt.Sprintf("%s is already rolled back%s; nothing to do", r.Name, since)
		} else {
			res.Unchanged = fmt.Sprintf("%s is already at %s%s; nothing to do", r.Name, to, since)
		}
		return res, nil
	}
	e, err := edit.Move(r, to, o.Now, o.Reason)
	if err != nil {
		return nil, err
	}
	if refusal != nil {
		if !o.Force {
			return nil, refusal
		}
		res.Forced = refusal
	}
	res.Edit = e
	if res.Stable, res.Canary, err = render.Weights(r, to); err != nil {
		return nil, err
	}
	if res.Summary, err = Summary(r, to); err != nil {
		return nil, err
	}
	if o.DryRun {
		return res, nil
	}
	if err := e.Apply(); err != nil {
		return nil, err
	}
	for _, f := range e.Files {
		res.Written = append(res.Written, f.Path)
	}
	return res, nil
}

// target returns the phase o moves r to, and the forcible refusal that
// stands in its way, if any. A refusal that force cannot override is the
// error.
func target(r *schema.Rollout, o Options) (string, *Refused, error) {
	if o.To == schema.PhaseRollback {
		return o.To, nil, nil
	}
	if o.To != "" && o.To == r.Phase {
		return o.To, nil, nil
	}
	if o.To != "" {
		if err := probe.CheckPhase(r, o.To); err != nil {
			return "", nil, err
		}
	}
	// The step is computed as if forced, so that an intent meshroll cannot
	// edit is reported before a hold that has not passed.
	st, err := edit.Next(r, o.Now, true)
	var ref *edit.Refusal
	switch {
	case errors.As(err, &ref) && o.To != "" && before(r, o.To, r.Phase):
		// At the last phase, a move back is still a move back.
		return o.To, nil, nil
	case errors.As(err, &ref):
		return "", nil, &Refused{Msg: ref.Msg, Forcible: ref.Forcible, Left: ref.Left}
	case err != nil:
		return "", nil, err
	}
	var hold *Refused
	if st.Refusal != nil {
		hold = &Refused{Msg: st.Refusal.Msg, Forcible: true, Left: st.Refusal.Left}
	}
	if o.To == "" || o.To == st.To {
		return st.To, hold, nil
	}
	if before(r, o.To, r.Phase) {
		// Back down the ladder sends the canary less traffic, as a
		// rollback does: no hold applies, and check --base accepts it.
		return o.To, nil, nil
	}
	skipped := between(r, st.To, o.To)
	msg := fmt.Sprintf("%s is at %s; %s is more than one phase on, skipping %s: advance moves one phase at a time", r.Name, r.Phase, o.To, strings.Join(skipped, ", "))
	if hold != nil {
		msg += ", and " + hold.Msg
	}
	return o.To, &Refused{Msg: msg, Forcible: true}, nil
}

// before reports whether phase a comes before phase b on r's ladder;
// rollback comes before every phase.
func before(r *schema.Rollout, a, b string) bool {
	return index(r, a) < index(r, b)
}

func index(r *schema.Rollout, phase string) int {
	for i, p := range r.Phases {
		if p.Name == phase {
			return i
		}
	}
	return -1
}

// between names the phases from first up to, not including, last, with
// their holds.
func between(r *schema.Rollout, first, last string) []string {
	var out []string
	for _, p := range r.Phases[index(r, first):index(r, last)] {
		s := p.Name
		if p.Hold > 0 {
			s += " (hold " + edit.FormatDuration(p.Hold) + ")"
		}
		out = append(out, s)
	}
	return out
}

// Summary describes the move of r to phase to:
// "reviews: canary → expand (stable 75%, canary 25%); next hold 2h".
func Summary(r *schema.Rollout, to string) (string, error) {
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
