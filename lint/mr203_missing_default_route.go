package lint

import (
	"fmt"

	"github.com/meshroll/meshroll/internal/gateway"
	"github.com/meshroll/meshroll/route"
)

func missingDefaultRoute() *Rule {
	return &Rule{
		ID:          "MR203",
		Name:        "missing-default-route",
		Severity:    Warning,
		SeverityWhy: `Warning: Istio accepts the object and the matched requests flow; only requests that fit no route get 404, which may be intended, so this is advice rather than a certain breakage.`,
		Summary:     "every http route has a match, so unmatched requests get 404",
		Doc: `Istio tries the http routes of a VirtualService in order and uses the first
whose match fits. When every route has a match and none matches everything, a
request that fits none of them gets HTTP 404 from the sidecar: in an A/B setup,
every user who is not in a test group.

End the list with a route without match (or with a match on uri prefix "/"),
which takes everything the routes before it did not.

Only traffic from sidecars (the mesh gateway) is checked. A VirtualService
bound to gateways only is left alone: at an ingress, the 404 for an unmatched
path is what keeps the other paths closed, and a catch-all would expose them.
Match blocks bound to other gateways (match.gateways) do not count for the
mesh, and routes written for a port ("port: 80", as in Istio's egress gateway
task) cover the traffic on that port. A route counts as a catch-all exactly
when MR204 would call the routes after it unreachable.`,
		Bad: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - name: jason
    match:
    - headers: {end-user: {exact: jason}}
    route:
    - destination: {host: reviews, subset: v2}
`,
		Good: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - name: jason
    match:
    - headers: {end-user: {exact: jason}}
    route:
    - destination: {host: reviews, subset: v2}
  - name: default
    route:
    - destination: {host: reviews, subset: v1}
`,
		Since:  since,
		Anchor: "Kiali",
		Run:    runMissingDefaultRoute,
	}
}

func runMissingDefaultRoute(pass *Pass) {
	for _, vs := range pass.Index.VirtualServices {
		spec := vs.VirtualService()
		http := spec.GetHttp()
		// At a gateway, a request that no route matches gets 404 from the
		// gateway, which is how an ingress keeps its other paths closed: a
		// catch-all there would expose them. Only the sidecars' (mesh)
		// traffic is checked.
		if len(http) == 0 || !route.BoundTo(spec, gateway.Mesh) {
			continue
		}
		if route.CatchAll(spec, gateway.Mesh, 0) >= 0 {
			continue
		}
		// Routes written for given ports (the egress gateway task's
		// "port: 80" blocks) cover the traffic on those ports; a VirtualService
		// whose every port has a route that takes all of it has no gap.
		ports := route.MatchPorts(spec, gateway.Mesh)
		covered := len(ports) > 0
		for _, p := range ports {
			covered = covered && route.CatchAll(spec, gateway.Mesh, p) >= 0
		}
		if covered {
			continue
		}
		pass.Reportf(vs, fmt.Sprintf("spec.http[%d]", len(http)-1), "every http route has a match, so a request from a sidecar that fits none gets 404: add a last route without match")
	}
}
