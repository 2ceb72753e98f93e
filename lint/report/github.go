package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/meshroll/meshroll/lint"
)

// github writes GitHub Actions workflow commands, which annotate the lines
// of a pull request's diff: ::error file=F,line=L,col=C,title=MR101::message,
// F relative to the repository root as the diff names files.
type github struct {
	quiet bool
	root  string
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
		if d.Origin.File != "" {
			o := d.Origin
			o.File = relPath(g.root, o.File)
			about += "; rendered at " + o.String()
		}
		fmt.Fprintf(b, "::%s file=%s,line=%d,col=%d,title=%s::%s\n", cmd,
			escapeProperty(relPath(g.root, d.File)), d.Line, d.Column, escapeProperty(d.Rule), escapeData(d.Message+" ("+about+")"))
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
