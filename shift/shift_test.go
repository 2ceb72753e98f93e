package shift

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meshroll/meshroll/schema"
)

const intent = `rollouts: reviews: {
	namespace: "bookinfo"
	stable: subset: "v1"
	canary: subset: "v2"
	phase: "expand" // the live phase
	since: "2026-11-20T09:00:00Z"
}
`

// setup writes the intent into a directory of its own and returns the
// loader of Options.
func setup(t *testing.T) (string, func() (*schema.Intent, error)) {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "reviews.cue")
	if err := os.WriteFile(file, []byte(intent), 0o644); err != nil {
		t.Fatal(err)
	}
	return file, func() (*schema.Intent, error) { return schema.Load([]string{dir}) }
}

// TestChange covers the moves: the next phase (held 2h since 09:00),
// further on, back down, rollback, where the rollout already is, and
// phases it does not have.
func TestChange(t *testing.T) {
	early := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC) // 1h into expand's 2h hold
	late := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)  // the hold has passed
	for _, tt := range []struct {
		name          string
		to            string
		now           time.Time
		force         bool
		reason        string
		want          string // the phase written, or "" when nothing is
		unchanged     string
		refused       string // the start of the refusal
		forcible      bool
		err           string
		forcedWritten bool
	}{
		{name: "advance after the hold", to: "", now: late, want: "half"},
		{name: "the next phase by name", to: "half", now: late, want: "half"},
		{name: "advance within the hold", to: "", now: early, refused: "reviews has held expand for 1h of its 2h hold; 1h left", forcible: true},
		{name: "forced with a reason", to: "half", now: early, force: true, reason: "INC-42", want: "half", forcedWritten: true},
		{name: "forced without a reason", to: "half", now: early, force: true, err: "forcing a move needs a reason"},
		{name: "skipping a phase", to: "promote", now: late, refused: "reviews is at expand; promote is more than one phase on, skipping half (hold 4h)", forcible: true},
		{name: "skipping within the hold says both", to: "promote", now: early, refused: "reviews is at expand; promote is more than one phase on, skipping half (hold 4h): advance moves one phase at a time, and reviews has held expand for 1h", forcible: true},
		{name: "back down the ladder", to: "canary", now: early, want: "canary"},
		{name: "rollback at once", to: schema.PhaseRollback, now: early, want: "rollback"},
		{name: "where it is", to: "expand", now: late, unchanged: "reviews is already at expand since 2026-11-20T09:00:00Z; nothing to do"},
		{name: "a phase it does not have", to: "final", now: late, err: `rollout reviews has no phase "final"; it has start, canary, expand, half, promote, rollback`},
		{name: "a blank reason", to: "", now: late, reason: " ", err: "the reason: the reason is empty"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			file, load := setup(t)
			res, err := Change(Options{Rollout: "reviews", To: tt.to, Now: tt.now, Force: tt.force, Reason: tt.reason, Load: load})
			var refused *Refused
			switch {
			case tt.refused != "":
				if !errors.As(err, &refused) || !strings.HasPrefix(refused.Msg, tt.refused) || refused.Forcible != tt.forcible {
					t.Fatalf("err = %v, want a refusal %q", err, tt.refused)
				}
			case tt.err != "":
				if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
			case err != nil:
				t.Fatal(err)
			}
			b, _ := os.ReadFile(file)
			got := string(b)
			if tt.want == "" {
				if got != intent {
					t.Errorf("wrote:\n%s", got)
				}
				if err == nil && res.Unchanged != tt.unchanged {
					t.Errorf("unchanged = %q, want %q", res.Unchanged, tt.unchanged)
				}
				return
			}
			if !strings.Contains(got, `"`+tt.want+`" // the live phase`) || !strings.Contains(got, tt.now.Format(time.RFC3339)) {
				t.Errorf("wrote:\n%s", got)
			}
			if (res.Forced != nil) != tt.forcedWritten || len(res.Written) != 1 || res.To != tt.want || res.From != "expand" {
				t.Errorf("result = %+v", res)
			}
			if tt.reason != "" && !strings.Contains(got, "reason: "+`"`+tt.reason+`"`) {
				t.Errorf("the reason is not recorded:\n%s", got)
			}
		})
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	file, load := setup(t)
	res, err := Change(Options{Rollout: "reviews", Now: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC), DryRun: true, Load: load})
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(file); string(b) != intent || len(res.Written) != 0 {
		t.Errorf("a dry run wrote %v:\n%s", res.Written, b)
	}
	if d := string(res.Edit.Diff()); !strings.Contains(d, `+	phase: "half" // the live phase`) {
		t.Errorf("diff:\n%s", d)
	}
	if res.Summary != "reviews: expand → half (stable 50%, canary 50%); next hold 4h" || res.Stable != 50 || res.Canary != 50 {
		t.Errorf("result = %+v", res)
	}
}
