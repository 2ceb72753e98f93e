package lint

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/meshroll/meshroll/internal/meta"
)

// WriteCatalog writes the Markdown rule catalogue (docs/rules.md) for rules:
// a table, then a section per rule with its documentation and examples. The
// section headings give the anchors Rule.URL links to.
func WriteCatalog(w io.Writer, rules []*Rule) error {
	b := bufio.NewWriter(w)
	fmt.Fprint(b, `# meshroll lint rules

<!-- Code generated from lint.All() by go test ./lint -run TestRulesDoc -update. DO NOT EDIT. -->

`+"`meshroll rules`"+` lists these rules and `+"`meshroll explain ID`"+` prints one. Disable a rule
with `+"`--disable ID`"+` or in `+"`.meshroll.yaml`"+`, change its severity in `+"`.meshroll.yaml`"+`, and
suppress it on one resource with the annotation `+"`"+meta.SuppressPrefix+"ID: \"<reason>\"`"+`.

Severities follow one rule: an error means Istio rejects the object or traffic
breaks; a best practice is a warning or an info. Each rule says why it has its
severity. `+"`--fail-on error`"+` (the default) therefore fails only on what
would be rejected or would break traffic.

| ID | name | severity | checks |
| --- | --- | --- | --- |
`)
	for _, r := range rules {
		fmt.Fprintf(b, "| [%s](#%s) | %s | %s | %s |\n", r.ID, anchor(r), r.Name, r.Severity, strings.ReplaceAll(r.Summary, "|", `\|`))
	}
	for _, r := range rules {
		fmt.Fprintf(b, "\n## %s %s\n\n", r.ID, r.Name)
		fmt.Fprintf(b, "Severity: %s. Since: %s. Based on: %s.\n\n", r.Severity, r.Since, r.Anchor)
		fmt.Fprintf(b, "%s.\n\n", upperFirst(r.Summary))
		fmt.Fprintf(b, "%s\n\n", r.Doc)
		if r.SeverityWhy != "" {
			fmt.Fprintf(b, "Why this severity: %s\n\n", r.SeverityWhy)
		}
		if r.Base != "" {
			fmt.Fprintf(b, "At the base revision:\n\n```yaml\n%s```\n\n", r.Base)
		}
		fmt.Fprintf(b, "Flagged:\n\n```yaml\n%s```\n\nFixed:\n\n```yaml\n%s```\n", r.Bad, r.Good)
	}
	return b.Flush()
}

// anchor is the id GitHub gives the heading "## MR101 subset-not-found".
func anchor(r *Rule) string { return strings.ToLower(r.ID) + "-" + r.Name }

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
