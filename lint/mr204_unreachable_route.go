package lint

func unreachableRoute() *Rule {
	return &Rule{
		ID:          "MR204",
		Name:        "unreachable-route",
		Severity:    Warning,
		SeverityWhy: `Warning: Istio accepts the object and traffic flows; the unreachable route simply never takes effect (istioctl reports IST0130 as an error analysis message, but nothing is rejected).`,
		Summary:     "an http, tcp or tls route after a catch-all route, or after an identical match, can never match",
		Doc: `Istio tries the routes of a VirtualService in order and takes the first that
matches. A route that comes after one that matches every request (no match, an
empty match, a uri prefix "/" alone), or whose every match block repeats one of
an earlier route, never receives a request: the traffic it was written for goes
elsewhere, usually unnoticed.

Move the route before the one that takes its traffic, give it a narrower match,
or delete it. This is istioctl analyze's IST0130 (VirtualServiceUnreachableRule),
for http, tcp and tls routes.`,
		Bad: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - name: everyone
    route:
    - destination: {host: reviews, subset: v1}
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
  - name: everyone
    route:
    - destination: {host: reviews, subset: v1}
`,
		Since:  since,
		Anchor: "IST0130",
		Run:    runUnreachableRoute,
	}
}

func runUnreachableRoute(pass *Pass) {
	for _, vs := range pass.Index.VirtualServices {
		unreachable, _ := pass.Index.Coverage(vs)
		for _, f := range unreachable {
			pass.Reportf(vs, f.Path, "%s; move the route before %s, narrow its match, or delete it", f.Reason, f.ByPath)
		}
	}
}
