package lint

import (
	"fmt"

	"github.com/meshroll/meshroll/manifest"
	"github.com/meshroll/meshroll/route"
)

func mirrorMisuse() *Rule {
	return &Rule{
		ID:          "MR304",
		Name:        "mirror-misuse",
		Severity:    Error,
		SeverityWhy: `Error for a mirror percentage outside 0..100: the CRD schema rejects it. Warning for mirroring to the destination that already gets the traffic: accepted, and the copies double its load.`,
		Summary:     "mirror percentage outside 0..100 (error); mirror to the destination that already gets the traffic (warning)",
		Doc: `Mirroring sends a copy of a route's requests to another destination, and
ignores the answers: the way to test a canary with production traffic before it
serves any. Two mistakes defeat it. A mirror percentage below 0 or above 100
is rejected by Istio's validation (error). A mirror to a destination the route
already sends the traffic to makes that destination handle every mirrored
request twice, with side effects twice, and tests nothing new (warning).

Use a percentage from 0 to 100, and mirror to the version under test, not to
the one serving the route.`,
		Bad: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - name: default
    route:
    - destination: {host: reviews, subset: v1}
    mirror: {host: reviews, subset: v1}  # the route's own destination
    mirrorPercentage: {value: 150}       # above 100
`,
		Good: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - name: default
    route:
    - destination: {host: reviews, subset: v1}
    mirror: {host: reviews, subset: v2}
    mirrorPercentage: {value: 100}
`,
		Since:  since,
		Anchor: "Istio validation",
		Run:    runMirrorMisuse,
	}
}

func runMirrorMisuse(pass *Pass) {
	ix := pass.Index
	for _, vs := range ix.VirtualServices {
		for _, rt := range pass.Index.Routes(vs) {
			h := rt.HTTP
			if h == nil {
				continue
			}
			if p := h.GetMirrorPercentage(); p != nil && (p.GetValue() < 0 || p.GetValue() > 100) {
				pass.ReportSeverityf(Error, vs, rt.Path()+".mirrorPercentage.value", "mirror percentage %g is outside 0..100, so Istio rejects the VirtualService: use a percentage from 0 to 100", p.GetValue())
			}
			if p := h.GetMirrorPercent(); p != nil && p.GetValue() > 100 {
				pass.ReportSeverityf(Error, vs, rt.Path()+".mirrorPercent", "mirror percent %d is above 100, so Istio rejects the VirtualService: use mirrorPercentage with a value from 0 to 100", p.GetValue())
			}
			for i, m := range h.GetMirrors() {
				if p := m.GetPercentage(); p != nil && (p.GetValue() < 0 || p.GetValue() > 100) {
					pass.ReportSeverityf(Error, vs, fmt.Sprintf("%s.mirrors[%d].percentage.value", rt.Path(), i), "mirror percentage %g is outside 0..100, so Istio rejects the VirtualService: use a percentage from 0 to 100", p.GetValue())
				}
			}
			weights := make([]int32, len(rt.Destinations))
			for i, d := range rt.Destinations {
				weights[i] = d.Weight
			}
			shares := route.Shares(weights)
			for _, m := range rt.Mirrors {
				for i, d := range rt.Destinations {
					if shares[i] == 0 {
						continue // gets no traffic
					}
					if sameDestination(ix, vs, m, d) {
						pass.ReportSeverityf(Warning, vs, m.Path(), "mirror to %s, which already serves this route (%s), so it gets every mirrored request twice: mirror to the version under test instead",
							describeDestination(m), d.Path())
						break
					}
				}
			}
		}
	}
}

func sameDestination(ix *manifest.Index, vs *manifest.Resource, a, b manifest.RouteDestination) bool {
	da, db := a.Destination, b.Destination
	if ix.Resolve(vs, da.GetHost()) != ix.Resolve(vs, db.GetHost()) || da.GetSubset() != db.GetSubset() {
		return false
	}
	pa, pb := da.GetPort().GetNumber(), db.GetPort().GetNumber()
	return pa == 0 || pb == 0 || pa == pb
}

func describeDestination(d manifest.RouteDestination) string {
	s := d.Destination.GetHost()
	if sub := d.Destination.GetSubset(); sub != "" {
		s += " subset " + sub
	}
	return s
}
