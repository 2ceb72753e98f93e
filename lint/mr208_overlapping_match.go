package lint

func overlappingMatch() *Rule {
	return &Rule{
		ID:          "MR208",
		Name:        "overlapping-match",
		Severity:    Info,
		SeverityWhy: `Info: Istio accepts the object and traffic flows as the first match says; the covered match is redundant.`,
		Summary:     "a match that an earlier match of the same route list already covers, so part of it has no effect",
		Doc: `A match block that an earlier match block — in an earlier route, or earlier in
the same route's match list — already covers takes no request: every request it
would match was taken before it. A prefix /api/v1/product covers
/api/v1/products; a block with fewer conditions covers one that adds
conditions; an identical block covers its copy.

Often this is an ordering mistake (the narrower match should come first); else
the covered block is dead configuration. This is istioctl analyze's IST0131
(VirtualServiceIneffectiveMatch).`,
		Bad: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: products}
spec:
  hosts: [products]
  http:
  - name: product
    match:
    - uri: {prefix: /api/v1/product}
    route:
    - destination: {host: products, subset: v1}
  - name: products
    match:
    - uri: {prefix: /api/v1/products}
    route:
    - destination: {host: products, subset: v2}
  - name: default
    route:
    - destination: {host: products, subset: v1}
`,
		Good: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: products}
spec:
  hosts: [products]
  http:
  - name: products
    match:
    - uri: {prefix: /api/v1/products}
    route:
    - destination: {host: products, subset: v2}
  - name: product
    match:
    - uri: {prefix: /api/v1/product}
    route:
    - destination: {host: products, subset: v1}
  - name: default
    route:
    - destination: {host: products, subset: v1}
`,
		Since:  since,
		Anchor: "IST0131",
		Run:    runOverlappingMatch,
	}
}

func runOverlappingMatch(pass *Pass) {
	for _, vs := range pass.Index.VirtualServices {
		_, ineffective := pass.Index.Coverage(vs)
		for _, f := range ineffective {
			pass.Reportf(vs, f.Path, "%s: %s; put the narrower match first or remove this one", f.Path, f.Reason)
		}
	}
}
