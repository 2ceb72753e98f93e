package gate

import (
	"bufio"
	"fmt"
	"io"
)

// writeResultsText writes one block per rollout: its verdict, then a line
// per metric with its value against its bounds.
func writeResultsText(w io.Writer, rs []*Result) error {
	bw := bufio.NewWriter(w)
	for i, r := range rs {
		if i > 0 {
			bw.WriteString("\n")
		}
		fmt.Fprintf(bw, "rollout %s, phase %s: %s\n", r.Rollout.ID(), r.Phase, r.Verdict)
		width := 0
		for _, m := range r.Metrics {
			width = max(width, len(m.Name))
		}
		for _, m := range r.Metrics {
			note := ""
			if m.NoData {
				note = " (" + m.Note + ")"
			}
			fmt.Fprintf(bw, "  %-7s  %-*s  %s  %s%s\n", verdictOf(m), width, m.Name, valueText(m), Bounds(m.Min, m.Max), note)
		}
	}
	return bw.Flush()
}

// writeDecisionsText writes a line per rollout: the move, the action and
// why.
func writeDecisionsText(w io.Writer, ds []Decision) error {
	bw := bufio.NewWriter(w)
	idw, mw := 0, 0
	for _, d := range ds {
		idw = max(idw, len(d.Rollout.ID()))
		mw = max(mw, len([]rune(phaseMove(d))))
	}
	for _, d := range ds {
		m := phaseMove(d)
		fmt.Fprintf(bw, "%-*s  %s%*s  %-8s  %s\n", idw, d.Rollout.ID(), m, mw-len([]rune(m)), "", d.Action, d.Reason)
	}
	return bw.Flush()
}
