package report

import (
	"encoding/json"
	"io"
	"net/url"
	"path/filepath"
	"strings"

	sarif "github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/meshroll/meshroll/lint"
)

// sarifReporter writes SARIF 2.1.0 for GitHub code scanning and other
// consumers, with every rule of the run described.
type sarifReporter struct {
	version string
}

const informationURI = "https://github.com/meshroll/meshroll"

func (s sarifReporter) Report(w io.Writer, r *lint.Report) error {
	log := sarif.NewReport()
	run := sarif.NewRunWithInformationURI("meshroll", informationURI)
	if s.version != "" {
		v := s.version
		run.Tool.Driver.Version = &v
	}
	for _, ru := range r.Rules {
		rd := run.AddRule(ru.ID).
			WithName(ru.Name).
			WithShortDescription(sarif.NewMultiformatMessageString().WithText(ru.Summary)).
			WithFullDescription(sarif.NewMultiformatMessageString().WithText(ru.Doc))
		if u := ru.URL(); u != "" {
			rd.WithHelpURI(u)
		}
		rd.WithHelp(sarif.NewMultiformatMessageString().WithText(ru.Doc).WithMarkdown(ruleMarkdown(ru))).
			WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(level(ru.Severity)))
		pb := sarif.NewPropertyBag()
		pb.Add("tags", []string{"istio", ru.Anchor})
		rd.WithProperties(pb)
	}
	for _, d := range r.Diagnostics {
		res := run.CreateResultForRule(d.Rule).
			WithLevel(level(d.Severity)).
			WithMessage(sarif.NewTextMessage(d.Message))
		loc := sarif.NewLocationWithPhysicalLocation(
			sarif.NewPhysicalLocation().
				WithArtifactLocation(sarif.NewSimpleArtifactLocation(fileURI(d.File))).
				WithRegion(sarif.NewRegion().WithStartLine(d.Line).WithStartColumn(d.Column)))
		if d.Resource != "" {
			loc.WithLogicalLocations([]*sarif.LogicalLocation{
				sarif.NewLogicalLocation().WithFullyQualifiedName(d.Resource).WithKind("resource"),
			})
		}
		res.AddLocation(loc)
	}
	log.AddRun(run)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(log)
}

func level(s lint.Severity) string {
	switch s {
	case lint.Error:
		return "error"
	case lint.Warning:
		return "warning"
	}
	return "note"
}

// fileURI turns a file name into the URI reference SARIF wants: a relative
// path with forward slashes (relative to the repository, which is what code
// scanning resolves), or a file: URI for an absolute path.
func fileURI(name string) string {
	if name == lint.StdinName {
		return "stdin"
	}
	slashed := filepath.ToSlash(name)
	if filepath.IsAbs(name) {
		return (&url.URL{Scheme: "file", Path: slashed}).String()
	}
	return (&url.URL{Path: strings.TrimPrefix(slashed, "./")}).String()
}

func ruleMarkdown(r *lint.Rule) string {
	var b strings.Builder
	b.WriteString(r.Doc)
	b.WriteString("\n\nBad:\n\n```yaml\n")
	b.WriteString(r.Bad)
	b.WriteString("```\n\nGood:\n\n```yaml\n")
	b.WriteString(r.Good)
	b.WriteString("```\n")
	return b.String()
}
