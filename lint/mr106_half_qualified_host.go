package lint

import (
	"fmt"

	networking "istio.io/api/networking/v1"

	"github.com/meshroll/meshroll/manifest"
)

func halfQualifiedHost() *Rule {
	return &Rule{
		ID:          "MR106",
		Name:        "half-qualified-host",
		Severity:    Error,
		SeverityWhy: `Error for a route destination: the route names no service and its requests fail with 503. Warning for a VirtualService host or a DestinationRule host: Istio accepts the object, which then applies to nothing, so traffic keeps flowing without the intended routing or policy.`,
		Summary:     "a host written name.namespace or name.namespace.svc, which Istio does not complete, so it names no service",
		Doc: `Istio completes only a short host name, one without a dot: in namespace
bookinfo, reviews means reviews.bookinfo.svc.cluster.local. A name with a dot is
taken as written. Kubernetes DNS resolves reviews.bookinfo for an application,
but Istio's registry knows the service only as reviews.bookinfo.svc.cluster.local,
so a route to reviews.bookinfo finds no service (503 "no healthy upstream" or
"no route"), a VirtualService for it catches nothing, and a DestinationRule for
it applies to nothing.

The rule reports VirtualService hosts and destinations and DestinationRule
hosts of the form name.namespace or name.namespace.svc, where namespace is a
namespace of the input, unless a ServiceEntry defines the host as written.

Write the short name (reviews) in the service's own namespace, or the full
name (reviews.bookinfo.svc.cluster.local).`,
		Bad: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: bookinfo}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews.bookinfo, subset: v1}
`,
		Good: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: bookinfo}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews.bookinfo.svc.cluster.local, subset: v1}
`,
		Since:  since,
		Anchor: "ResolveShortnameToFQDN (pilot/pkg/model)",
		Run:    runHalfQualifiedHost,
	}
}

func runHalfQualifiedHost(pass *Pass) {
	ix := pass.Index
	defined := map[manifest.Host]bool{}
	for _, r := range ix.ServiceEntries {
		if se, ok := r.Spec.(*networking.ServiceEntry); ok {
			for _, h := range se.GetHosts() {
				defined[ix.Resolve(r, h)] = true
			}
		}
	}
	check := func(r *manifest.Resource, name, path, what string) {
		meant, ok := manifest.HalfQualified(name, ix.ClusterDomain, ix.IsNamespace)
		if !ok || defined[ix.Resolve(r, name)] {
			return
		}
		if what == "destination host" {
			pass.Reportf(r, path, "%s %s is not completed by Istio, which takes it as written, so it names no service and the requests fail: write %s (or the short name in its own namespace)", what, name, meant)
			return
		}
		pass.ReportSeverityf(Warning, r, path, "%s %s is not completed by Istio, which takes it as written, so this %s applies to no service: write %s (or the short name in its own namespace)", what, name, r.Kind, meant)
	}
	for _, vs := range ix.VirtualServices {
		for i, h := range vs.VirtualService().GetHosts() {
			check(vs, h, fmt.Sprintf("spec.hosts[%d]", i), "host")
		}
		for _, rt := range ix.Routes(vs) {
			for _, d := range append(append([]manifest.RouteDestination(nil), rt.Destinations...), rt.Mirrors...) {
				check(vs, d.Destination.GetHost(), d.Path()+".host", "destination host")
			}
		}
	}
	for _, dr := range ix.DestinationRules {
		check(dr, dr.DestinationRule().GetHost(), "spec.host", "host")
	}
}
