package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/meshroll/meshroll/internal/mdtext"
	"github.com/meshroll/meshroll/lint"
)

// markdown writes a pull request comment: a summary and a table.
type markdown struct{}

// maxRows keeps a comment well below GitHub's 65,536 characters.
const maxRows = 100

func (markdown) Report(w io.Writer, r *lint.Report) error {
	b := bufio.NewWriter(w)
	fmt.Fprintln(b, "### meshroll lint")
	fmt.Fprintln(b)
	if len(r.Diagnostics) == 0 {
		fmt.Fprintf(b, "No findings in %s (%s).\n", plural(r.Resources, "resource"), plural(r.Files, "file"))
		return b.Flush()
	}
	fmt.Fprintf(b, "**%s**\n\n", summary(r))
	fmt.Fprintln(b, "| Severity | Rule | Resource | Location | Message |")
	fmt.Fprintln(b, "| --- | --- | --- | --- | --- |")
	for i, d := range r.Diagnostics {
		if i == maxRows {
			fmt.Fprintf(b, "\n…and %d more: run `meshroll lint` locally for the full list.\n", len(r.Diagnostics)-maxRows)
			break
		}
		rule := cell(d.Rule + " " + d.Name)
		if ru := r.Rule(d.Rule); ru != nil && ru.URL() != "" {
			rule = fmt.Sprintf("[%s](%s) %s", d.Rule, ru.URL(), cell(d.Name))
		}
		fmt.Fprintf(b, "| %s | %s | %s | `%s` | %s |\n", d.Severity, rule, cell(d.Resource), codeCell(d.Position.String()), cell(d.Message))
	}
	return b.Flush()
}

// cell escapes text for a table cell: pipes would end the cell, line breaks
// the row, markup characters would format it, and a mention or an issue
// reference from a manifest would notify someone.
func cell(s string) string { return mdtext.Escape(s) }

func codeCell(s string) string {
	return strings.NewReplacer("|", `\|`, "`", "'", "\n", " ").Replace(s)
}
