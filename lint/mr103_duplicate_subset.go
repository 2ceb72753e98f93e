package lint

import "fmt"

func duplicateSubset() *Rule {
	return &Rule{
		ID:          "MR103",
		Name:        "duplicate-subset",
		Severity:    Error,
		SeverityWhy: `Error: Istio rejects the object. The validation webhook refuses a DestinationRule that defines a subset name twice.`,
		Summary:     "a DestinationRule defines the same subset name twice",
		Doc: `Subset names must be unique within a DestinationRule; Istio's validation
rejects a DestinationRule that repeats one. Even where it got through, only one
of the definitions would take effect, and which one is not obvious.

Rename or remove the duplicate.`,
		Bad: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
spec:
  host: reviews
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v1, labels: {version: v2}}  # v1 again
`,
		Good: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
spec:
  host: reviews
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
`,
		Since:  since,
		Anchor: "Istio validation",
		Run:    runDuplicateSubset,
	}
}

func runDuplicateSubset(pass *Pass) {
	for _, dr := range pass.Index.DestinationRules {
		first := map[string]int{}
		for i, s := range dr.DestinationRule().GetSubsets() {
			j, dup := first[s.GetName()]
			if !dup {
				first[s.GetName()] = i
				continue
			}
			pass.Reportf(dr, fmt.Sprintf("spec.subsets[%d].name", i), "subset %q is already defined at spec.subsets[%d]: rename or remove one of them",
				s.GetName(), j)
		}
	}
}
