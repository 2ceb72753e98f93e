package lint

import "github.com/meshroll/meshroll/internal/yamlpath"

func invalidSuppression() *Rule {
	return &Rule{
		ID:          "MR901",
		Name:        "invalid-suppression",
		Severity:    Warning,
		SeverityWhy: `Warning: nothing in the cluster is affected; the suppression silences nothing, which the team should fix.`,
		Summary:     "a meshroll.dev/ignore annotation without a reason, or for a rule that does not exist",
		Doc: `A finding that does not apply to one resource is suppressed with an annotation
on that resource, one per rule, whose value says why:

    metadata:
      annotations:
        meshroll.dev/ignore.MR303: "chaos test, removed after game day 2024-06"

A suppression without a reason suppresses nothing: the next reader could not
tell a deliberate exception from a silenced problem. One that names no rule
(a typo, a rule that was removed) suppresses nothing either. Both are reported
here, so that they are fixed rather than trusted.

Give the reason as the annotation's value, and use an ID from meshroll rules.`,
		Bad: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
  annotations:
    meshroll.dev/ignore.MR301: ""      # no reason
    meshroll.dev/ignore.MR999: "typo"  # no such rule
spec:
  host: reviews
`,
		Good: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
  annotations:
    meshroll.dev/ignore.MR301: "limits come from the mesh-wide DestinationRule"
spec:
  host: reviews
`,
		Since:  since,
		Anchor: "staticcheck's lint:ignore",
		Run:    runInvalidSuppression,
	}
}

func runInvalidSuppression(pass *Pass) {
	for _, r := range pass.Resources {
		for _, s := range suppressionsOf(r) {
			path := "metadata.annotations" + yamlpath.Key(s.key)
			switch {
			case !pass.IsRule(s.id):
				pass.Reportf(r, path, "annotation %s names no rule, so it suppresses nothing: use an ID from meshroll rules", s.key)
			case s.reason == "":
				pass.Reportf(r, path, "annotation %s gives no reason, so it suppresses nothing: write why %s does not apply here as its value", s.key, s.id)
			}
		}
	}
}
