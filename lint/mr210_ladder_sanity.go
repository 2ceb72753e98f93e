package lint

func ladderSanity() *Rule {
	return &Rule{
		ID:          "MR210",
		Name:        "ladder-sanity",
		Severity:    Warning,
		SeverityWhy: `Warning: a best practice for rollout ladders; what it flags renders and applies.`,
		Summary:     "a phase ladder that moves traffic back, never promotes, or shifts traffic without a hold (intent lint)",
		Doc: `A phase ladder is meant to move traffic to the canary step by step and wait at
each step long enough to see the metrics (the default ladder holds each step
for one, two and four hours). This rule flags ladders that defeat that:

- a phase that sends the canary less than the phase before it: advancing moves
  traffic back, which is a rollback in disguise (use rollback);
- a ladder whose last phase does not send 100% to the canary, so the rollout can
  never finish;
- a phase that splits traffic (between 0% and 100%) without a hold, so
  meshroll advance does not wait before the next step.

This rule checks intent (meshroll lint --intents), where the ladder is.`,
		Bad: `rollouts: reviews: {
	stable: subset: "v1"
	canary: subset: "v2"
	phases: [{name: "start", canaryWeight: 0}, {name: "half", canaryWeight: 50}, {name: "less", canaryWeight: 20, hold: "1h"}]
}
`,
		Good: `rollouts: reviews: {
	stable: subset: "v1"
	canary: subset: "v2"
	phases: [{name: "start", canaryWeight: 0}, {name: "canary", canaryWeight: 10, hold: "1h"}, {name: "promote", canaryWeight: 100}]
}
`,
		Intent: true,
		Since:  since,
		Anchor: "progressive traffic shifting",
		Run:    runLadderSanity,
	}
}

func runLadderSanity(pass *Pass) {
	if pass.Intent == nil {
		return
	}
	for _, r := range pass.Intent.Rollouts {
		if !r.Canary || len(r.Phases) == 0 {
			continue
		}
		for i, p := range r.Phases {
			if i > 0 && p.CanaryWeight < r.Phases[i-1].CanaryWeight {
				pass.ReportAtf(r, p.Pos, "rollout %s: phase %s sends the canary %d%%, less than phase %s before it (%d%%); order the ladder by growing weight and use rollback to move traffic back", r.Name, p.Name, p.CanaryWeight, r.Phases[i-1].Name, r.Phases[i-1].CanaryWeight)
			}
			if p.CanaryWeight > 0 && p.CanaryWeight < 100 && p.Hold == 0 {
				pass.ReportAtf(r, p.Pos, "rollout %s: phase %s splits traffic %d/%d but has no hold; give it a hold (such as 1h) so that advancing waits for the metrics", r.Name, p.Name, 100-p.CanaryWeight, p.CanaryWeight)
			}
		}
		if last := r.Phases[len(r.Phases)-1]; last.CanaryWeight != 100 {
			pass.ReportAtf(r, last.Pos, "rollout %s: the last phase, %s, sends the canary %d%%, so the rollout never promotes; end the ladder with a phase at 100%%", r.Name, last.Name, last.CanaryWeight)
		}
	}
}
