package lint

func routingExpectation() *Rule {
	return &Rule{
		ID:          "MR601",
		Name:        "routing-expectation",
		Severity:    Error,
		SeverityWhy: `Error: the intent's own expectation fails, so the rendered routing does not do what the team wrote it must do.`,
		Summary:     "a request listed in the intent's expect does not reach the destinations it must in a phase (intent lint)",
		Doc: `A rollout's intent may carry routing tests: requests, the phases they cover,
and the share each track or subset must receive. meshroll simulates each
request on the rendered VirtualService of each phase with Istio's matching
semantics (routes in order, first match wins) and reports every expectation
that does not hold, at the expectation's line, with where the request went. A
request is the one Envoy sees (a header listed twice is matched as its values
joined with ","), and an expectation with a gateway sends it through one of
the rollout's gateways, for its public host, as ingress traffic arrives.

A failure means the intent no longer does what its expectations say: a route
was reordered, a match changed, a phase's weights moved. Fix the intent, or the
expectation if the change is meant. meshroll test runs the expectations alone;
render and check refuse intent whose expectations fail.`,
		Bad: `rollouts: reviews: {
	stable: subset: "v1"
	canary: subset: "v2"
	phase: "canary"
	expect: [{request: headers: "end-user": "jason", phases: ["canary"], reaches: canary: 100}]
}
`,
		Good: `rollouts: reviews: {
	stable: subset: "v1"
	canary: subset: "v2"
	phase: "canary"
	routes: [{name: "jason", match: headers: "end-user": exact: "jason", to: "canary"}]
	expect: [{request: headers: "end-user": "jason", phases: ["canary"], reaches: canary: 100}]
}
`,
		Intent: true,
		Since:  since,
		Anchor: "routing tests",
		Run:    runRoutingExpectation,
	}
}

func runRoutingExpectation(pass *Pass) {
	if pass.Intent == nil {
		return
	}
	for _, r := range pass.Intent.Rollouts {
		for _, c := range r.Checks {
			if c.Failure != "" {
				pass.ReportAtf(r, c.Pos, "rollout %s: expectation %q fails %s", r.Name, c.Name, c.Failure)
			}
		}
	}
}
