package lint

func undocumentedRoute() *Rule {
	return &Rule{
		ID:          "MR207",
		Name:        "undocumented-route",
		Severity:    Info,
		SeverityWhy: `Info: a naming practice for logs and metrics; nothing is rejected and nothing breaks.`,
		Summary:     "an http route without a name",
		Doc: `A route's name appears in Envoy's access logs and metrics and in istioctl's
output, and tells a reviewer what the route is for ("jason-to-canary",
"default"). An unnamed route is known only by its index, which shifts whenever
a route is added above it.

Give every http route a name.`,
		Bad: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
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
`,
		Since:  since,
		Anchor: "best practice: named routes",
		Run:    runUndocumentedRoute,
	}
}

func runUndocumentedRoute(pass *Pass) {
	for _, vs := range pass.Index.VirtualServices {
		for _, rt := range pass.Index.Routes(vs) {
			if rt.Protocol == "http" && rt.Name == "" {
				pass.Reportf(vs, rt.Path(), "http route %d has no name: name it after what it is for, so logs, metrics and reviewers can tell routes apart", rt.Index)
			}
		}
	}
}
