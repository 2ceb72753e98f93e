package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/meshroll/meshroll/lint"
)

// text writes one line per diagnostic, file:line:col: severity ID message,
// the form editors and CI problem matchers read, with the resource
// (Kind/namespace/name) after the message in brackets, and a summary line.
type text struct {
	color bool
	quiet bool
}

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[1;31m"
	ansiYellow = "\x1b[1;33m"
	ansiCyan   = "\x1b[1;36m"
)

func (t text) paint(code, s string) string {
	if !t.color {
		return s
	}
	return code + s + ansiReset
}

func (t text) Report(w io.Writer, r *lint.Report) error {
	b := bufio.NewWriter(w)
	for _, d := range r.Diagnostics {
		sev := d.Severity.String()
		switch d.Severity {
		case lint.Error:
			sev = t.paint(ansiRed, sev)
		case lint.Warning:
			sev = t.paint(ansiYellow, sev)
		default:
			sev = t.paint(ansiCyan, sev)
		}
		// One line per finding, whatever a policy's message holds.
		msg := strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(d.Message)
		if d.Resource != "" {
			msg += " [" + d.Resource + "]"
		}
		fmt.Fprintf(b, "%s: %s %s %s\n", t.paint(ansiBold, d.Position.String()), sev, d.Rule, msg)
	}
	if !t.quiet {
		fmt.Fprintln(b, summary(r))
	}
	return b.Flush()
}
