package lint

import (
	"fmt"

	"github.com/meshroll/meshroll/internal/meta"
	"github.com/meshroll/meshroll/manifest"
)

func unusedSubset() *Rule {
	return &Rule{
		ID:          meta.UnusedSubset,
		Name:        "unused-subset",
		Severity:    Info,
		SeverityWhy: `Info: nothing breaks and Istio accepts it; an unused subset is dead configuration, worth knowing about during a rollout but not worth failing a build.`,
		Summary:     "a subset that no route or mirror targets",
		Doc: `A subset that no VirtualService route or mirror names receives no traffic. It
is often left over from a finished rollout, and keeps a label selector alive
that may later select pods nobody meant to serve.

Remove the subset, or route to it. The rule looks at every VirtualService in
the input, so lint the whole tree rather than one file.`,
		Bad: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
spec:
  host: reviews
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v0, labels: {version: v0}}  # nothing routes to v0
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
`,
		Good: `apiVersion: networking.istio.io/v1
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
    - destination: {host: reviews, subset: v1}
`,
		Since:  since,
		Anchor: "Kiali",
		Run:    runUnusedSubset,
	}
}

func runUnusedSubset(pass *Pass) {
	ix := pass.Index
	// used holds host+subset for every subset a route or mirror names.
	type hostSubset struct {
		host   manifest.Host
		subset string
	}
	used := map[hostSubset]bool{}
	usedSubsets := map[string][]manifest.Host{}
	for _, vs := range ix.VirtualServices {
		for _, rt := range pass.Index.Routes(vs) {
			for _, d := range rt.AllDestinations() {
				if s := d.Destination.GetSubset(); s != "" {
					h := ix.Resolve(vs, d.Destination.GetHost())
					used[hostSubset{h, s}] = true
					usedSubsets[s] = append(usedSubsets[s], h)
				}
			}
		}
	}
	for _, dr := range ix.DestinationRules {
		h := ix.DestinationRuleHost(dr)
		if h == "" {
			continue // no host: MR900
		}
		for i, s := range dr.DestinationRule().GetSubsets() {
			name := s.GetName()
			if used[hostSubset{h, name}] {
				continue
			}
			found := false
			if h.IsWildcard() {
				for _, uh := range usedSubsets[name] {
					found = found || h.Matches(uh)
				}
			}
			if found {
				continue
			}
			pass.Reportf(dr, fmt.Sprintf("spec.subsets[%d].name", i), "no VirtualService route or mirror targets subset %q of host %s: remove the subset, or route to it",
				name, dr.DestinationRule().GetHost())
		}
	}
}
