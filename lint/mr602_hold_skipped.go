package lint

func holdSkipped() *Rule {
	return &Rule{
		ID:          "MR602",
		Name:        "hold-skipped",
		Severity:    Error,
		SeverityWhy: "Error: the change moves more production traffic to the canary than the ladder allows at this point — a step skipped, or a hold cut short — with no reason recorded for reviewers.",
		Summary:     "a rollout's live phase moved forward more than one step, or before the hold of the phase it left had passed, without a recorded reason (check --base)",
		Doc: `A phase ladder protects users only if every step waits out its hold: the
default ladder sends 10% to the canary for an hour, 25% for two and 50% for
four, so that the metrics can show a bad canary before most users reach it.
meshroll advance refuses to cut a hold short, but a hand edit of the phase
field (from half to promote four minutes into a four-hour hold) does not go
through advance.

meshroll check --base REF compares each rollout's live phase with the one at
the git revision REF (the branch a pull request merges into) and reports a
move that goes forward more than one step, or leaves a phase before its hold
has passed: from since at REF to the new since (or to now, when since did not
move or lies in the future). It also reports a since moved back without a
move, which makes a hold look passed. Moves back and rollbacks are always
allowed.

A move made on purpose records why: meshroll advance --force --reason TEXT
writes the rollout's reason next to since, the pull request diff shows it,
and this rule accepts the move. The reason must be new with the move; one
left from an earlier move does not count. Otherwise advance one phase at a
time once each hold has passed.`,
		Base: `rollouts: reviews: {
	stable: subset: "v1"
	canary: subset: "v2"
	phase: "half"
	since: "2026-11-20T11:00:00Z"
}
`,
		Bad: `rollouts: reviews: {
	stable: subset: "v1"
	canary: subset: "v2"
	phase: "promote"
	since: "2026-11-20T11:04:00Z"
}
`,
		Good: `rollouts: reviews: {
	stable: subset: "v1"
	canary: subset: "v2"
	phase: "promote"
	since: "2026-11-20T11:04:00Z"
	reason: "hotfix for INC-42; approved by the on-call lead"
}
`,
		Intent: true,
		Since:  "v0.2.0",
		Anchor: "the progressive-weights ladder and monitoring before each step",
		Run:    runHoldSkipped,
	}
}

func runHoldSkipped(pass *Pass) {
	if pass.Intent == nil {
		return
	}
	for _, r := range pass.Intent.Rollouts {
		if m := r.Move; m != nil && m.Problem != "" {
			pass.ReportAtf(r, m.Pos, "%s", m.Problem)
		}
	}
}
