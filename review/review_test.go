package review

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/meshroll/meshroll/diff"
	"github.com/meshroll/meshroll/schema"
)

func load(t *testing.T, state string) *schema.Intent {
	t.Helper()
	src := fmt.Sprintf("rollouts: reviews: {\n\tstable: subset: \"v1\"\n\tcanary: subset: \"v2\"\n\t%s\n}\n", state)
	in, err := schema.LoadFiles([]schema.File{{Path: "intents/reviews.cue", Data: []byte(src)}})
	if err != nil {
		t.Fatalf("%v\n%s", err, src)
	}
	return in
}

var now = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// TestMoves: each base and work state of the default ladder (canary 1h,
// expand 2h, half 4h), and what check --base says of the move.
func TestMoves(t *testing.T) {
	for _, c := range []struct {
		name, base, work string
		problem          string // regexp; "" for none
		reason           string
	}{
		{"one step after the hold", `phase: "canary", since: "2026-11-20T09:00:00Z"`, `phase: "expand", since: "2026-11-20T10:30:00Z"`, "", ""},
		{"one step, since left as it was, judged now", `phase: "canary", since: "2026-11-20T09:00:00Z"`, `phase: "expand", since: "2026-11-20T09:00:00Z"`, "", ""},
		{"hand-edited four minutes into a four-hour hold", `phase: "half", since: "2026-11-20T11:00:00Z"`, `phase: "promote", since: "2026-11-20T11:04:00Z"`,
			`^rollout reviews left half 4m into its 4h hold \(since 2026-11-20T11:00:00Z; the hold ends at 2026-11-20T15:00:00Z\); advance one phase at a time`, ""},
		{"a since in the future is judged now", `phase: "canary", since: "2026-11-20T11:30:00Z"`, `phase: "expand", since: "2026-11-21T00:00:00Z"`, `left canary 30m into its 1h hold`, ""},
		{"two steps", `phase: "canary", since: "2026-11-20T09:00:00Z"`, `phase: "half", since: "2026-11-20T11:00:00Z"`,
			`^rollout reviews moved 2 steps forward, from canary to half, skipping expand \(hold 2h\);`, ""},
		{"two steps and the hold", `phase: "canary", since: "2026-11-20T11:50:00Z"`, `phase: "promote"`,
			`moved 3 steps forward, from canary to promote, skipping expand \(hold 2h\), half \(hold 4h\), and left canary 10m into its 1h hold`, ""},
		{"no since at the base", `phase: "canary"`, `phase: "expand", since: "2026-11-20T11:00:00Z"`, `left canary, whose hold is 1h, but its since is not set at the base`, ""},
		{"forced with a reason", `phase: "half", since: "2026-11-20T11:00:00Z"`, `phase: "promote", since: "2026-11-20T11:04:00Z", reason: "INC-42 hotfix"`, "", "INC-42 hotfix"},
		{"a reason left from the move before does not excuse this one", `phase: "canary", since: "2026-11-20T11:00:00Z", reason: "old"`, `phase: "expand", since: "2026-11-20T11:04:00Z", reason: "old"`, `left canary 4m into its 1h hold`, ""},
		{"rollback is always allowed", `phase: "half", since: "2026-11-20T11:59:00Z"`, `phase: "rollback", since: "2026-11-20T12:00:00Z"`, "", ""},
		{"back one phase", `phase: "half", since: "2026-11-20T11:59:00Z"`, `phase: "expand", since: "2026-11-20T12:00:00Z"`, "", ""},
		{"from rollback to the first phase", `phase: "rollback", since: "2026-11-20T11:59:00Z"`, `phase: "start"`, "", ""},
		{"from rollback past the first phase", `phase: "rollback", since: "2026-11-20T11:59:00Z"`, `phase: "canary"`, `moved 2 steps forward, from rollback to canary, skipping start;`, ""},
		{"since moved back without a move", `phase: "half", since: "2026-11-20T11:00:00Z"`, `phase: "half", since: "2026-11-20T07:00:00Z"`, `stays at half, but its since moved from 2026-11-20T11:00:00Z to 2026-11-20T07:00:00Z`, ""},
		{"since moved later without a move", `phase: "half", since: "2026-11-20T07:00:00Z"`, `phase: "half", since: "2026-11-20T11:00:00Z"`, "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			cs := Compare(load(t, c.base), load(t, c.work), now)
			if len(cs) != 1 {
				t.Fatalf("%d changes, want 1", len(cs))
			}
			m := cs[0].Move
			got, reason := "", ""
			if m != nil {
				got, reason = m.Problem, m.Reason
			}
			switch {
			case c.problem == "" && got != "":
				t.Errorf("problem %q, want none", got)
			case c.problem != "" && !regexp.MustCompile(c.problem).MatchString(got):
				t.Errorf("problem %q, want one matching %q", got, c.problem)
			}
			if reason != c.reason {
				t.Errorf("reason %q, want %q", reason, c.reason)
			}
			if c.problem != "" && cs[0].Pos.Line != 4 {
				t.Errorf("finding at %v, want the phase field on line 4", cs[0].Pos)
			}
		})
	}
}

// TestNewRolloutHasNoMove: a rollout new in the change has no base to judge
// its phase by.
func TestNewRolloutHasNoMove(t *testing.T) {
	base, err := schema.LoadFiles([]schema.File{{Path: "a.cue", Data: []byte(`rollouts: other: stable: subset: "v1"`)}})
	if err != nil {
		t.Fatal(err)
	}
	if cs := Compare(base, load(t, `phase: "promote"`), now); len(cs) != 0 {
		t.Errorf("a new rollout got %+v", cs)
	}
}

func ladder(t *testing.T, phases string) []schema.Phase {
	return load(t, "phases: ["+phases+"]").Rollouts[0].Phases
}

// TestLadder: phases added, removed, renamed, reweighted, held differently
// and reordered, each said once.
func TestLadder(t *testing.T) {
	const base = `{name: "start", canaryWeight: 0}, {name: "canary", canaryWeight: 10, hold: "1h"}, {name: "half", canaryWeight: 50, hold: "4h"}, {name: "promote", canaryWeight: 100}`
	for _, c := range []struct {
		name, after string
		want        []string
	}{
		{"same", base, nil},
		{"added", `{name: "start", canaryWeight: 0}, {name: "canary", canaryWeight: 10, hold: "1h"}, {name: "soak", canaryWeight: 25, hold: "30m"}, {name: "half", canaryWeight: 50, hold: "4h"}, {name: "promote", canaryWeight: 100}`,
			[]string{"phase soak added (canary 25%, hold 30m)"}},
		{"removed", `{name: "start", canaryWeight: 0}, {name: "canary", canaryWeight: 10, hold: "1h"}, {name: "promote", canaryWeight: 100}`,
			[]string{"phase half removed (was canary 50%, hold 4h)"}},
		{"renamed and reweighted", `{name: "start", canaryWeight: 0}, {name: "canary", canaryWeight: 10, hold: "1h"}, {name: "fifty", canaryWeight: 40, hold: "4h"}, {name: "promote", canaryWeight: 100}`,
			[]string{"phase half renamed fifty", "phase fifty: canary 50% → 40%"}},
		{"holds", `{name: "start", canaryWeight: 0}, {name: "canary", canaryWeight: 10}, {name: "half", canaryWeight: 50, hold: "1h"}, {name: "promote", canaryWeight: 100}`,
			[]string{"phase canary: hold 1h → none", "phase half: hold 4h → 1h"}},
		{"reordered", `{name: "start", canaryWeight: 0}, {name: "half", canaryWeight: 50, hold: "4h"}, {name: "canary", canaryWeight: 10, hold: "1h"}, {name: "promote", canaryWeight: 100}`,
			[]string{"phases reordered: start, canary, half, promote → start, half, canary, promote"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, lc := range Ladder(ladder(t, base), ladder(t, c.after)) {
				got = append(got, lc.Text())
			}
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

// TestLadderOfDefaults: the default ladder against a declared copy of it is
// no change, and progress that tells nothing is dropped from a diff.
func TestLadderOfDefaults(t *testing.T) {
	def := load(t, `phase: "canary"`)
	declared := load(t, `phase: "canary", phases: [{name: "start", canaryWeight: 0}, {name: "canary", canaryWeight: 10, hold: "1h"}, {name: "expand", canaryWeight: 25, hold: "2h"}, {name: "half", canaryWeight: 50, hold: "4h"}, {name: "promote", canaryWeight: 100}]`)
	cs := Compare(def, declared, now)
	var r diff.Result
	r.SetProgress(Progress(cs))
	if len(r.Progress) != 0 {
		t.Errorf("declaring the default ladder reads as %+v", r.Progress)
	}
}
