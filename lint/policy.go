package lint

import (
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/meshroll/meshroll/internal/bound"
	"github.com/meshroll/meshroll/manifest"
	"github.com/meshroll/meshroll/policies"
)

// builtinSince is the release that introduced the built-in policies.
const builtinSince = since

// builtinPolicies is the engine of the CUE policies shipped with meshroll
// (policies/builtin): rules written as CUE constraints rather than Go.
var builtinPolicies = sync.OnceValues(func() (*policies.Engine, error) { return policies.Load() })

// Inspect is the manifest.LoadOptions.Inspect of manifests that lint will
// check: it evaluates the built-in policies on r while its tree n is at hand,
// so that the rules need not build the tree again (see manifest.Resource.Node).
func Inspect(r *manifest.Resource, n *yaml.Node) {
	e, err := builtinPolicies()
	if err != nil || !e.Applies(r.Kind) {
		return
	}
	r.Inspected = builtinVerdict(e.Evaluate(n, r.File, r.Kind))
}

// builtinVerdict is what the built-in policies found in an object as it was
// read (Inspect).
type builtinVerdict []policies.Violation

// policyRules returns the built-in rules that are CUE policies.
func policyRules() []*Rule {
	e, err := builtinPolicies()
	if err != nil {
		// The built-in policies are embedded and tested; a failure here is a
		// broken build, which the registry test reports.
		return []*Rule{{ID: "MR000", Name: "builtin-policies", Severity: Error, Summary: "the built-in CUE policies do not compile: " + err.Error(), Run: func(*Pass) {}}}
	}
	return PolicyRules(e.Filter(func(p policies.Policy) bool { return p.Builtin }))
}

// builtinSeverityWhy says why the built-in policies have the severity they
// have (see Rule.SeverityWhy); a user's policy documents its own.
var builtinSeverityWhy = map[string]string{
	"MR303": "Warning: Istio accepts a fault block and traffic flows, with the injected delays and aborts; it is intended in a chaos test and dangerous when left in by mistake.",
	"MR401": "Warning: Istio accepts PERMISSIVE and DISABLE and traffic flows, plain text included; STRICT is a security practice, not something whose absence breaks traffic. A team that requires STRICT raises it with lint.severity: {MR401: error} in .meshroll.yaml.",
}

// PolicyRules turns the policies of e into rules: each checks the manifests
// of its kinds against its CUE constraint and reports every violation at the
// offending field.
func PolicyRules(e *policies.Engine) []*Rule {
	var rules []*Rule
	for _, p := range e.Policies() {
		only := e.Filter(func(q policies.Policy) bool { return q.ID == p.ID })
		doc, bad, good := splitExamples(p.Doc)
		anchor, since := "CUE policy "+p.File, ""
		if p.Builtin {
			anchor, since = "best practice; CUE policy policies/builtin", builtinSince
		}
		rules = append(rules, &Rule{
			ID:          p.ID,
			Name:        p.Name,
			Severity:    severityOf(p.Severity),
			SeverityWhy: builtinSeverityWhy[p.ID],
			Summary:     summaryOf(p),
			Doc:         doc,
			Bad:         bad,
			Good:        good,
			Since:       since,
			Anchor:      anchor,
			External:    !p.Builtin,
			Run: func(pass *Pass) {
				if only.Bounded() {
					runBounded(pass, only)
					return
				}
				for _, r := range pass.Resources {
					if !only.Applies(r.Kind) {
						continue
					}
					// The built-in policies ran as the object was read,
					// while its tree was at hand.
					if verdict, ok := r.Inspected.(builtinVerdict); p.Builtin && ok {
						for _, v := range verdict {
							if v.PolicyID == p.ID {
								pass.ReportSeverityf(severityOf(v.Severity), r, v.Path, "%s", v.Message)
							}
						}
						continue
					}
					// Node may build the tree again: ask once.
					n := r.Node()
					if n == nil {
						continue
					}
					for _, v := range only.Evaluate(n, r.File, r.Kind) {
						pass.ReportSeverityf(severityOf(v.Severity), r, v.Path, "%s", v.Message)
					}
				}
			},
		})
	}
	return rules
}

// runBounded evaluates a policy whose package CUE must evaluate whole for
// each manifest over all manifests at once, in a bounded child process (see
// policies.Engine.EvaluateAll); past a limit the run fails.
func runBounded(pass *Pass, only *policies.Engine) {
	var docs []policies.Doc
	var rs []*manifest.Resource
	for _, r := range pass.Resources {
		if !only.Applies(r.Kind) {
			continue
		}
		n := r.Node()
		if n == nil {
			continue
		}
		docs = append(docs, policies.Doc{Node: n, File: r.File, Kind: r.Kind})
		rs = append(rs, r)
	}
	if len(docs) == 0 {
		return
	}
	all, err := only.EvaluateAll(docs, bound.Default())
	if err != nil {
		pass.Fail(err)
		return
	}
	for i, vs := range all {
		for _, v := range vs {
			pass.ReportSeverityf(severityOf(v.Severity), rs[i], v.Path, "%s", v.Message)
		}
	}
}

func severityOf(s policies.Severity) Severity {
	switch s {
	case policies.SeverityError:
		return Error
	case policies.SeverityWarning:
		return Warning
	}
	return Info
}

// summaryOf is a policy's summary, or else a one-line summary made of its
// message, whose {path} and {value} placeholders name a finding rather than
// the rule.
func summaryOf(p policies.Policy) string {
	if p.Summary != "" {
		return p.Summary
	}
	msg := strings.NewReplacer("{path} ", "a field ", "{path}", "a field", "{value}", "its value").Replace(p.Message)
	if i := strings.Index(msg, "; "); i > 0 {
		msg = msg[:i]
	}
	return msg
}

// splitExamples separates the "Bad:" and "Good:" examples of a policy's
// documentation — tab-indented blocks after those lines — from its text.
func splitExamples(doc string) (text, bad, good string) {
	var out []string
	var cur *strings.Builder
	var b, g strings.Builder
	for _, line := range strings.Split(doc, "\n") {
		switch strings.TrimSpace(line) {
		case "Bad:":
			cur = &b
			continue
		case "Good:":
			cur = &g
			continue
		}
		if cur != nil {
			if rest, ok := strings.CutPrefix(line, "\t"); ok {
				cur.WriteString(rest + "\n")
				continue
			}
			if strings.TrimSpace(line) == "" {
				continue
			}
			cur = nil
		}
		out = append(out, line)
	}
	return strings.TrimSpace(strings.Join(out, "\n")), b.String(), g.String()
}
