package diff

import (
	"bufio"
	"io"
	"strings"
	"unicode/utf8"
)

// Text writes a Result for a terminal or a log: the headline, one line per
// rollout, the mTLS changes, then each rollout's resources with their
// field-level changes, and the resources of no rollout last.
type Text struct {
	// Color marks additions green, removals red and changes yellow with
	// ANSI escapes; set it only for a terminal.
	Color bool
}

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
)

// Write writes r.
func (t Text) Write(w io.Writer, r *Result) error {
	bw := bufio.NewWriter(w)
	bold := func(s string) string {
		if t.Color {
			return ansiBold + s + ansiReset
		}
		return s
	}
	paint := func(sign, line string) string {
		if !t.Color {
			return line
		}
		switch sign {
		case "+":
			return ansiGreen + line + ansiReset
		case "-":
			return ansiRed + line + ansiReset
		}
		return ansiYellow + line + ansiReset
	}
	if r.Empty() {
		bw.WriteString(r.Headline() + "\n")
		return bw.Flush()
	}
	bw.WriteString(bold("meshroll diff: "+r.Headline()) + "\n")
	only := r.progressOnly()
	if len(r.Rollouts)+len(only) > 0 {
		bw.WriteString("\n" + bold("Rollouts") + "\n")
		width := 0
		for _, ro := range r.Rollouts {
			width = max(width, utf8.RuneCountInString(ro.Label()))
		}
		for _, p := range only {
			width = max(width, utf8.RuneCountInString(p.Rollout))
		}
		width = min(width, 48)
		// The ladder and the move of each rollout go under its weights.
		progress := func(p *Progress) {
			if p == nil {
				return
			}
			for _, l := range p.Lines() {
				bw.WriteString("  " + pad("", width) + "    " + l + "\n")
			}
		}
		for _, ro := range r.Rollouts {
			bw.WriteString("  " + pad(ro.Label(), width) + "  " + ro.Headline() + "\n")
			if !ro.Ambiguous {
				progress(r.progressOf(ro.ID()))
			}
		}
		for i := range only {
			bw.WriteString("  " + pad(only[i].Rollout, width) + "  traffic unchanged\n")
			progress(&only[i])
		}
	}
	if len(r.MTLS) > 0 {
		bw.WriteString("\n" + bold("mTLS") + "\n")
		width := 0
		for _, m := range r.MTLS {
			width = max(width, len(m.Namespace))
		}
		for _, m := range r.MTLS {
			bw.WriteString("  " + pad(m.Namespace, width) + "  " + orNone(m.Before) + " → " + orNone(m.After) + "\n")
		}
	}
	writeResources := func(rs []*Resource) {
		for _, res := range rs {
			bw.WriteString("  " + paint(Sign(res.Status), res.Line()) + "\n")
			for _, c := range res.Changes {
				bw.WriteString("      " + paint(Sign(c.Op), c.Line()) + "\n")
			}
		}
	}
	for _, ro := range r.Rollouts {
		bw.WriteString("\n" + bold(ro.Label()) + "\n")
		if reachChanged(ro.Reach) {
			bw.WriteString("  who reaches what (" + phases(ro.Phase) + "):\n")
			for _, rr := range ro.Reach {
				if rr.Changed() {
					bw.WriteString("    " + rr.Route + ": " + orNone(rr.Before) + " → " + orNone(rr.After) + "\n")
				}
			}
		}
		writeResources(ro.Resources)
	}
	if others := r.Others(); len(others) > 0 {
		bw.WriteString("\n" + bold("Other resources") + "\n")
		writeResources(others)
	}
	return bw.Flush()
}

func pad(s string, width int) string {
	if n := utf8.RuneCountInString(s); n < width {
		return s + strings.Repeat(" ", width-n)
	}
	return s
}

// phases names the two sides of a change by phase: "canary → expand".
func phases(t Transition) string {
	b, a := t.Before, t.After
	if b == "" {
		b = "before"
	}
	if a == "" {
		a = "after"
	}
	return b + " → " + a
}
