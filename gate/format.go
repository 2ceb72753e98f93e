package gate

import (
	"fmt"
	"io"
	"strings"
)

// Formats are the output formats of gate and promote.
var Formats = []string{"text", "json", "markdown"}

// WriteResults writes gate verdicts in format: text, json or markdown.
func WriteResults(w io.Writer, format string, rs []*Result) error {
	switch format {
	case "text":
		return writeResultsText(w, rs)
	case "json":
		return writeResultsJSON(w, rs)
	case "markdown":
		return writeResultsMarkdown(w, rs)
	}
	return fmt.Errorf("unknown format %q; it is one of %s", format, strings.Join(Formats, ", "))
}

// WriteDecisions writes promote's decisions in format: text, json or
// markdown (the body of the pull request they feed).
func WriteDecisions(w io.Writer, format string, ds []Decision) error {
	switch format {
	case "text":
		return writeDecisionsText(w, ds)
	case "json":
		return writeDecisionsJSON(w, ds)
	case "markdown":
		return writeDecisionsMarkdown(w, ds)
	}
	return fmt.Errorf("unknown format %q; it is one of %s", format, strings.Join(Formats, ", "))
}

// phaseMove writes "canary → expand", or the phase alone when it stays.
func phaseMove(d Decision) string {
	if d.From == d.To {
		return d.From
	}
	return d.From + " → " + d.To
}

// valueText writes a metric's value as the outputs show it.
func valueText(m MetricResult) string {
	switch {
	case m.Value != nil:
		return FormatValue(*m.Value)
	case m.NoData:
		return "no data"
	}
	return m.Note
}

// verdictOf writes a metric's verdict.
func verdictOf(m MetricResult) string {
	switch {
	case m.NoData:
		return NoData
	case m.Pass:
		return Pass
	}
	return Fail
}
