package lint

import (
	"strings"
	"sync"

	"github.com/meshroll/meshroll/policies"
)

// builtinSince is the release that introduced the built-in policies.
const builtinSince = since

// builtinPolicies is the engine of the CUE policies shipped with meshroll
// (policies/builtin): rules written as CUE constraints rather than Go.
var builtinPolicies = sync.OnceValues(func() (*policies.Engine, error) { return policies.Load() })

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
			ID:       p.ID,
			Name:     p.Name,
			Severity: severityOf(p.Severity),
			Summary:  summaryOf(p),
			Doc:      doc,
			Bad:      bad,
			Good:     good,
			Since:    since,
			Anchor:   anchor,
			External: !p.Builtin,
			Run: func(pass *Pass) {
				for _, r := range pass.Resources {
					if r.Node == nil || !only.Applies(r.Kind) {
						continue
					}
					for _, v := range only.Evaluate(r.Node, r.File, r.Kind) {
						pass.ReportSeverityf(severityOf(v.Severity), r, v.Path, "%s", v.Message)
					}
				}
			},
		})
	}
	return rules
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
