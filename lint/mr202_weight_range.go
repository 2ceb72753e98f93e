package lint

func weightRange() *Rule {
	return &Rule{
		ID:          "MR202",
		Name:        "weight-range",
		Severity:    Error,
		SeverityWhy: `Error for a negative weight: the validation webhook rejects it. Warning for a weight above 100: Istio accepts it and scales the weights, so traffic flows in proportions nobody wrote down.`,
		Summary:     "a weight below 0 or above 100",
		Doc: `A destination weight is a percentage: Istio's validation rejects a weight
below 0 or above 100, so the whole VirtualService is refused and the previous
routing stays in force.

Use a weight from 0 to 100.`,
		Bad: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
      weight: 115
    - destination: {host: reviews, subset: v2}
      weight: -15
`,
		Good: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
      weight: 85
    - destination: {host: reviews, subset: v2}
      weight: 15
`,
		Since:  since,
		Anchor: "Istio validation",
		Run:    runWeightRange,
	}
}

func runWeightRange(pass *Pass) {
	for _, vs := range pass.Index.VirtualServices {
		for _, rt := range pass.Index.Routes(vs) {
			for _, d := range rt.Destinations {
				switch {
				case d.Weight < 0:
					pass.Reportf(vs, d.WeightPath(), "weight %d is negative, so Istio rejects the VirtualService: use a percentage from 0 to 100", d.Weight)
				case d.Weight > 100:
					pass.ReportSeverityf(Warning, vs, d.WeightPath(), "weight %d is above 100; Istio accepts it and scales the weights, so the split is not what it says: use a percentage from 0 to 100", d.Weight)
				}
			}
		}
	}
}
