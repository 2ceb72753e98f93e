package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/meshroll/meshroll/lint"
)

// github writes GitHub Actions workflow commands, which annotate the lines
// of a pull request's diff: ::error file=F,line=L,col=C,title=MR101::message.
type github struct {
	quiet bool
}

func (g github) Report(w io.Writer, r *lint.Report) error {
	b := bufio.NewWriter(w)
	for _, d := range r.Diagnostics {
		cmd := "notice"
		switch d.Severity {
		case lint.Error:
			cmd = "error"
		case lint.Warning:
			cmd = "warning"
		}
		about := d.Name
		if d.Resource != "" {
			about = d.Resource + ", " + d.Name
		}
		fmt.Fprintf(b, "::%s file=%s,line=%d,col=%d,title=%s::%s\n", cmd,
			escapeProperty(d.File), d.Line, d.Column, escapeProperty(d.Rule), escapeData(d.Message+" ("+about+")"))
	}
	if !g.quiet {
		fmt.Fprintln(b, summary(r))
	}
	return b.Flush()
}

// escapeData escapes a workflow command's message as the Actions runner
// unescapes it (toolkit's escapeData).
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a workflow command's property value (toolkit's
// escapeProperty): also ':' and ',', which separate properties.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
