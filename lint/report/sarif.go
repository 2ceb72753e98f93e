package report

import (
	"encoding/json"
	"io"
	"net/url"
	"path/filepath"
	"strings"

	sarif "github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/meshroll/meshroll/internal/version"
	"github.com/meshroll/meshroll/lint"
	"github.com/meshroll/meshroll/manifest"
)

// sarifReporter writes SARIF 2.1.0 for GitHub code scanning and other
// consumers, with every rule of the run described. Every artifact location
// is a path relative to the repository root with uriBaseId %SRCROOT%, never
// an absolute file: URI, so the log means the same on every machine and code
// scanning finds the file in the repository; a finding moved from a rendered
// manifest to the intent line that produced it carries the rendered line as a
// related location.
type sarifReporter struct {
	version string
	root    string
}

const informationURI = "https://github.com/meshroll/meshroll"

// srcRoot is the uriBaseId of the repository root, as code scanning and
// other SARIF consumers name it.
const srcRoot = "%SRCROOT%"

func (s sarifReporter) Report(w io.Writer, r *lint.Report) error {
	log := sarif.NewReport()
	run := sarif.NewRunWithInformationURI("meshroll", informationURI)
	if s.version != "" {
		run.Tool.Driver.WithVersion(s.version)
		if sv := version.Semantic(s.version); sv != "" {
			run.Tool.Driver.WithSemanticVersion(sv)
		}
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
		loc := sarif.NewLocationWithPhysicalLocation(s.physical(d.Position))
		if d.Resource != "" {
			loc.WithLogicalLocations([]*sarif.LogicalLocation{
				sarif.NewLogicalLocation().WithFullyQualifiedName(d.Resource).WithKind("resource"),
			})
		}
		res.AddLocation(loc)
		if d.Origin.File != "" {
			res.AddRelatedLocation(sarif.NewLocationWithPhysicalLocation(s.physical(d.Origin)).
				WithID(0).
				WithMessage(sarif.NewTextMessage("rendered here: " + relPath(s.root, d.Origin.File))))
		}
	}
	log.AddRun(run)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(log)
}

// physical is the physical location of p.
func (s sarifReporter) physical(p manifest.Position) *sarif.PhysicalLocation {
	al := sarif.NewSimpleArtifactLocation(fileURI(s.root, p.File))
	if p.File != manifest.StdinName {
		al.WithURIBaseID(srcRoot)
	}
	return sarif.NewPhysicalLocation().
		WithArtifactLocation(al).
		WithRegion(sarif.NewRegion().WithStartLine(p.Line).WithStartColumn(p.Column))
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

// fileURI turns a file name into the URI reference SARIF wants: a path
// relative to the repository root, with forward slashes and escaped as a
// URI path. Standard input has no file and is named "stdin".
func fileURI(root, name string) string {
	if name == manifest.StdinName {
		return "stdin"
	}
	return (&url.URL{Path: relPath(root, name)}).String()
}

// relPath names file relative to root (the repository root; "" for the
// working directory), slash-separated: the form code scanning and GitHub
// annotations resolve. A relative name is relative to the working
// directory. A file outside root keeps a relative path that climbs out of
// it, never an absolute one.
func relPath(root, name string) string {
	if name == manifest.StdinName {
		return name
	}
	abs, err := filepath.Abs(name)
	if err != nil {
		return filepath.ToSlash(strings.TrimPrefix(name, "./"))
	}
	base := root
	if base == "" {
		if base, err = filepath.Abs("."); err != nil {
			return filepath.ToSlash(name)
		}
	}
	rel, err := filepath.Rel(base, abs)
	if err != nil {
		return filepath.ToSlash(name)
	}
	return filepath.ToSlash(rel)
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
