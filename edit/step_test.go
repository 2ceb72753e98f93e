package edit

import (
	"errors"
	"testing"
	"time"

	"github.com/meshroll/meshroll/schema"
)

var ladder = []schema.Phase{
	{Name: "start"},
	{Name: "canary", CanaryWeight: 10, Hold: time.Hour},
	{Name: "expand", CanaryWeight: 25, Hold: 2 * time.Hour},
	{Name: "half", CanaryWeight: 50, Hold: 4 * time.Hour},
	{Name: "promote", CanaryWeight: 100},
}

func TestNext(t *testing.T) {
	since := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	at := func(d time.Duration) time.Time { return since.Add(d) }
	tests := []struct {
		name   string
		phase  string
		since  time.Time
		now    time.Time
		force  bool
		to     string
		forced bool
		// refusal is the wanted refusal message; forcible and left go with it.
		refusal  string
		forcible bool
		left     time.Duration
	}{
		{name: "hold passed exactly", phase: "canary", since: since, now: at(time.Hour), to: "expand"},
		{name: "hold passed long ago", phase: "expand", since: since, now: at(30 * time.Hour), to: "half"},
		{name: "no hold, no since", phase: "start", now: at(0), to: "canary"},
		{name: "hold not passed", phase: "canary", since: since, now: at(25 * time.Minute),
			refusal: "reviews has held canary for 25m of its 1h hold; 35m left, until 2026-11-20T10:00:00Z", forcible: true, left: 35 * time.Minute},
		{name: "hold not passed by a second", phase: "half", since: since, now: at(4*time.Hour - time.Second),
			refusal: "reviews has held half for 3h59m59s of its 4h hold; 1s left, until 2026-11-20T13:00:00Z", forcible: true, left: time.Second},
		{name: "hold not passed, forced", phase: "canary", since: since, now: at(25 * time.Minute), force: true, to: "expand", forced: true},
		{name: "since unknown", phase: "expand", now: at(0),
			refusal: "reviews is at expand, which holds 2h, but its since is not set, so the hold cannot be checked", forcible: true},
		{name: "since unknown, forced", phase: "expand", now: at(0), force: true, to: "half", forced: true},
		{name: "since in the future", phase: "canary", since: since, now: at(-time.Hour),
			refusal: "reviews is at canary since 2026-11-20T09:00:00Z, which is in the future; its 1h hold has 2h left, until 2026-11-20T10:00:00Z", forcible: true, left: 2 * time.Hour},
		{name: "rollback goes to the first phase", phase: "rollback", since: since, now: at(time.Minute), to: "start"},
		{name: "rollback, since unknown", phase: "rollback", now: at(0), to: "start"},
		{name: "last phase", phase: "promote", since: since, now: at(100 * time.Hour),
			refusal: "reviews is at promote, the last phase; nothing to advance"},
		{name: "last phase, forced", phase: "promote", now: at(0), force: true,
			refusal: "reviews is at promote, the last phase; nothing to advance"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &schema.Rollout{Name: "reviews", Phase: tt.phase, Since: tt.since, Phases: ladder}
			st, err := Next(r, tt.now, tt.force)
			var ref *Refusal
			switch {
			case tt.refusal != "":
				if !errors.As(err, &ref) {
					t.Fatalf("Next = %+v, %v; want a refusal %q", st, err, tt.refusal)
				}
				if ref.Msg != tt.refusal || ref.Forcible != tt.forcible || ref.Left != tt.left {
					t.Errorf("refusal = %q (forcible %v, left %v)\nwant      %q (forcible %v, left %v)", ref.Msg, ref.Forcible, ref.Left, tt.refusal, tt.forcible, tt.left)
				}
			case err != nil:
				t.Fatalf("Next: %v", err)
			default:
				if st.From != tt.phase || st.To != tt.to || st.Forced != tt.forced || (st.Refusal != nil) != tt.forced {
					t.Errorf("Next = %+v; want %s → %s, forced %v", st, tt.phase, tt.to, tt.forced)
				}
			}
		})
	}
}

func TestNextCustomLadder(t *testing.T) {
	r := &schema.Rollout{Name: "details", Phase: "probe", Since: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Phases: []schema.Phase{
		{Name: "start"}, {Name: "probe", CanaryWeight: 5, Hold: 30 * time.Minute}, {Name: "all", CanaryWeight: 100},
	}}
	st, err := Next(r, r.Since.Add(31*time.Minute), false)
	if err != nil || st.To != "all" {
		t.Errorf("Next = %+v, %v; want probe → all", st, err)
	}
	r.Phase = "nope"
	if _, err := Next(r, r.Since, false); err == nil {
		t.Error("Next of a phase the ladder does not have succeeded")
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                                  "0s",
		500 * time.Millisecond:             "0s",
		time.Second:                        "1s",
		90 * time.Second:                   "1m30s",
		35 * time.Minute:                   "35m",
		time.Hour:                          "1h",
		time.Hour + 30*time.Minute:         "1h30m",
		26*time.Hour + time.Second:         "26h1s",
		2*time.Hour + 59*time.Second + 1e8: "2h59s",
	} {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
