package lint

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshroll/meshroll/manifest"
)

func subsetNotFound() *Rule {
	return &Rule{
		ID:          "MR101",
		Name:        "subset-not-found",
		Severity:    Error,
		SeverityWhy: `Error: traffic breaks. Envoy has no cluster for an undefined subset, and the requests routed to it fail with 503 (no route) until the subset exists.`,
		Summary:     "a route or mirror names a subset that no DestinationRule for that host defines",
		Doc: `A VirtualService route or mirror that names a subset sends traffic to the
pods that subset's labels select. The subset is defined by the DestinationRule
that Istio applies to the destination host: the one in the VirtualService's
namespace, else in the host's namespace, else in the root namespace. When that
DestinationRule does not define the subset, Envoy has no cluster for it and the
requests fail with HTTP 503 (mirrored requests are silently dropped).

Define the subset in the DestinationRule, or route to a subset it defines.`,
		Bad: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
spec:
  host: reviews
  subsets:
  - {name: v1, labels: {version: v1}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v2}  # no subset v2
`,
		Good: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
spec:
  host: reviews
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v2}
`,
		Since:  since,
		Anchor: "traffic shifting; IST0101; Kiali",
		Run:    runSubsetNotFound,
	}
}

func runSubsetNotFound(pass *Pass) {
	ix := pass.Index
	for _, vs := range ix.VirtualServices {
		for _, rt := range pass.Index.Routes(vs) {
			for _, d := range rt.AllDestinations() {
				subset := d.Destination.GetSubset()
				if subset == "" || d.Destination.GetHost() == "" {
					continue
				}
				drs := ix.DestinationRulesFor(ix.Resolve(vs, d.Destination.GetHost()), vs.Namespace)
				if len(drs) == 0 {
					continue // MR102
				}
				// The common case, a subset that is defined, allocates
				// nothing; the message is built only for a finding.
				if definesSubset(drs, subset) {
					continue
				}
				var names, where []string
				for _, dr := range drs {
					where = append(where, fmt.Sprintf("%s/%s", dr.Namespace, dr.Name))
					for _, s := range dr.DestinationRule().GetSubsets() {
						names = append(names, s.GetName())
					}
				}
				what := "route"
				if d.Mirror {
					what = "mirror"
				}
				hint := "it defines no subsets: add one"
				if len(names) > 0 {
					slices.Sort(names)
					hint = "define it there, or use one of " + strings.Join(slices.Compact(names), ", ")
				}
				pass.Reportf(vs, d.Path()+".subset", "%s to subset %q of host %s, which DestinationRule %s does not define: %s",
					what, subset, d.Destination.GetHost(), strings.Join(where, " and "), hint)
			}
		}
	}
}

// definesSubset reports whether one of drs defines subset.
func definesSubset(drs []*manifest.Resource, subset string) bool {
	for _, dr := range drs {
		for _, s := range dr.DestinationRule().GetSubsets() {
			if s.GetName() == subset {
				return true
			}
		}
	}
	return false
}
