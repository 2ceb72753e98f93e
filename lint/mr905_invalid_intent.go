package lint

// The ID and name of MR905, under which meshroll reports intent that does
// not load (package lint/intent turns the loader's errors into diagnostics).
const (
	InvalidIntentID   = "MR905"
	invalidIntentName = "invalid-intent"
)

func invalidIntent() *Rule {
	return &Rule{
		ID:          InvalidIntentID,
		Name:        invalidIntentName,
		Severity:    Error,
		SeverityWhy: "Error: nothing is rendered from intent that does not load, so the change cannot reach the cluster as written.",
		Summary:     "rollout intent that does not parse or breaks the intent schema, so nothing is rendered from it",
		Doc: `Intent that does not parse, or that the intent schema or meshroll's checks
refuse, renders nothing: render, check and the other commands stop with exit
status 2 before writing anything, and report every problem at once, each at the
file, line and column of the offending value. Among the problems: CUE, YAML or
JSON syntax errors, unknown fields (a "timout:" typo), weights out of range,
a live phase or a route target that does not exist, two rollouts that claim one
host, and names that are not DNS-1123 labels.

With -o json, sarif, github or markdown the problems are printed in that format
on standard output as MR905 diagnostics, so that CI turns them into annotations
at the intent's lines, as it does for lint findings; the text form goes to
standard error.

Fix the value the message names; meshroll schema prints the schema, for an
editor to check intent as it is typed.`,
		Bad: `rollouts: reviews: {
	stable: subset: "v1"
	canary: subset: "v2"
	phase:  "cannary"
}
`,
		Good: `rollouts: reviews: {
	stable: subset: "v1"
	canary: subset: "v2"
	phase:  "canary"
}
`,
		Intent: true,
		Since:  since,
		Anchor: "intent schema",
		// The loader finds these problems, before any rule runs.
		Run: func(*Pass) {},
	}
}
