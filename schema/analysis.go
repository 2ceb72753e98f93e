package schema

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// QueryVariables are the variables a custom query may use, written
// {{name}}: what the built-in templates select the canary by.
var QueryVariables = []string{"canary", "interval", "namespace", "rollout", "service", "version"}

// queryVariable matches {{ name }} in a query.
var queryVariable = regexp.MustCompile(`\{\{\s*([^{}]*?)\s*\}\}`)

// QueryVariableNames returns the variables query uses, in order of first
// use, and the first text between {{ and }} that is not a variable name.
func QueryVariableNames(query string) (names []string, unknown string) {
	seen := map[string]bool{}
	for _, m := range queryVariable.FindAllStringSubmatch(query, -1) {
		if indexOf(QueryVariables, m[1]) < 0 {
			if unknown == "" {
				unknown = m[0]
			}
			continue
		}
		if !seen[m[1]] {
			seen[m[1]] = true
			names = append(names, m[1])
		}
	}
	return names, unknown
}

// analysis decodes the rollout's analysis block and checks what the schema
// cannot say: one of template and query, at least one bound, bounds in
// order, unique names, known variables, and a canary to analyse.
func (d *decoder) analysis(r *Rollout, n *Node) {
	an := n.Get("analysis")
	if an == nil {
		return
	}
	ctx := "rollout " + r.Name + ": analysis"
	a := &Analysis{Interval: DefaultAnalysisInterval, Pos: an.P()}
	if iv := an.Get("interval"); iv != nil {
		a.Interval = d.duration(ctx, "interval", iv)
		if a.Interval > 0 && a.Interval%time.Second != 0 {
			d.errorf(iv.P(), "%s: interval %q is not a whole number of seconds; Prometheus ranges are written in whole seconds or more", ctx, iv.S())
		}
	}
	ms := an.Get("metrics")
	if len(ms.List()) == 0 {
		d.errorf(an.P(), "%s: metrics is empty; list at least one metric, or remove the analysis", ctx)
	}
	if r.Canary == nil {
		d.errorf(an.P(), "%s: the rollout has no canary, so there is nothing to analyse; add a canary track or remove the analysis", ctx)
	}
	for _, e := range ms.List() {
		m := Metric{Name: e.Get("name").S(), Template: str(e.Get("template"), ""), Query: str(e.Get("query"), ""), Pos: e.P()}
		mctx := fmt.Sprintf("%s: metric %s", ctx, m.Name)
		for _, q := range a.Metrics {
			if q.Name == m.Name {
				d.errorf(e.Get("name").P(), "%s is listed twice; metric names are unique", mctx)
			}
		}
		switch {
		case m.Template == "" && m.Query == "":
			d.errorf(e.P(), "%s has neither a template nor a query; give it template: %q or %q, or a PromQL query", mctx, TemplateSuccessRate, TemplateDuration)
		case m.Template != "" && m.Query != "":
			d.errorf(e.Get("query").P(), "%s has both a template and a query; give one", mctx)
		case m.Query != "":
			if _, unknown := QueryVariableNames(m.Query); unknown != "" {
				d.errorf(e.Get("query").P(), "%s: query uses %s, which is not a variable; the variables are %s", mctx, unknown, orList(wrapVars(QueryVariables)))
			}
			if strings.TrimSpace(m.Query) == "" {
				d.errorf(e.Get("query").P(), "%s: query is blank", mctx)
			}
		}
		if r.Canary != nil && r.Canary.Subset != "" && r.Canary.Labels["version"] == "" {
			names, _ := QueryVariableNames(m.Query)
			if m.Template != "" || indexOf(names, "version") >= 0 {
				d.errorf(e.P(), "%s: the canary subset %s has no version label, which Istio's metrics tell its requests apart by (destination_version); give it labels: version: ..., or write a query that selects it otherwise", mctx, r.Canary.Subset)
			}
		}
		if v := e.Get("min"); v != nil {
			f := v.F()
			m.Min = &f
		}
		if v := e.Get("max"); v != nil {
			f := v.F()
			m.Max = &f
		}
		switch {
		case m.Min == nil && m.Max == nil:
			d.errorf(e.P(), "%s has no bounds; give it min, max or both, such as min: 99 for a success rate in percent", mctx)
		case m.Min != nil && m.Max != nil && *m.Min > *m.Max:
			d.errorf(e.Get("min").P(), "%s: min %s is above max %s, so no value passes", mctx, formatNum(*m.Min), formatNum(*m.Max))
		}
		a.Metrics = append(a.Metrics, m)
	}
	r.Analysis = a
}

func wrapVars(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "{{" + n + "}}"
	}
	return out
}
