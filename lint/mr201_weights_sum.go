package lint

import (
	"strconv"
	"strings"
)

func weightsSum() *Rule {
	return &Rule{
		ID:          "MR201",
		Name:        "weights-sum",
		Severity:    Warning,
		SeverityWhy: `Warning: since Istio 1.15 a sum other than 100 is accepted and scaled, so traffic flows, just not in the proportions written. Error when several destinations all have weight 0: Istio rejects that route (total destination weight 0).`,
		Summary:     "the destinations of one route have weights that do not sum to 100",
		Doc: `The weights of a route's destinations are percentages of its traffic. Since
Istio 1.15 a sum other than 100 is normalised instead of rejected, so 90 and 20
send 82% and 18%: not what either number says. State weights that add up to
exactly 100, so that a reviewer reads the split off the manifest. A single destination without a weight gets all the traffic and needs
none; a destination without a weight next to others has weight 0.

Make the weights of every route add up to 100.`,
		Bad: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
      weight: 90
    - destination: {host: reviews, subset: v2}
      weight: 20
`,
		Good: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
      weight: 90
    - destination: {host: reviews, subset: v2}
      weight: 10
`,
		Since:  since,
		Anchor: "traffic shifting",
		Run:    runWeightsSum,
	}
}

func runWeightsSum(pass *Pass) {
	for _, vs := range pass.Index.VirtualServices {
		for _, rt := range pass.Index.Routes(vs) {
			ds := rt.Destinations
			if len(ds) == 0 {
				continue
			}
			sum, outOfRange := int64(0), false
			var ws []string
			for _, d := range ds {
				sum += int64(d.Weight)
				outOfRange = outOfRange || d.Weight < 0 || d.Weight > 100
				ws = append(ws, strconv.Itoa(int(d.Weight)))
			}
			switch {
			case outOfRange:
				continue // MR202 says what to fix.
			case len(ds) == 1 && (sum == 0 || sum == 100):
				continue
			case sum == 100:
				continue
			case len(ds) == 1:
				pass.Reportf(vs, ds[0].WeightPath(), "the only destination of %s has weight %d; it gets all traffic anyway: state weight 100, or none", rt.Path(), sum)
			case sum == 0:
				// validateHTTPRouteDestinations (Istio 1.32): several
				// destinations whose weights total 0 are rejected.
				pass.ReportSeverityf(Error, vs, rt.Path()+".route", "none of the %d destinations of %s has a weight, and Istio rejects a route whose weights total 0: give them weights that add up to 100", len(ds), rt.Path())
			default:
				pass.Reportf(vs, rt.Path()+".route", "the weights of %s (%s) add up to %d, not 100; Istio scales them: make them add up to 100", rt.Path(), strings.Join(ws, " + "), sum)
			}
		}
	}
}
