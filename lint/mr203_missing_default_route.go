package lint

import (
	"fmt"

	"google.golang.org/protobuf/proto"
	networking "istio.io/api/networking/v1"
)

func missingDefaultRoute() *Rule {
	return &Rule{
		ID:       "MR203",
		Name:     "missing-default-route",
		Severity: Warning,
		Summary:  "every http route has a match, so unmatched requests get 404",
		Doc: `Istio tries the http routes of a VirtualService in order and uses the first
whose match fits. When every route has a match and none matches everything, a
request that fits none of them gets HTTP 404 from the sidecar: in an A/B setup,
every user who is not in a test group.

End the list with a route without match (or with a match on uri prefix "/"),
which takes everything the routes before it did not.`,
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
		http := vs.VirtualService().GetHttp()
		if len(http) == 0 {
			continue
		}
		defaulted := false
		for _, h := range http {
			if IsCatchAll(h) {
				defaulted = true
				break
			}
		}
		if !defaulted {
			pass.Reportf(vs, fmt.Sprintf("spec.http[%d]", len(http)-1), "every http route has a match, so a request that fits none gets 404: add a last route without match")
		}
	}
}

// IsCatchAll reports whether an http route takes every request that reaches
// it: it has no match, or one of its matches has no condition other than a
// uri prefix of "/".
func IsCatchAll(h *networking.HTTPRoute) bool {
	if len(h.GetMatch()) == 0 {
		return true
	}
	for _, m := range h.GetMatch() {
		c := proto.Clone(m).(*networking.HTTPMatchRequest)
		c.Name, c.IgnoreUriCase, c.StatPrefix = "", false, ""
		if c.GetUri().GetPrefix() == "/" {
			c.Uri = nil
		}
		if proto.Size(c) == 0 {
			return true
		}
	}
	return false
}
