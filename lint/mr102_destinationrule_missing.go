package lint

func destinationRuleMissing() *Rule {
	return &Rule{
		ID:          "MR102",
		Name:        "destinationrule-missing",
		Severity:    Error,
		SeverityWhy: `Error: traffic breaks. Without a DestinationRule no subset of the host exists, so every request routed to a subset fails with 503.`,
		Summary:     "a route uses subsets of a host that has no DestinationRule at all",
		Doc: `Subsets exist only in a DestinationRule. A route or mirror that names a subset
of a host for which no DestinationRule applies (none in the VirtualService's
namespace, the host's namespace or the root namespace, exported to the
VirtualService's namespace) sends its traffic nowhere: the requests fail with
HTTP 503.

Add a DestinationRule for the host that defines the subsets the routes use,
and apply it before the VirtualService.`,
		Bad: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}  # no DestinationRule for reviews
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
		Anchor: "traffic shifting; IST0101",
		Run:    runDestinationRuleMissing,
	}
}

func runDestinationRuleMissing(pass *Pass) {
	ix := pass.Index
	for _, vs := range ix.VirtualServices {
		for _, rt := range pass.Index.Routes(vs) {
			for _, d := range rt.AllDestinations() {
				subset, host := d.Destination.GetSubset(), d.Destination.GetHost()
				if subset == "" || host == "" {
					continue
				}
				h := ix.Resolve(vs, host)
				if len(ix.DestinationRulesFor(h, vs.Namespace)) > 0 {
					continue
				}
				pass.Reportf(vs, d.Path()+".subset", "subset %q of host %s needs a DestinationRule, and none for %s applies in namespace %s: add one that defines subset %s",
					subset, host, h, vs.Namespace, subset)
			}
		}
	}
}
