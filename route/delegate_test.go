package route

import (
	"strconv"
	"strings"
	"testing"
	"time"

	networkingv1 "istio.io/api/networking/v1"
)

// TestStringMatchConflict follows istiod's stringMatchConflict
// (pilot/pkg/model/virtualservice.go): a delegate may narrow the root's
// condition, never widen or contradict it.
func TestStringMatchConflict(t *testing.T) {
	exact := func(s string) *networkingv1.StringMatch {
		return &networkingv1.StringMatch{MatchType: &networkingv1.StringMatch_Exact{Exact: s}}
	}
	prefix := func(s string) *networkingv1.StringMatch {
		return &networkingv1.StringMatch{MatchType: &networkingv1.StringMatch_Prefix{Prefix: s}}
	}
	regex := func(s string) *networkingv1.StringMatch {
		return &networkingv1.StringMatch{MatchType: &networkingv1.StringMatch_Regex{Regex: s}}
	}
	for _, tt := range []struct {
		name       string
		root, leaf *networkingv1.StringMatch
		want       bool
	}{
		{"root unset", nil, exact("/a"), false},
		{"leaf unset", prefix("/a"), nil, false},
		{"same exact", exact("/a"), exact("/a"), false},
		{"other exact", exact("/a"), exact("/b"), true},
		{"prefix under an exact root", exact("/a"), prefix("/a"), true},
		{"longer prefix", prefix("/api"), prefix("/api/v2"), false},
		{"unrelated prefix", prefix("/api"), prefix("/v2"), true},
		{"shorter prefix widens", prefix("/api/v2"), prefix("/api"), true},
		{"exact under the prefix", prefix("/api"), exact("/api/x"), false},
		{"exact outside the prefix", prefix("/api"), exact("/x"), true},
		{"regex root admits nothing", regex(".*"), prefix("/a"), true},
		{"regex leaf under a prefix", prefix("/a"), regex("/a.*"), true},
	} {
		if got := stringMatchConflict(tt.root, tt.leaf); got != tt.want {
			t.Errorf("%s: conflict %v, want %v", tt.name, got, tt.want)
		}
	}
}

// delegation is a root VirtualService whose /api routes live in a delegate
// (https://istio.io/latest/docs/reference/config/networking/virtual-service/#Delegate).
const delegation = `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: bookinfo}
spec:
  hosts: [reviews]
  http:
  - name: api
    match:
    - uri: {prefix: /api}
    timeout: 7s
    delegate: {name: reviews-api}
  - name: missing
    match:
    - uri: {prefix: /gone}
    delegate: {name: nowhere}
  - name: private
    match:
    - uri: {prefix: /private}
    delegate: {name: team-only, namespace: team}
  - name: default
    route:
    - destination: {host: reviews, subset: v1}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews-api, namespace: bookinfo}
spec:
  http:
  - name: v2-jason
    match:
    - uri: {prefix: /api/v2}
      headers: {end-user: {exact: jason}}
    route:
    - destination: {host: reviews, subset: v2}
  - name: outside
    match:
    - uri: {prefix: /other}
    route:
    - destination: {host: reviews, subset: v3}
  - name: rest
    timeout: 2s
    route:
    - destination: {host: reviews, subset: v1-api}
  - name: inherits
    route:
    - destination: {host: reviews, subset: v1-api}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: team-only, namespace: team}
spec:
  exportTo: ["."]
  http:
  - route:
    - destination: {host: reviews.bookinfo.svc.cluster.local, subset: team}
`

// TestDelegation follows istiod's merging of delegates
// (mergeVirtualServices, MergeHTTPRoutes): a delegating route is replaced by
// the delegate's routes, each merged with the root's match; a delegate route
// that conflicts with it, a missing delegate and one not exported to the
// root's namespace drop routes; what a delegate route leaves unset it takes
// from the root route.
func TestDelegation(t *testing.T) {
	vss, _ := parseObjects(t, delegation)
	tab := NewTable(vss, nil)
	for _, tt := range []struct {
		name            string
		req             Request
		vs              string
		index, match    int
		path, subset    string
		via             string // "index/match" of the root route, "" when none
		timeout         time.Duration
		trace           []string // VirtualService [index] per miss
		warningsContain string
	}{
		{name: "delegate route under the root's prefix", req: Request{URI: "/api/v2/books", Headers: map[string]string{"end-user": "jason"}},
			vs: "bookinfo/reviews-api", index: 0, match: 0, path: "spec.http[0].match[0]", subset: "v2", via: "0/0", timeout: 7 * time.Second},
		{name: "delegate route without match takes the root's", req: Request{URI: "/api/v1"},
			vs: "bookinfo/reviews-api", index: 2, match: -1, path: "spec.http[2]", subset: "v1-api", via: "0/0", timeout: 2 * time.Second,
			trace: []string{"bookinfo/reviews-api [0]"}},
		{name: "outside the root's match the delegate is not reached", req: Request{URI: "/other"},
			vs: "bookinfo/reviews", index: 3, match: -1, path: "spec.http[3]", subset: "v1",
			trace: []string{"bookinfo/reviews-api [0]", "bookinfo/reviews-api [2]", "bookinfo/reviews-api [3]"}},
		{name: "a missing delegate drops its route", req: Request{URI: "/gone"},
			vs: "bookinfo/reviews", index: 3, match: -1, subset: "v1", path: "spec.http[3]",
			trace:           []string{"bookinfo/reviews-api [0]", "bookinfo/reviews-api [2]", "bookinfo/reviews-api [3]"},
			warningsContain: "route [1] missing delegates to VirtualService bookinfo/nowhere, which is not among the manifests"},
		{name: "a delegate not exported to the root's namespace drops its route", req: Request{URI: "/private"},
			vs: "bookinfo/reviews", index: 3, match: -1, subset: "v1", path: "spec.http[3]",
			trace:           []string{"bookinfo/reviews-api [0]", "bookinfo/reviews-api [2]", "bookinfo/reviews-api [3]"},
			warningsContain: "VirtualService team/team-only, which is not exported to namespace bookinfo"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := tab.Evaluate("bookinfo/reviews", tt.req)
			if !got.Matched {
				t.Fatalf("no match: %s", got.Reason)
			}
			if got.VirtualService != tt.vs || got.Index != tt.index || got.Match != tt.match || got.Path != tt.path {
				t.Errorf("matched %s [%d] match %d %s, want %s [%d] match %d %s", got.VirtualService, got.Index, got.Match, got.Path, tt.vs, tt.index, tt.match, tt.path)
			}
			if len(got.Destinations) != 1 || got.Destinations[0].Subset != tt.subset {
				t.Errorf("destinations %+v, want subset %s", got.Destinations, tt.subset)
			}
			via := ""
			if got.Via != nil {
				if got.Via.VirtualService != "bookinfo/reviews" {
					t.Errorf("via %+v", got.Via)
				}
				via = strings.Join([]string{strconv.Itoa(got.Via.Index), strconv.Itoa(got.Via.Match)}, "/")
			}
			if via != tt.via {
				t.Errorf("via %q, want %q", via, tt.via)
			}
			if got.Timeout != tt.timeout {
				t.Errorf("timeout %s, want %s", got.Timeout, tt.timeout)
			}
			var trace []string
			for _, m := range got.Trace {
				trace = append(trace, m.VirtualService+" ["+strconv.Itoa(m.Index)+"]")
			}
			if strings.Join(trace, ", ") != strings.Join(tt.trace, ", ") {
				t.Errorf("trace %v, want %v", trace, tt.trace)
			}
			w := strings.Join(got.Warnings, "\n")
			if !strings.Contains(w, "route [1] outside of delegate bookinfo/reviews-api conflicts with the match of route [0] api of bookinfo/reviews: istiod drops it") {
				t.Errorf("warnings do not name the conflicting delegate route:\n%s", w)
			}
			if tt.warningsContain != "" && !strings.Contains(w, tt.warningsContain) {
				t.Errorf("warnings do not say %q:\n%s", tt.warningsContain, w)
			}
		})
	}
}

// TestDelegateGatewaysResolveInTheirNamespace: istiod resolves the short
// gateway names of a delegate's match blocks in the delegate's namespace
// (ResolveVirtualServiceShortnames runs on the delegate before merging).
func TestDelegateGatewaysResolveInTheirNamespace(t *testing.T) {
	vss, _ := parseObjects(t, `
kind: VirtualService
metadata: {name: root, namespace: edge}
spec:
  hosts: [app.example.com]
  gateways: [edge/public, team/public]
  http:
  - delegate: {name: app, namespace: team}
---
kind: VirtualService
metadata: {name: app, namespace: team}
spec:
  http:
  - match:
    - gateways: [public]
    route:
    - destination: {host: app-team}
  - route:
    - destination: {host: app-edge}
`)
	tab := NewTable(vss, nil)
	for gw, want := range map[string]string{"team/public": "app-team", "edge/public": "app-edge"} {
		got := tab.Ingress(gw, Request{Authority: "app.example.com"})
		if !got.Matched || got.Destinations[0].Host != want {
			t.Errorf("through %s: %+v, want %s", gw, got, want)
		}
	}
}
