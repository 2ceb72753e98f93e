package gate

import (
	"fmt"
	"strings"

	"github.com/meshroll/meshroll/schema"
)

// exampleIntent is the rollout Explain shows the templates' queries for.
const exampleIntent = `rollouts: reviews: {
	namespace: "bookinfo"
	stable: subset: "v1"
	canary: subset: "v2"
	analysis: {
		interval: "1m"
		metrics: [
			{name: "success", template: "request-success-rate", min: 99},
			{name: "latency", template: "request-duration", max: 500},
			{name: "errors", query: "sum(rate(istio_requests_total{reporter=\"destination\",{{canary}},response_code=~\"5..\"}[{{interval}}]))", max: 1},
		]
	}
}
`

// Explain documents the analysis block for meshroll explain analysis: the
// fields, the templates with the PromQL they run for an example rollout
// (made by Query, so the text cannot drift from what is queried), and the
// variables of custom queries.
func Explain() (string, error) {
	in, err := schema.LoadFiles([]schema.File{{Path: "example.cue", Data: []byte(exampleIntent)}})
	if err != nil {
		return "", fmt.Errorf("the example intent of explain analysis: %w", err)
	}
	r := in.Rollouts[0]
	var b strings.Builder
	b.WriteString(`analysis: metric gates for progressive delivery

A rollout's analysis names the metrics that gate each step of its ladder,
read from Prometheus (--prometheus URL, or prometheus.url in .meshroll.yaml,
with a bearer token from the environment variable prometheus.tokenEnv names).
meshroll gate ROLLOUT... judges the live phase now: pass, fail (a metric out
of its bounds) or no-data (a query returned nothing, or NaN). meshroll promote,
run on a schedule, rolls back on fail (the failing metrics become the
rollout's reason), advances on pass once the live phase's hold has passed,
and waits otherwise.

`)
	b.WriteString(indentText(exampleIntent))
	b.WriteString(`
Fields:
    interval   the window of every query (default 1m): rate()'s range
    metrics    each {name, template or query, min and/or max}; the gate
               passes when every value is within its bounds

Templates, over Istio's standard metrics as the canary's sidecars report them
(reporter="destination"), selecting the canary by its namespace, its host's
short name and, for a subset track, its version label. For the rollout above:

`)
	for _, m := range r.Analysis.Metrics {
		if m.Template == "" {
			continue
		}
		what := "the percentage of requests not answered with a 5xx"
		if m.Template == schema.TemplateDuration {
			what = "the 99th percentile of request durations, in milliseconds"
		}
		fmt.Fprintf(&b, "  %s: %s\n%s\n", m.Template, what, indentText(Query(r, m)))
	}
	b.WriteString(`A query is PromQL whose result is one number (a scalar, or a vector of one
sample). These variables are replaced before it runs:

`)
	vars := Vars(r)
	for _, name := range schema.QueryVariables {
		fmt.Fprintf(&b, "    {{%s}}%s%s\n", name, strings.Repeat(" ", 12-len(name)), vars[name])
	}
	b.WriteString(`
so the errors metric above runs:

`)
	b.WriteString(indentText(Query(r, r.Analysis.Metrics[2])))
	b.WriteString(`
No sample, or NaN, is no data. Several series, a range vector, a query
Prometheus rejects, a timeout or an unreachable Prometheus stop gate and
promote with exit status 2, and nothing is written.
`)
	return b.String(), nil
}

func indentText(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		b.WriteString("    " + l + "\n")
	}
	return b.String()
}
