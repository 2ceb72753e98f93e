package report

import (
	"encoding/json"
	"io"

	"github.com/meshroll/meshroll/lint"
)

// jsonReporter writes the JSON form of DESIGN.md, which scripts rely on: do
// not add, rename or drop fields.
type jsonReporter struct{}

type jsonReport struct {
	Diagnostics []jsonDiagnostic `json:"diagnostics"`
	Summary     jsonSummary      `json:"summary"`
}

type jsonDiagnostic struct {
	Rule     string `json:"rule"`
	Name     string `json:"name"`
	Severity string `json:"severity"`
	Resource string `json:"resource"`
	File     string `json:"file"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	Message  string `json:"message"`
}

type jsonSummary struct {
	Files     int `json:"files"`
	Resources int `json:"resources"`
	Errors    int `json:"errors"`
	Warnings  int `json:"warnings"`
	Infos     int `json:"infos"`
}

func (jsonReporter) Report(w io.Writer, r *lint.Report) error {
	out := jsonReport{
		Diagnostics: make([]jsonDiagnostic, 0, len(r.Diagnostics)),
		Summary: jsonSummary{
			Files: r.Files, Resources: r.Resources,
			Errors: r.Count(lint.Error), Warnings: r.Count(lint.Warning), Infos: r.Count(lint.Info),
		},
	}
	for _, d := range r.Diagnostics {
		out.Diagnostics = append(out.Diagnostics, jsonDiagnostic{
			Rule: d.Rule, Name: d.Name, Severity: d.Severity.String(), Resource: d.Resource,
			File: d.File, Line: d.Line, Column: d.Column, Message: d.Message,
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}
