package review

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/meshroll/meshroll/diff"
	"github.com/meshroll/meshroll/edit"
	"github.com/meshroll/meshroll/schema"
)

// Ladder returns what changed from the ladder before to the one after:
// phases matched by name are compared for weight and hold; a phase only
// before and one only after at the same place in their ladders are a
// rename; the others were removed or added. A change in the order of the
// phases both have is one LadderOrder change. Changes follow the order of
// the new ladder, removals last.
func Ladder(before, after []schema.Phase) []diff.LadderChange {
	old := map[string]int{}
	for i, p := range before {
		old[p.Name] = i
	}
	now := map[string]bool{}
	for _, p := range after {
		now[p.Name] = true
	}
	var out []diff.LadderChange
	renamed := map[string]bool{} // old names taken by a rename
	for i, p := range after {
		j, ok := old[p.Name]
		if !ok {
			if i < len(before) && !now[before[i].Name] {
				q := before[i]
				renamed[q.Name] = true
				out = append(out, diff.LadderChange{Kind: diff.LadderRenamed, Phase: p.Name, Before: q.Name, After: p.Name})
				out = append(out, compare(q, p)...)
				continue
			}
			out = append(out, diff.LadderChange{Kind: diff.LadderAdded, Phase: p.Name, After: describe(p)})
			continue
		}
		out = append(out, compare(before[j], p)...)
	}
	for _, q := range before {
		if !now[q.Name] && !renamed[q.Name] {
			out = append(out, diff.LadderChange{Kind: diff.LadderRemoved, Phase: q.Name, Before: describe(q)})
		}
	}
	// The phases both ladders have, in each one's order.
	var a, b []string
	for _, q := range before {
		if now[q.Name] {
			a = append(a, q.Name)
		}
	}
	for _, p := range after {
		if _, ok := old[p.Name]; ok {
			b = append(b, p.Name)
		}
	}
	if strings.Join(a, ",") != strings.Join(b, ",") {
		out = append(out, diff.LadderChange{Kind: diff.LadderOrder, Before: strings.Join(a, ", "), After: strings.Join(b, ", ")})
	}
	return out
}

// compare returns the weight and hold changes from q to p.
func compare(q, p schema.Phase) []diff.LadderChange {
	var out []diff.LadderChange
	if q.CanaryWeight != p.CanaryWeight {
		out = append(out, diff.LadderChange{Kind: diff.LadderWeight, Phase: p.Name, Before: pct(q.CanaryWeight), After: pct(p.CanaryWeight)})
	}
	if q.Hold != p.Hold {
		out = append(out, diff.LadderChange{Kind: diff.LadderHold, Phase: p.Name, Before: hold(q.Hold), After: hold(p.Hold)})
	}
	return out
}

func describe(p schema.Phase) string {
	if p.Hold > 0 {
		return fmt.Sprintf("%s, hold %s", pct(p.CanaryWeight), fmtDur(p.Hold))
	}
	return pct(p.CanaryWeight) + ", no hold"
}

func pct(w int) string { return strconv.Itoa(w) + "%" }

func hold(d time.Duration) string {
	if d <= 0 {
		return "none"
	}
	return fmtDur(d)
}

func fmtDur(d time.Duration) string { return edit.FormatDuration(d) }
