package intent

import (
	"github.com/meshroll/meshroll/lint"
	"github.com/meshroll/meshroll/schema"
)

// Errors turns the problems of intent that does not load into a report of
// MR905 diagnostics, one per problem at its file, line and column, so that
// every output format — JSON, SARIF, GitHub annotations, Markdown — reports
// invalid intent as it reports findings.
func Errors(errs schema.Errors) *lint.Report {
	rule := lint.Lookup(lint.All(), lint.InvalidIntentID)
	files := map[string]bool{}
	ds := make([]lint.Diagnostic, 0, len(errs))
	for _, e := range errs {
		files[e.Pos.File] = true
		ds = append(ds, lint.Diagnostic{
			Rule:     rule.ID,
			Name:     rule.Name,
			Severity: rule.Severity,
			Position: position(e.Pos),
			Message:  e.Msg,
		})
	}
	lint.SortDiagnostics(ds)
	return &lint.Report{Diagnostics: ds, Rules: []*lint.Rule{rule}, Files: len(files)}
}
