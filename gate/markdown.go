package gate

import (
	"fmt"
	"io"
	"strings"
)

// writeResultsMarkdown writes a table of metrics per rollout.
func writeResultsMarkdown(w io.Writer, rs []*Result) error {
	var b strings.Builder
	b.WriteString("### meshroll gate\n")
	for _, r := range rs {
		fmt.Fprintf(&b, "\n**%s**, phase %s: **%s**\n\n", esc(r.Rollout.ID()), esc(r.Phase), r.Verdict)
		metricTable(&b, r)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func metricTable(b *strings.Builder, r *Result) {
	b.WriteString("| metric | value | bounds | verdict |\n| --- | --- | --- | --- |\n")
	for _, m := range r.Metrics {
		v := valueText(m)
		if m.NoData {
			v += " (" + m.Note + ")"
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", esc(m.Name), esc(v), esc(Bounds(m.Min, m.Max)), verdictOf(m))
	}
}

// writeDecisionsMarkdown writes the body of the pull request promote feeds:
// a table of the decisions, then the metrics behind each gated one.
func writeDecisionsMarkdown(w io.Writer, ds []Decision) error {
	var b strings.Builder
	b.WriteString("### meshroll promote\n\n")
	changed := 0
	for _, d := range ds {
		if d.Action == Advance || d.Action == Rollback {
			changed++
		}
	}
	switch changed {
	case 0:
		b.WriteString("No rollout changes phase.\n")
	case 1:
		b.WriteString("1 rollout changes phase, on the metrics below. Merge to apply it; the rendered tree is in this pull request too.\n")
	default:
		fmt.Fprintf(&b, "%d rollouts change phase, on the metrics below. Merge to apply them; the rendered tree is in this pull request too.\n", changed)
	}
	if len(ds) > 0 {
		b.WriteString("\n| rollout | phase | action | why |\n| --- | --- | --- | --- |\n")
		for _, d := range ds {
			a := d.Action
			if a == Advance || a == Rollback {
				a = "**" + a + "**"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", esc(d.Rollout.ID()), esc(phaseMove(d)), a, esc(d.Reason))
		}
	}
	for _, d := range ds {
		if d.Gate == nil {
			continue
		}
		fmt.Fprintf(&b, "\n<details>\n<summary>%s: gate %s in %s</summary>\n\n", esc(d.Rollout.ID()), d.Gate.Verdict, esc(d.Gate.Phase))
		metricTable(&b, d.Gate)
		b.WriteString("\n</details>\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// esc makes text safe in a Markdown table cell.
var esc = strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;", "*", `\*`, "_", `\_`, "`", "\\`", "\n", " ").Replace
