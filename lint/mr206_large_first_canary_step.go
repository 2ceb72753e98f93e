package lint

func largeFirstCanaryStep() *Rule {
	return &Rule{
		ID:          "MR206",
		Name:        "large-first-canary-step",
		Severity:    Warning,
		SeverityWhy: `Warning: a best practice of progressive delivery; nothing is rejected and nothing breaks.`,
		Summary:     "the first phase that sends weighted traffic to the canary sends more than 10% (intent lint)",
		Doc: `The first rule of a canary release: start with a small share of traffic.
The first phase of a ladder that sends the canary any weighted traffic decides
how many users meet a bad release before anyone can react; 10% (the default
ladder's canary phase) keeps that blast radius small, and A/B routes can send
testers to the canary before any weight moves.

Insert a phase of 10% or less before the large step. This rule checks intent
(meshroll lint --intents), where the ladder is.`,
		Bad: `rollouts: reviews: {
	stable: subset: "v1"
	canary: subset: "v2"
	phases: [{name: "start", canaryWeight: 0}, {name: "big", canaryWeight: 50}, {name: "promote", canaryWeight: 100}]
}
`,
		Good: `rollouts: reviews: {
	stable: subset: "v1"
	canary: subset: "v2"
	phases: [{name: "start", canaryWeight: 0}, {name: "canary", canaryWeight: 10, hold: "1h"}, {name: "half", canaryWeight: 50, hold: "2h"}, {name: "promote", canaryWeight: 100}]
}
`,
		Intent: true,
		Since:  since,
		Anchor: "canary best practice: a small first step",
		Run:    runLargeFirstCanaryStep,
	}
}

// firstStepLimit is the largest share a ladder's first canary step should
// send.
const firstStepLimit = 10

func runLargeFirstCanaryStep(pass *Pass) {
	if pass.Intent == nil {
		return
	}
	for _, r := range pass.Intent.Rollouts {
		if !r.Canary {
			continue
		}
		for _, p := range r.Phases {
			if p.CanaryWeight == 0 {
				continue
			}
			if p.CanaryWeight > firstStepLimit {
				pass.ReportAtf(r, p.Pos, "rollout %s: phase %s is the first to send the canary traffic, and it sends %d%%; start with %d%% or less and widen in later phases", r.Name, p.Name, p.CanaryWeight, firstStepLimit)
			}
			break
		}
	}
}
