package lint

import (
	"fmt"
	"strings"

	"github.com/meshroll/meshroll/manifest"
)

// Rule is one check. Its user-facing text lives here and only here: the
// rules and explain commands, docs/rules.md and SARIF output are made from it.
type Rule struct {
	ID       string   // stable ID, such as MR101; never reused
	Name     string   // kebab-case name, such as subset-not-found
	Severity Severity // default severity of its findings
	// SeverityWhy says why the default severity is what it is, measured
	// against the catalogue's rule: an error means Istio rejects the object
	// or traffic breaks; a best practice is a warning or an info.
	SeverityWhy string
	Summary     string // one line: what is wrong
	Doc         string // why it matters and what to do, in plain text paragraphs
	Bad         string // a YAML example that the rule flags
	Good        string // the same example, fixed
	// Base is, for a rule that compares a change with a base revision
	// (check --base), the intent at the base; Bad and Good are then the
	// working tree's.
	Base  string
	Since string // meshroll version that introduced the rule
	// Anchor names what the rule rests on: a traffic-management practice, Istio's
	// analyzer codes (IST0101), Kiali's checks (KIA0201), Istio validation.
	Anchor string
	// External marks a rule from a user's policy directory: documented in
	// its own files, not in meshroll's catalogue.
	External bool
	// Intent marks a rule that checks rollout intent (meshroll lint
	// --intents) rather than manifests: its Bad and Good examples are CUE
	// intent, and package lint/intent tests them and its fixtures.
	Intent bool
	// Input marks a rule whose findings come from loading the input (what
	// cannot be read, or is skipped on purpose) rather than from Run: its
	// Bad and Good examples are txtar archives of a directory, and its
	// fixtures are directories.
	Input bool
	// Run checks the resources of pass and reports through it; nil for an
	// Input rule.
	Run func(pass *Pass)
}

// DocsURL is where docs/rules.md is published; Rule.URL links into it.
const DocsURL = "https://github.com/meshroll/meshroll/blob/main/docs/rules.md"

// URL is the rule's section in the published rule catalogue; "" for an
// external rule.
func (r *Rule) URL() string {
	if r.External {
		return ""
	}
	return DocsURL + "#" + strings.ToLower(r.ID) + "-" + r.Name
}

// Pass is what a rule sees of one run: every resource, the index, and a way
// to report.
type Pass struct {
	Rule      *Rule
	Resources []*manifest.Resource
	Index     *manifest.Index
	// Intent is the intent behind the manifests; nil unless linting intents.
	Intent *Intent
	// IstioVersion is the Istio minor release the manifests target, such as
	// "1.32"; never empty.
	IstioVersion string

	known    map[string]bool
	findings []finding
	err      error
}

// Fail stops the run with err: for a rule that cannot judge the input at
// all, such as a policy whose evaluation passed meshroll's limits. The
// command then exits with status 2, as for input it cannot read.
func (p *Pass) Fail(err error) {
	if p.err == nil {
		p.err = err
	}
}

type finding struct {
	d Diagnostic
	r *manifest.Resource
}

// Reportf reports a finding of the rule's severity on resource r at the
// field at data path (such as spec.http[0].route[1].weight; "" for the
// object). The message says what is wrong and what to do.
func (p *Pass) Reportf(r *manifest.Resource, path, format string, args ...any) {
	p.ReportSeverityf(p.Rule.Severity, r, path, format, args...)
}

// ReportSeverityf is Reportf with a severity other than the rule's, for
// rules whose findings differ in weight. A severity configured for the rule
// still overrides it.
func (p *Pass) ReportSeverityf(sev Severity, r *manifest.Resource, path, format string, args ...any) {
	pos, origin := r.Positions(path)
	p.findings = append(p.findings, finding{
		d: Diagnostic{
			Rule:     p.Rule.ID,
			Name:     p.Rule.Name,
			Severity: sev,
			Resource: r.ID(),
			Position: pos,
			Path:     path,
			Message:  fmt.Sprintf(format, args...),
			Origin:   origin,
		},
		r: r,
	})
}

// IsRule reports whether id names a rule of this run, enabled or not.
func (p *Pass) IsRule(id string) bool { return p.known[id] }
